#include "api/control/control_routes.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/control/control_wire.h"
#include "api/errors.h"

namespace bp::api::control {

namespace {

using auth::AuthorizationRequest;
using auth::ContextEntry;

// What every operation needs: the logic, and who may call it.
struct Deps {
  ControlService& control;
  const auth::Authorizer& authorizer;
};

constexpr std::string_view kRequestTag = "aws:RequestTag/";
constexpr std::string_view kResourceTag = "aws:ResourceTag/";
constexpr std::string_view kTagKeys = "aws:TagKeys";

Status Ask(const Deps& deps, const ApiCall& call, std::string_view action,
           std::string_view resource, std::vector<ContextEntry> context = {}) {
  return deps.authorizer.Authorize(
      call.principal, call.facts,
      AuthorizationRequest{.action = action, .resource = resource, .context = std::move(context)});
}

// aws:TagKeys (multi-valued): each key once, in request order.
ContextEntry TagKeysEntry(const std::vector<std::string>& keys) {
  ContextEntry entry{.key = std::string(kTagKeys), .values = {}, .multi = true};
  for (const std::string& key : keys) {
    if (std::find(entry.values.begin(), entry.values.end(), key) == entry.values.end()) {
      entry.values.push_back(key);
    }
  }
  return entry;
}

// aws:RequestTag/<k> for each request tag (the last value of a repeated key;
// the operation refuses duplicates anyway) and aws:TagKeys.
// Empty without tags: AWS sets no tag keys then.
std::vector<ContextEntry> RequestTagContext(const std::vector<Tag>& tags) {
  if (tags.empty()) return {};
  Tags by_key;
  std::vector<std::string> keys;
  for (const Tag& tag : tags) {
    by_key[tag.key] = tag.value;
    keys.push_back(tag.key);
  }
  std::vector<ContextEntry> context;
  for (const auto& [key, value] : by_key) {
    context.push_back({.key = std::string(kRequestTag) + key, .values = {value}, .multi = false});
  }
  context.push_back(TagKeysEntry(keys));
  return context;
}

// Appends aws:ResourceTag/<k> for the stored tags of the profile `arn` names.
Status AddResourceTags(const ControlService& control, std::string_view arn,
                       std::vector<ContextEntry>& context) {
  BP_ASSIGN_OR_RETURN(Tags tags, control.ResourceTagsFor(arn));
  for (const auto& [key, value] : tags) {
    context.push_back({.key = std::string(kResourceTag) + key, .values = {value}, .multi = false});
  }
  return Status::Ok();
}

// Asks `action` on the inference profile `identifier` names, with its
// resource tags.
Status AskOnProfile(const Deps& deps, const ApiCall& call, std::string_view action,
                    std::string_view identifier) {
  std::string arn = deps.control.ProfileArnFor(identifier);
  std::vector<ContextEntry> context;
  BP_RETURN_IF_ERROR(AddResourceTags(deps.control, arn, context));
  return Ask(deps, call, action, arn, std::move(context));
}

Result<http::Response> Ok(const json::Object& body) { return JsonResponse(200, body); }

// The new profile's id is drawn only after authorization, so the check names
// the wildcard application-profile ARN of our region and account.
Status AuthorizeCreate(const Deps& deps, const ApiCall& call, const CreateInput& input) {
  std::string new_profile = deps.control.NewProfileArnPattern();
  std::vector<ContextEntry> context = RequestTagContext(input.tags);
  BP_RETURN_IF_ERROR(Ask(deps, call, "bedrock:CreateInferenceProfile", new_profile, context));
  BP_RETURN_IF_ERROR(Ask(deps, call, "bedrock:CreateInferenceProfile", input.copy_from, context));
  if (input.tags.empty()) return Status::Ok();
  return Ask(deps, call, "bedrock:TagResource", new_profile, std::move(context));
}

Result<http::Response> CreateProfile(const Deps& deps, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(CreateInput input, wire::ParseCreateRequest(call.request.body));
  BP_RETURN_IF_ERROR(AuthorizeCreate(deps, call, input));
  std::string would_be_arn;
  Result<CreateOutcome> created = deps.control.Create(input, &would_be_arn);
  if (!created.ok()) {
    if (created.status().code() == ErrorCode::kTooManyTags) {
      return TooManyTagsResponse(created.status(), would_be_arn, call.request.request_id);
    }
    return created.status();
  }
  return JsonResponse(
      201, json::Object{{"inferenceProfileArn", created->profile.arn}, {"status", "ACTIVE"}});
}

Result<http::Response> GetProfile(const Deps& deps, const ApiCall& call) {
  const std::string& identifier = call.params.at(0);
  BP_RETURN_IF_ERROR(AskOnProfile(deps, call, "bedrock:GetInferenceProfile", identifier));
  BP_ASSIGN_OR_RETURN(InferenceProfile profile, deps.control.Get(identifier));
  return Ok(wire::ProfileJson(profile));
}

Result<http::Response> ListProfiles(const Deps& deps, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(ListInput input, wire::ParseListProfilesQuery(call.request.query()));
  BP_RETURN_IF_ERROR(Ask(deps, call, "bedrock:ListInferenceProfiles", "*"));
  BP_ASSIGN_OR_RETURN(ListPage page, deps.control.List(input));
  return Ok(wire::ListProfilesJson(page));
}

Result<http::Response> DeleteProfile(const Deps& deps, const ApiCall& call) {
  const std::string& identifier = call.params.at(0);
  BP_RETURN_IF_ERROR(AskOnProfile(deps, call, "bedrock:DeleteInferenceProfile", identifier));
  BP_RETURN_IF_ERROR(deps.control.Delete(identifier));
  return Ok({});
}

Result<http::Response> TagResource(const Deps& deps, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(wire::TagRequest request, wire::ParseTagRequest(call.request.body));
  std::vector<ContextEntry> context = RequestTagContext(request.tags);
  BP_RETURN_IF_ERROR(AddResourceTags(deps.control, request.resource_arn, context));
  BP_RETURN_IF_ERROR(
      Ask(deps, call, "bedrock:TagResource", request.resource_arn, std::move(context)));
  Status tagged = deps.control.TagResource(request.resource_arn, request.tags);
  if (tagged.code() == ErrorCode::kTooManyTags && !tagged.ok()) {
    return TooManyTagsResponse(tagged, request.resource_arn, call.request.request_id);
  }
  BP_RETURN_IF_ERROR(tagged);
  return Ok({});
}

Result<http::Response> UntagResource(const Deps& deps, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(wire::UntagRequest request, wire::ParseUntagRequest(call.request.body));
  std::vector<ContextEntry> context;
  if (!request.tag_keys.empty()) context.push_back(TagKeysEntry(request.tag_keys));
  BP_RETURN_IF_ERROR(AddResourceTags(deps.control, request.resource_arn, context));
  BP_RETURN_IF_ERROR(
      Ask(deps, call, "bedrock:UntagResource", request.resource_arn, std::move(context)));
  BP_RETURN_IF_ERROR(deps.control.UntagResource(request.resource_arn, request.tag_keys));
  return Ok({});
}

Result<http::Response> ListTags(const Deps& deps, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(std::string arn, wire::ParseListTagsRequest(call.request.body));
  std::vector<ContextEntry> context;
  BP_RETURN_IF_ERROR(AddResourceTags(deps.control, arn, context));
  BP_RETURN_IF_ERROR(Ask(deps, call, "bedrock:ListTagsForResource", arn, std::move(context)));
  BP_ASSIGN_OR_RETURN(Tags tags, deps.control.ListTagsForResource(arn));
  return Ok(wire::TagsJson(tags));
}

Result<http::Response> ListModels(const Deps& deps, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(ModelFilter filter, wire::ParseModelFilterQuery(call.request.query()));
  BP_RETURN_IF_ERROR(Ask(deps, call, "bedrock:ListFoundationModels", "*"));
  BP_ASSIGN_OR_RETURN(std::vector<FoundationModelInfo> models,
                      deps.control.ListFoundationModels(filter));
  json::Array items;
  for (const FoundationModelInfo& m : models) items.emplace_back(wire::ModelJson(m));
  return Ok(json::Object{{"modelSummaries", std::move(items)}});
}

Result<http::Response> GetModel(const Deps& deps, const ApiCall& call) {
  const std::string& identifier = call.params.at(0);
  BP_RETURN_IF_ERROR(
      Ask(deps, call, "bedrock:GetFoundationModel", deps.control.ModelArnFor(identifier)));
  BP_ASSIGN_OR_RETURN(FoundationModelInfo model, deps.control.GetFoundationModel(identifier));
  return Ok(json::Object{{"modelDetails", wire::ModelJson(model)}});
}

}  // namespace

Status RegisterControlRoutes(ApiHandler& handler, ControlService& control,
                             const auth::Authorizer& authorizer) {
  using Op = Result<http::Response> (*)(const Deps&, const ApiCall&);
  struct Row {
    const char* method;
    const char* pattern;
    const char* operation;
    Op op;
  };
  static constexpr Row kRoutes[] = {
      {"POST", "/inference-profiles", "CreateInferenceProfile", CreateProfile},
      {"GET", "/inference-profiles", "ListInferenceProfiles", ListProfiles},
      {"GET", "/inference-profiles/{inferenceProfileIdentifier}", "GetInferenceProfile",
       GetProfile},
      {"DELETE", "/inference-profiles/{inferenceProfileIdentifier}", "DeleteInferenceProfile",
       DeleteProfile},
      {"POST", "/tagResource", "TagResource", TagResource},
      {"POST", "/untagResource", "UntagResource", UntagResource},
      {"POST", "/listTagsForResource", "ListTagsForResource", ListTags},
      {"GET", "/foundation-models", "ListFoundationModels", ListModels},
      {"GET", "/foundation-models/{modelIdentifier}", "GetFoundationModel", GetModel},
  };
  for (const Row& row : kRoutes) {
    Op op = row.op;
    Deps deps{control, authorizer};
    BP_RETURN_IF_ERROR(
        handler.Register(row.method, row.pattern, row.operation,
                         [deps, op](const ApiCall& call) { return op(deps, call); }));
  }
  return Status::Ok();
}

}  // namespace bp::api::control
