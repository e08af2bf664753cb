#include "api/runtime/invoke_gate.h"

#include <algorithm>
#include <optional>

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

InvokeGate::InvokeGate(Options options, const storage::CachingProfileStore& profiles,
                       const auth::Authorizer& authorizer,
                       const guardrails::GuardrailSet* guardrails)
    : options_(std::move(options)),
      profiles_(profiles),
      authorizer_(authorizer),
      guardrails_(guardrails) {}

Result<const guardrails::Guardrail*> InvokeGate::AdmitGuardrail(const ApiCall& call,
                                                                std::string_view identifier,
                                                                std::string_view version,
                                                                ErrorCode not_found,
                                                                std::string& arn) const {
  std::string_view id = identifier;
  bool elsewhere = false;
  if (identifier.rfind("arn:", 0) == 0) {
    arn = std::string(identifier);
    id = identifier.substr(identifier.rfind('/') + 1);
    auto parsed = Arn::Parse(identifier);
    elsewhere =
        !parsed.ok() || parsed->region != options_.region || parsed->account != options_.account_id;
  } else {
    arn = "arn:aws:bedrock:" + options_.region + ":" + options_.account_id + ":guardrail/" +
          std::string(identifier);
  }
  BP_RETURN_IF_ERROR(
      authorizer_.Authorize(call.principal, call.facts,
                            {.action = "bedrock:ApplyGuardrail", .resource = arn, .context = {}}));
  const guardrails::Guardrail* g =
      elsewhere || guardrails_ == nullptr ? nullptr : guardrails_->Find(id);
  if (g == nullptr || !g->HasVersion(version)) {
    return Status(not_found,
                  "The guardrail identifier or version provided in the request does not exist.");
  }
  return g;
}

std::string InvokeGate::UsableProfiles(const ApiCall& call) const {
  std::shared_ptr<const storage::ProfileSnapshot> snapshot = profiles_.Snapshot();
  std::string out;
  for (const auto& [id, record] : snapshot->by_id) {
    const storage::ProfileRecord& p = *record;
    auth::AuthorizationRequest q{.action = "bedrock:InvokeModel", .resource = p.arn, .context = {}};
    if (!authorizer_.Authorize(call.principal, call.facts, q).ok()) continue;
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

Status InvokeGate::RefuseProfileName(const ApiCall& call, std::string_view model_id,
                                     InvokeKind kind) const {
  std::shared_ptr<const storage::ProfileSnapshot> snapshot = profiles_.Snapshot();
  for (const auto& [id, record] : snapshot->by_id) {
    const storage::ProfileRecord& p = *record;
    if (p.name != model_id) continue;
    auth::AuthorizationRequest q{.action = ActionFor(kind), .resource = p.arn, .context = {}};
    Status allowed = authorizer_.Authorize(call.principal, call.facts, q);
    if (!allowed.ok()) {
      std::string message = allowed.message();
      size_t at = message.find(p.arn);
      if (at != std::string::npos) {
        message.replace(at, p.arn.size(), "the inference profile named '" + p.name + "'");
      }
      return Status(allowed.code(), std::move(message));
    }
    return ValidationError("Calls must go through an application inference profile (ADR-0007): '" +
                           std::string(model_id) +
                           "' is the profile's name, and modelId takes its ARN or id. Use " +
                           p.arn + " (or its id " + p.id + ").");
  }
  return RefuseRawModel(call, model_id, "not an application inference profile ARN or id");
}

Result<InvokeGate::Profile> InvokeGate::Admit(const ApiCall& call, std::string_view model_id,
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
    return RefuseProfileName(call, model_id, kind);
  }

  std::string_view action = ActionFor(kind);
  BP_RETURN_IF_ERROR(authorizer_.Authorize(
      call.principal, call.facts, {.action = action, .resource = profile_arn, .context = {}}));

  const std::optional<ArnView> parsed = ArnView::Parse(profile_arn);
  if (!parsed || parsed->region != options_.region || parsed->account != options_.account_id) {
    return NotFoundError("Inference profile " + profile_arn + " was not found");
  }
  const std::string_view resource = parsed->resource;
  const size_t slash = resource.find('/');
  const std::string_view id =
      slash == std::string_view::npos ? std::string_view() : resource.substr(slash + 1);
  std::shared_ptr<const storage::ProfileSnapshot> snapshot = profiles_.Snapshot();
  const Profile* found = snapshot->by_id.Find(id);
  if (found == nullptr) {
    return NotFoundError("Inference profile " + profile_arn + " was not found");
  }
  Profile record = *found;
  if (kind == InvokeKind::kCountTokens) return record;
  // The foundation model in every region the profile may route to, so a
  // policy missing a region fails on the first call, not by chance later.
  // One question, its context filled in per model (built once per call).
  auth::AuthorizationRequest model_question{.action = action, .resource = {}, .context = {}};
  std::vector<auth::ContextEntry>& context = model_question.context;
  context.reserve(2);
  context.push_back(
      {.key = "bedrock:InferenceProfileArn", .values = {profile_arn}, .multi = false});
  for (const std::string& model_arn : record->model_arns) {
    const std::optional<ArnView> fm = ArnView::Parse(model_arn);
    if (fm) {
      if (context.size() < 2) {
        context.push_back({.key = "aws:RequestedRegion", .values = {{}}, .multi = false});
      }
      context[1].values.front().assign(fm->region);
    } else if (context.size() > 1) {
      context.pop_back();
    }
    model_question.resource = model_arn;
    BP_RETURN_IF_ERROR(authorizer_.Authorize(call.principal, call.facts, model_question));
  }
  return record;
}

}  // namespace bp::api::runtime
