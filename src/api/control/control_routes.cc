#include "api/control/control_routes.h"

#include <utility>

#include "api/control/control_wire.h"
#include "api/errors.h"

namespace bp::api::control {

namespace {

Result<http::Response> Ok(const json::Object& body) { return JsonResponse(200, body); }

Result<http::Response> CreateProfile(ControlPlane& control, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(CreateInput input, wire::ParseCreateRequest(call.request.body));
  std::string would_be_arn;
  Result<CreateOutcome> created = control.Create(input, &would_be_arn);
  if (!created.ok()) {
    if (created.status().code() == ErrorCode::kTooManyTags) {
      return TooManyTagsResponse(created.status(), would_be_arn, call.request.request_id);
    }
    return created.status();
  }
  return JsonResponse(
      201, json::Object{{"inferenceProfileArn", created->profile.arn}, {"status", "ACTIVE"}});
}

Result<http::Response> GetProfile(ControlPlane& control, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(InferenceProfile profile, control.Get(call.params.at(0)));
  return Ok(wire::ProfileJson(profile));
}

Result<http::Response> ListProfiles(ControlPlane& control, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(ListInput input, wire::ParseListProfilesQuery(call.request.query()));
  BP_ASSIGN_OR_RETURN(ListPage page, control.List(input));
  return Ok(wire::ListProfilesJson(page));
}

Result<http::Response> DeleteProfile(ControlPlane& control, const ApiCall& call) {
  BP_RETURN_IF_ERROR(control.Delete(call.params.at(0)));
  return Ok({});
}

Result<http::Response> TagResource(ControlPlane& control, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(wire::TagRequest request, wire::ParseTagRequest(call.request.body));
  Status tagged = control.TagResource(request.resource_arn, request.tags);
  if (tagged.code() == ErrorCode::kTooManyTags && !tagged.ok()) {
    return TooManyTagsResponse(tagged, request.resource_arn, call.request.request_id);
  }
  BP_RETURN_IF_ERROR(tagged);
  return Ok({});
}

Result<http::Response> UntagResource(ControlPlane& control, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(wire::UntagRequest request, wire::ParseUntagRequest(call.request.body));
  BP_RETURN_IF_ERROR(control.UntagResource(request.resource_arn, request.tag_keys));
  return Ok({});
}

Result<http::Response> ListTags(ControlPlane& control, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(std::string arn, wire::ParseListTagsRequest(call.request.body));
  BP_ASSIGN_OR_RETURN(Tags tags, control.ListTagsForResource(arn));
  return Ok(wire::TagsJson(tags));
}

Result<http::Response> ListModels(ControlPlane& control, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(ModelFilter filter, wire::ParseModelFilterQuery(call.request.query()));
  BP_ASSIGN_OR_RETURN(std::vector<FoundationModelInfo> models,
                      control.ListFoundationModels(filter));
  json::Array items;
  for (const FoundationModelInfo& m : models) items.emplace_back(wire::ModelJson(m));
  return Ok(json::Object{{"modelSummaries", std::move(items)}});
}

Result<http::Response> GetModel(ControlPlane& control, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(FoundationModelInfo model, control.GetFoundationModel(call.params.at(0)));
  return Ok(json::Object{{"modelDetails", wire::ModelJson(model)}});
}

}  // namespace

Status RegisterControlRoutes(ApiHandler& handler, ControlPlane& control) {
  using Op = Result<http::Response> (*)(ControlPlane&, const ApiCall&);
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
    BP_RETURN_IF_ERROR(
        handler.Register(row.method, row.pattern, row.operation,
                         [&control, op](const ApiCall& call) { return op(control, call); }));
  }
  return Status::Ok();
}

}  // namespace bp::api::control
