#include "api/runtime/invoke_gate.h"

#include <algorithm>

#include "core/arn.h"

namespace bp::api::runtime {

namespace {

// Application profile ids as AWS issues them: 12 of [a-z0-9].
bool IsApplicationId(std::string_view id) {
  return id.size() == 12 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
         });
}

}  // namespace

std::string_view ActionFor(InvokeKind kind) {
  switch (kind) {
    case InvokeKind::kInvoke:
      return "bedrock:InvokeModel";
    case InvokeKind::kStream:
      return "bedrock:InvokeModelWithResponseStream";
    case InvokeKind::kCountTokens:
      return "bedrock:CountTokens";
  }
  return "bedrock:InvokeModel";
}

InvokeGate::InvokeGate(Options options, storage::ProfileStore& store,
                       const auth::Authorizer& authorizer)
    : options_(std::move(options)), store_(store), authorizer_(authorizer) {}

std::string InvokeGate::UsableProfiles(const ApiCall& call) const {
  auto all = store_.List();
  if (!all.ok()) return "";
  std::string out;
  for (const storage::ProfileRecord& p : *all) {
    auth::AuthorizationRequest q{.action = "bedrock:InvokeModel", .resource = p.arn, .context = {}};
    if (!authorizer_.Authorize(call.principal, call.request, q).ok()) continue;
    if (!out.empty()) out += ", ";
    out += p.name + " (" + p.arn + ")";
  }
  return out;
}

Status InvokeGate::RefuseRawModel(const ApiCall& call, std::string_view model_id,
                                  std::string_view what) const {
  std::string usable = UsableProfiles(call);
  std::string message = "Calls must go through an application inference profile (ADR-0007): '" +
                        std::string(model_id) + "' is " + std::string(what) + ". ";
  message += usable.empty() ? "No profile is available to you; ask the platform team for one."
                            : "Use one of: " + usable + ".";
  return ValidationError(std::move(message));
}

Result<storage::ProfileRecord> InvokeGate::Admit(const ApiCall& call, std::string_view model_id,
                                                 InvokeKind kind) const {
  std::string profile_arn;
  if (model_id.rfind("arn:", 0) == 0) {
    auto arn = Arn::Parse(model_id);
    if (!arn.ok()) return ValidationError("modelId: " + arn.status().message());
    switch (ClassifyBedrockArn(*arn)) {
      case BedrockResourceKind::kApplicationProfile:
        break;
      case BedrockResourceKind::kSystemProfile:
        return RefuseRawModel(call, model_id, "a system-defined inference profile");
      case BedrockResourceKind::kFoundationModel:
        return RefuseRawModel(call, model_id, "a foundation model");
      case BedrockResourceKind::kOther:
        return ValidationError("modelId '" + std::string(model_id) +
                               "' is not an application inference profile ARN");
    }
    profile_arn = std::string(model_id);
  } else if (IsApplicationId(model_id)) {
    profile_arn = ApplicationProfileArn(options_.region, options_.account_id, model_id);
  } else if (model_id.find('.') != std::string_view::npos) {
    std::string_view geo = model_id.substr(0, model_id.find('.'));
    bool system = geo == "eu" || geo == "us" || geo == "apac" || geo == "global" || geo == "jp" ||
                  geo == "au" || geo == "ca" || geo == "us-gov";
    return RefuseRawModel(call, model_id,
                          system ? "a system-defined inference profile" : "a raw model id");
  } else {
    return RefuseRawModel(call, model_id, "not an application inference profile ARN or id");
  }

  std::string_view action = ActionFor(kind);
  BP_RETURN_IF_ERROR(authorizer_.Authorize(
      call.principal, call.request, {.action = action, .resource = profile_arn, .context = {}}));

  auto parsed = Arn::Parse(profile_arn);
  if (!parsed.ok() || parsed->region != options_.region || parsed->account != options_.account_id) {
    return NotFoundError("Inference profile " + profile_arn + " was not found");
  }
  auto record = store_.Get(parsed->ResourceId());
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::kResourceNotFound) {
      return NotFoundError("Inference profile " + profile_arn + " was not found");
    }
    return record.status();
  }
  if (kind == InvokeKind::kCountTokens) return record;
  // The foundation model in every region the profile may route to, so a
  // policy missing a region fails on the first call, not by chance later.
  for (const std::string& model_arn : record->model_arns) {
    auto fm = Arn::Parse(model_arn);
    std::vector<auth::ContextEntry> context = {
        {.key = "bedrock:InferenceProfileArn", .values = {profile_arn}, .multi = false}};
    if (fm.ok()) {
      context.push_back({.key = "aws:RequestedRegion", .values = {fm->region}, .multi = false});
    }
    BP_RETURN_IF_ERROR(authorizer_.Authorize(
        call.principal, call.request,
        {.action = action, .resource = model_arn, .context = std::move(context)}));
  }
  return record;
}

Status RegisterRuntimeRoutes(ApiHandler& handler, const InvokeGate& gate) {
  struct RouteSpec {
    const char* pattern;
    const char* operation;
    InvokeKind kind;
  };
  static constexpr RouteSpec kRoutes[] = {
      {"/model/{modelId}/invoke", "InvokeModel", InvokeKind::kInvoke},
      {"/model/{modelId}/invoke-with-response-stream", "InvokeModelWithResponseStream",
       InvokeKind::kStream},
      {"/model/{modelId}/converse", "Converse", InvokeKind::kInvoke},
      {"/model/{modelId}/converse-stream", "ConverseStream", InvokeKind::kStream},
      {"/model/{modelId}/count-tokens", "CountTokens", InvokeKind::kCountTokens},
  };
  for (const RouteSpec& r : kRoutes) {
    std::string operation = r.operation;
    BP_RETURN_IF_ERROR(handler.Register(
        "POST", r.pattern, operation,
        [&gate, operation, kind = r.kind](const ApiCall& call) -> Result<http::Response> {
          BP_ASSIGN_OR_RETURN(storage::ProfileRecord profile,
                              gate.Admit(call, call.params.at(0), kind));
          (void)profile;
          return Status(ErrorCode::kNotImplemented, operation + " is not implemented yet");
        },
        RouteOptions{.max_body_bytes = 25'000'000}));
  }
  return Status::Ok();
}

}  // namespace bp::api::runtime
