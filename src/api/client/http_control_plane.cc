#include "api/client/http_control_plane.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "api/client/profile_pages.h"
#include "core/uri.h"
#include "json/json.h"

namespace bp::api::client {
namespace {

using planner::LiveProfile;

constexpr std::string_view kListOp = "ListInferenceProfiles";
constexpr std::string_view kTagsOp = "ListTagsForResource";
constexpr std::string_view kGetOp = "GetInferenceProfile";
constexpr std::string_view kCreateOp = "CreateInferenceProfile";

json::Array TagList(const Tags& tags) {
  json::Array out;
  for (const auto& [key, value] : tags) {
    out.emplace_back(json::Object{{"key", key}, {"value", value}});
  }
  return out;
}

Call PostJson(std::string path, const json::Object& body) {
  return Call{.method = "POST",
              .path = std::move(path),
              .query = "",
              .body = json::Serialize(body),
              .idempotency = http::Idempotency::kIdempotent};
}

// {"modelArn": "..."} entries of "models", in order.
Result<std::vector<std::string>> ModelArns(const json::Object& item, const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Array* models, json::OptionalArray(item, "models", path));
  std::vector<std::string> arns;
  if (models == nullptr) return arns;
  for (size_t i = 0; i < models->size(); ++i) {
    std::string at = path + ".models[" + std::to_string(i) + "]";
    BP_ASSIGN_OR_RETURN(const json::Object* model, json::RequireObject((*models)[i], at));
    BP_ASSIGN_OR_RETURN(std::string arn, json::RequiredString(*model, "modelArn", at));
    arns.push_back(std::move(arn));
  }
  return arns;
}

// One summary; std::nullopt for a profile that is not an application profile.
Result<std::optional<LiveProfile>> ParseSummary(const json::Value& value, const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Object* item, json::RequireObject(value, path));
  BP_ASSIGN_OR_RETURN(std::optional<std::string> type, json::OptionalString(*item, "type", path));
  if (type && *type != "APPLICATION") return std::optional<LiveProfile>();
  LiveProfile p;
  BP_ASSIGN_OR_RETURN(p.name, json::RequiredString(*item, "inferenceProfileName", path));
  BP_ASSIGN_OR_RETURN(p.id, json::RequiredString(*item, "inferenceProfileId", path));
  BP_ASSIGN_OR_RETURN(p.arn, json::RequiredString(*item, "inferenceProfileArn", path));
  BP_ASSIGN_OR_RETURN(p.description, json::OptionalString(*item, "description", path));
  BP_ASSIGN_OR_RETURN(p.model_arns, ModelArns(*item, path));
  return std::optional<LiveProfile>(std::move(p));
}

// {"tags":[{"key","value"}]}; a repeated key keeps its last value.
Result<Tags> ParseTags(const json::Value& doc) {
  BP_ASSIGN_OR_RETURN(const json::Object* obj, json::RequireObject(doc, "$"));
  BP_ASSIGN_OR_RETURN(const json::Array* list, json::OptionalArray(*obj, "tags", "$"));
  Tags tags;
  if (list == nullptr) return tags;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string at = "$.tags[" + std::to_string(i) + "]";
    BP_ASSIGN_OR_RETURN(const json::Object* tag, json::RequireObject((*list)[i], at));
    BP_ASSIGN_OR_RETURN(std::string key, json::RequiredString(*tag, "key", at));
    BP_ASSIGN_OR_RETURN(std::string value, json::RequiredString(*tag, "value", at));
    tags[std::move(key)] = std::move(value);
  }
  return tags;
}

}  // namespace

HttpControlPlane::HttpControlPlane(const BedrockClient& client, HttpControlPlaneOptions options)
    : client_(client),
      options_{.page_size = std::clamp(options.page_size, 1, 1000),
               .max_pages = std::max(options.max_pages, 1)} {}

std::string HttpControlPlane::Describe() const { return client_.Describe(); }

Status HttpControlPlane::Malformed(std::string_view operation, const Status& why) const {
  return Status(ErrorCode::kServiceUnavailable, "malformed " + std::string(operation) +
                                                    " answer from " + client_.Describe() + ": " +
                                                    why.message());
}

Result<Tags> HttpControlPlane::ListTags(const std::string& arn) const {
  BP_ASSIGN_OR_RETURN(json::Value doc,
                      client_.SendJson(PostJson("/listTagsForResource", {{"resourceARN", arn}})));
  Result<Tags> tags = ParseTags(doc);
  if (!tags.ok()) return Malformed(kTagsOp, tags.status());
  return tags;
}

Result<std::vector<LiveProfile>> HttpControlPlane::ListApplicationSummaries() const {
  BP_ASSIGN_OR_RETURN(
      json::Array summaries,
      ListProfileSummaries(client_, "APPLICATION",
                           {.page_size = options_.page_size, .max_pages = options_.max_pages}));
  std::vector<LiveProfile> all;
  for (size_t i = 0; i < summaries.size(); ++i) {
    std::string at = "$.inferenceProfileSummaries[" + std::to_string(i) + "]";
    Result<std::optional<LiveProfile>> p = ParseSummary(summaries[i], at);
    if (!p.ok()) return Malformed(kListOp, p.status());
    if (*p) all.push_back(std::move(**p));
  }
  return all;
}

Result<LiveProfile> HttpControlPlane::GetApplicationProfile(const std::string& identifier) const {
  BP_ASSIGN_OR_RETURN(json::Value doc,
                      client_.SendJson(Call{.method = "GET",
                                            .path = "/inference-profiles/" + UriEncode(identifier),
                                            .query = "",
                                            .body = "",
                                            .idempotency = http::Idempotency::kByMethod}));
  Result<std::optional<LiveProfile>> parsed = ParseSummary(doc, "$");
  if (!parsed.ok()) return Malformed(kGetOp, parsed.status());
  if (!parsed->has_value()) {
    return ValidationError("'" + identifier + "' is a system-defined inference profile, not an " +
                           "application profile");
  }
  return std::move(**parsed);
}

Result<std::vector<LiveProfile>> HttpControlPlane::ListApplicationProfiles() {
  BP_ASSIGN_OR_RETURN(std::vector<LiveProfile> all, ListApplicationSummaries());
  std::vector<LiveProfile> out;
  out.reserve(all.size());
  for (LiveProfile& p : all) {
    Result<Tags> tags = ListTags(p.arn);
    if (!tags.ok() && tags.status().code() == ErrorCode::kResourceNotFound) continue;  // deleted
    if (!tags.ok()) return tags.status();
    p.tags = std::move(tags).value();
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const LiveProfile& a, const LiveProfile& b) {
    return a.name != b.name ? a.name < b.name : a.arn < b.arn;
  });
  return out;
}

Result<std::string> HttpControlPlane::Create(const planner::CreateRequest& request) {
  json::Object body;
  body["inferenceProfileName"] = request.name;
  if (request.description) body["description"] = *request.description;
  if (!request.client_request_token.empty()) {
    body["clientRequestToken"] = request.client_request_token;
  }
  body["modelSource"] = json::Object{{"copyFrom", request.copy_from}};
  if (!request.tags.empty()) body["tags"] = TagList(request.tags);
  Call call = PostJson("/inference-profiles", body);
  call.idempotency = request.client_request_token.empty() ? http::Idempotency::kNotIdempotent
                                                          : http::Idempotency::kIdempotent;
  BP_ASSIGN_OR_RETURN(json::Value doc, client_.SendJson(call));
  auto arn = [&]() -> Result<std::string> {
    BP_ASSIGN_OR_RETURN(const json::Object* obj, json::RequireObject(doc, "$"));
    return json::RequiredString(*obj, "inferenceProfileArn", "$");
  }();
  if (!arn.ok()) return Malformed(kCreateOp, arn.status());
  return arn;
}

Status HttpControlPlane::Delete(const std::string& arn) {
  return client_
      .SendJson(Call{.method = "DELETE",
                     .path = "/inference-profiles/" + UriEncode(arn),
                     .query = "",
                     .body = "",
                     .idempotency = http::Idempotency::kIdempotent})
      .status();
}

Status HttpControlPlane::Tag(const std::string& arn, const Tags& tags) {
  if (tags.empty()) return Status::Ok();
  return client_.SendJson(PostJson("/tagResource", {{"resourceARN", arn}, {"tags", TagList(tags)}}))
      .status();
}

Status HttpControlPlane::Untag(const std::string& arn, const std::vector<std::string>& keys) {
  if (keys.empty()) return Status::Ok();
  json::Array list;
  for (const std::string& k : keys) list.emplace_back(k);
  return client_
      .SendJson(PostJson("/untagResource", {{"resourceARN", arn}, {"tagKeys", std::move(list)}}))
      .status();
}

}  // namespace bp::api::client
