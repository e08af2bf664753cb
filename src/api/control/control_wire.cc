#include "api/control/control_wire.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "api/control/validation.h"
#include "core/uri.h"

namespace bp::api::control::wire {

namespace {

Status TypeError(std::string_view member, std::string_view expected, const json::Value& got) {
  return ValidationError("1 validation error detected: Value at '" + std::string(member) +
                         "' failed to satisfy constraint: Member must be " + std::string(expected) +
                         ", not " + std::string(json::KindName(got)));
}

Status Missing(std::string_view member) {
  Violations v;
  v.AddMissing(member);
  return v.ToStatus();
}

std::string Join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Rejects members of `obj` outside `allowed`; `where` names the object.
Status OnlyMembers(const json::Object& obj, std::initializer_list<std::string_view> allowed,
                   std::string_view where) {
  for (const auto& m : obj) {
    if (std::find(allowed.begin(), allowed.end(), m.key()) == allowed.end()) {
      return ValidationError("Unknown member '" + std::string(m.key()) + "' in " +
                             std::string(where) + " (expected " + Join(allowed) + ")");
    }
  }
  return Status::Ok();
}

// The body as a JSON object with only `allowed` members.
Result<json::Value> ParseBody(std::string_view body,
                              std::initializer_list<std::string_view> allowed) {
  if (body.empty()) return ValidationError("The request body is empty; expected a JSON object");
  Result<json::Value> doc = json::Parse(body);
  if (!doc.ok())
    return ValidationError("The request body is not valid JSON: " + doc.status().message());
  if (!doc->is_object()) {
    return ValidationError("The request body must be a JSON object, not " +
                           std::string(json::KindName(*doc)));
  }
  BP_RETURN_IF_ERROR(OnlyMembers(doc->get_object(), allowed, "the request body"));
  return doc;
}

// A member that may be absent (or null).
Result<std::optional<std::string>> OptString(const json::Object& obj, std::string_view key,
                                             std::string_view member) {
  const json::Value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return TypeError(member, "a string", *v);
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::string> ReqString(const json::Object& obj, std::string_view key,
                              std::string_view member) {
  BP_ASSIGN_OR_RETURN(std::optional<std::string> s, OptString(obj, key, member));
  if (!s) return Missing(member);
  return std::move(*s);
}

// An optional list member; nullptr when absent or null.
Result<const json::Array*> OptArray(const json::Object& obj, std::string_view key) {
  const json::Value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return static_cast<const json::Array*>(nullptr);
  if (!v->is_array()) return TypeError(key, "a list", *v);
  return &v->get_array();
}

Result<std::vector<Tag>> ParseTags(const json::Object& obj, bool required) {
  BP_ASSIGN_OR_RETURN(const json::Array* arr, OptArray(obj, "tags"));
  std::vector<Tag> tags;
  if (arr == nullptr) {
    if (required) return Missing("tags");
    return tags;
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string member = "tags." + std::to_string(i + 1) + ".member";
    const json::Value& item = (*arr)[i];
    if (!item.is_object()) return TypeError(member, "a Tag object {key, value}", item);
    const json::Object& o = item.get_object();
    BP_RETURN_IF_ERROR(OnlyMembers(o, {"key", "value"}, "'" + member + "'"));
    Tag tag;
    BP_ASSIGN_OR_RETURN(tag.key, ReqString(o, "key", member + ".key"));
    BP_ASSIGN_OR_RETURN(tag.value, ReqString(o, "value", member + ".value"));
    tags.push_back(std::move(tag));
  }
  return tags;
}

Result<std::string> ParseCopyFrom(const json::Object& obj) {
  const json::Value* source = obj.if_contains("modelSource");
  if (source == nullptr || source->is_null()) return Missing("modelSource");
  if (!source->is_object()) return TypeError("modelSource", "an object", *source);
  const json::Object& o = source->get_object();
  if (o.size() != 1 || !o.contains("copyFrom")) {
    return ValidationError("modelSource must have exactly one member, copyFrom (got " +
                           std::to_string(o.size()) + " members)");
  }
  return ReqString(o, "copyFrom", "modelSource.copyFrom");
}

Result<std::vector<std::pair<std::string, std::string>>> Query(std::string_view raw) {
  auto params = ParseQuery(raw);
  if (!params.ok()) return ValidationError("Malformed query string: " + params.status().message());
  return params;
}

std::optional<std::string> First(const std::vector<std::pair<std::string, std::string>>& params,
                                 std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return std::nullopt;
}

json::Array Strings(const std::vector<std::string>& items) {
  json::Array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

}  // namespace

Result<CreateInput> ParseCreateRequest(std::string_view body) {
  BP_ASSIGN_OR_RETURN(json::Value doc,
                      ParseBody(body, {"inferenceProfileName", "description", "clientRequestToken",
                                       "modelSource", "tags"}));
  const json::Object& o = doc.get_object();
  CreateInput in;
  BP_ASSIGN_OR_RETURN(in.name, ReqString(o, "inferenceProfileName", "inferenceProfileName"));
  BP_ASSIGN_OR_RETURN(in.description, OptString(o, "description", "description"));
  BP_ASSIGN_OR_RETURN(in.client_token, OptString(o, "clientRequestToken", "clientRequestToken"));
  BP_ASSIGN_OR_RETURN(in.copy_from, ParseCopyFrom(o));
  BP_ASSIGN_OR_RETURN(in.tags, ParseTags(o, /*required=*/false));
  return in;
}

Result<TagRequest> ParseTagRequest(std::string_view body) {
  BP_ASSIGN_OR_RETURN(json::Value doc, ParseBody(body, {"resourceARN", "tags"}));
  const json::Object& o = doc.get_object();
  TagRequest r;
  BP_ASSIGN_OR_RETURN(r.resource_arn, ReqString(o, "resourceARN", "resourceARN"));
  BP_ASSIGN_OR_RETURN(r.tags, ParseTags(o, /*required=*/true));
  return r;
}

Result<UntagRequest> ParseUntagRequest(std::string_view body) {
  BP_ASSIGN_OR_RETURN(json::Value doc, ParseBody(body, {"resourceARN", "tagKeys"}));
  const json::Object& o = doc.get_object();
  UntagRequest r;
  BP_ASSIGN_OR_RETURN(r.resource_arn, ReqString(o, "resourceARN", "resourceARN"));
  BP_ASSIGN_OR_RETURN(const json::Array* keys, OptArray(o, "tagKeys"));
  if (keys == nullptr) return Missing("tagKeys");
  for (size_t i = 0; i < keys->size(); ++i) {
    const json::Value& k = (*keys)[i];
    if (!k.is_string())
      return TypeError("tagKeys." + std::to_string(i + 1) + ".member", "a string", k);
    r.tag_keys.emplace_back(k.get_string());
  }
  return r;
}

Result<std::string> ParseListTagsRequest(std::string_view body) {
  BP_ASSIGN_OR_RETURN(json::Value doc, ParseBody(body, {"resourceARN"}));
  return ReqString(doc.get_object(), "resourceARN", "resourceARN");
}

Result<ListInput> ParseListProfilesQuery(std::string_view raw_query) {
  BP_ASSIGN_OR_RETURN(auto params, Query(raw_query));
  ListInput in;
  in.type = First(params, "type");
  in.next_token = First(params, "nextToken");
  if (std::optional<std::string> max = First(params, "maxResults")) {
    int64_t n = 0;
    const char* end = max->data() + max->size();
    auto [ptr, ec] = std::from_chars(max->data(), end, n);
    if (ec == std::errc::result_out_of_range) {
      n = (*max)[0] == '-' ? INT64_MIN : INT64_MAX;  // reported as out of range
    } else if (ec != std::errc() || ptr != end) {
      Violations v;
      v.Add(*max, "maxResults", "Member must be an integer");
      return v.ToStatus();
    }
    in.max_results = n;
  }
  return in;
}

Result<ModelFilter> ParseModelFilterQuery(std::string_view raw_query) {
  BP_ASSIGN_OR_RETURN(auto params, Query(raw_query));
  return ModelFilter{.by_provider = First(params, "byProvider"),
                     .by_customization_type = First(params, "byCustomizationType"),
                     .by_output_modality = First(params, "byOutputModality"),
                     .by_inference_type = First(params, "byInferenceType")};
}

json::Object ProfileJson(const InferenceProfile& p) {
  json::Object o;
  o["inferenceProfileName"] = p.name;
  if (p.description) o["description"] = *p.description;
  o["createdAt"] = p.created_at;
  o["updatedAt"] = p.updated_at;
  o["inferenceProfileArn"] = p.arn;
  json::Array models;
  for (const std::string& arn : p.model_arns) models.emplace_back(json::Object{{"modelArn", arn}});
  o["models"] = std::move(models);
  o["inferenceProfileId"] = p.id;
  o["status"] = "ACTIVE";
  o["type"] = ProfileTypeName(p.type);
  return o;
}

json::Object ListProfilesJson(const ListPage& page) {
  json::Array items;
  for (const InferenceProfile& p : page.profiles) items.emplace_back(ProfileJson(p));
  json::Object o;
  o["inferenceProfileSummaries"] = std::move(items);
  if (page.next_token) o["nextToken"] = *page.next_token;
  return o;
}

json::Object TagsJson(const Tags& tags) {
  json::Array items;
  for (const auto& [key, value] : tags)
    items.emplace_back(json::Object{{"key", key}, {"value", value}});
  return json::Object{{"tags", std::move(items)}};
}

json::Object ModelJson(const FoundationModelInfo& info) {
  const catalog::FoundationModel& m = info.model;
  json::Object o;
  o["modelArn"] = info.arn;
  o["modelId"] = m.model_id;
  o["modelName"] = m.model_name;
  o["providerName"] = m.provider_name;
  o["inputModalities"] = Strings(m.input_modalities);
  o["outputModalities"] = Strings(m.output_modalities);
  o["responseStreamingSupported"] = m.response_streaming;
  o["customizationsSupported"] = Strings(m.customizations);
  o["inferenceTypesSupported"] = Strings(m.inference_types);
  o["modelLifecycle"] = json::Object{{"status", m.lifecycle_status}};
  return o;
}

}  // namespace bp::api::control::wire
