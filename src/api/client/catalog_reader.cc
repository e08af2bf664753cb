#include "api/client/catalog_reader.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "api/client/profile_pages.h"
#include "core/arn.h"
#include "core/clock.h"
#include "core/uri.h"

namespace bp::api::client {

namespace {

constexpr std::string_view kModelsOp = "ListFoundationModels";
constexpr std::string_view kProfilesOp = "ListInferenceProfiles";

json::Array StringArray(const std::vector<std::string>& items) {
  json::Array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

Result<json::Array> OptionalList(const json::Object& obj, std::string_view key,
                                 const std::string& path) {
  BP_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> list,
                      json::OptionalStringArray(obj, key, path));
  return StringArray(list.value_or(std::vector<std::string>()));
}

// "anthropic.claude-haiku-4-5-20251001-v1:0" -> "claude-haiku-4-5-20251001".
std::string ApiModelName(const std::string& model_id) {
  constexpr std::string_view kPrefix = "anthropic.";
  if (!model_id.starts_with(kPrefix)) return model_id;
  std::string name = model_id.substr(kPrefix.size());
  size_t v = name.rfind("-v");
  if (v != std::string::npos) {
    std::string_view version = std::string_view(name).substr(v + 2);
    size_t colon = version.find(':');
    auto digits = [](std::string_view s) {
      return !s.empty() &&
             std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (colon != std::string_view::npos && digits(version.substr(0, colon)) &&
        digits(version.substr(colon + 1))) {
      name.resize(v);
    }
  }
  return name;
}

// One model summary in the catalog file's form, regions still to be filled.
Result<json::Object> ModelEntry(const json::Value& value, const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Object* m, json::RequireObject(value, path));
  json::Object out;
  BP_ASSIGN_OR_RETURN(std::string id, json::RequiredString(*m, "modelId", path));
  BP_ASSIGN_OR_RETURN(std::optional<std::string> name, json::OptionalString(*m, "modelName", path));
  BP_ASSIGN_OR_RETURN(std::optional<std::string> provider,
                      json::OptionalString(*m, "providerName", path));
  out["model_id"] = id;
  out["model_name"] = name.value_or(id);
  out["provider_name"] = provider.value_or("");
  out["api_model_name"] = ApiModelName(id);
  out["regions"] = json::Array();
  BP_ASSIGN_OR_RETURN(out["input_modalities"], OptionalList(*m, "inputModalities", path));
  BP_ASSIGN_OR_RETURN(out["output_modalities"], OptionalList(*m, "outputModalities", path));
  BP_ASSIGN_OR_RETURN(out["customizations"], OptionalList(*m, "customizationsSupported", path));
  BP_ASSIGN_OR_RETURN(out["inference_types"], OptionalList(*m, "inferenceTypesSupported", path));
  bool streaming = true;
  if (const json::Value* s = m->if_contains("responseStreamingSupported")) {
    if (!s->is_bool() && !s->is_null()) {
      return ValidationError(path + ".responseStreamingSupported: expected a boolean");
    }
    if (s->is_bool()) streaming = s->get_bool();
  }
  out["response_streaming"] = streaming;
  std::string status = "ACTIVE";
  if (const json::Value* lifecycle = m->if_contains("modelLifecycle")) {
    BP_ASSIGN_OR_RETURN(const json::Object* l,
                        json::RequireObject(*lifecycle, path + ".modelLifecycle"));
    BP_ASSIGN_OR_RETURN(std::optional<std::string> s,
                        json::OptionalString(*l, "status", path + ".modelLifecycle"));
    status = s.value_or("ACTIVE");
  }
  out["lifecycle_status"] = status;
  return out;
}

// createdAt as RFC 3339: kept when a string, converted from epoch seconds.
Result<std::string> CreatedAt(const json::Object& p, const std::string& path) {
  const json::Value* v = p.if_contains("createdAt");
  if (v == nullptr || v->is_null()) return std::string("1970-01-01T00:00:00Z");
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_number()) {
    double seconds = v->to_number<double>();
    std::string text = FormatRfc3339(FromUnixMillis(static_cast<int64_t>(seconds * 1000)));
    if (text.ends_with(".000Z")) text.replace(text.size() - 5, 5, "Z");  // whole seconds
    return text;
  }
  return ValidationError(path + ".createdAt: expected a date-time string or epoch seconds");
}

struct ProfileEntry {
  json::Object fields;
  std::string model_id;
  std::vector<std::string> regions;
};

// One system profile summary; nullopt when it is to be skipped.
Result<std::optional<ProfileEntry>> ParseProfile(const json::Value& value, const std::string& path,
                                                 const CatalogReadOptions& options) {
  BP_ASSIGN_OR_RETURN(const json::Object* p, json::RequireObject(value, path));
  BP_ASSIGN_OR_RETURN(std::optional<std::string> type, json::OptionalString(*p, "type", path));
  if (type && *type != "SYSTEM_DEFINED") return std::optional<ProfileEntry>();
  ProfileEntry entry;
  BP_ASSIGN_OR_RETURN(std::string id, json::RequiredString(*p, "inferenceProfileId", path));
  BP_ASSIGN_OR_RETURN(std::string name, json::RequiredString(*p, "inferenceProfileName", path));
  BP_ASSIGN_OR_RETURN(std::optional<std::string> description,
                      json::OptionalString(*p, "description", path));
  BP_ASSIGN_OR_RETURN(const json::Array* models, json::OptionalArray(*p, "models", path));
  for (size_t i = 0; models != nullptr && i < models->size(); ++i) {
    std::string at = path + ".models[" + std::to_string(i) + "]";
    BP_ASSIGN_OR_RETURN(const json::Object* m, json::RequireObject((*models)[i], at));
    BP_ASSIGN_OR_RETURN(std::string arn_text, json::RequiredString(*m, "modelArn", at));
    Result<Arn> arn = Arn::Parse(arn_text);
    if (!arn.ok() || ClassifyBedrockArn(*arn) != BedrockResourceKind::kFoundationModel) {
      return ValidationError(at + ".modelArn: '" + arn_text + "' is not a foundation-model ARN");
    }
    std::string model(arn->ResourceId());
    if (!entry.model_id.empty() && entry.model_id != model) return std::optional<ProfileEntry>();
    entry.model_id = std::move(model);
    if (!options.geography.empty() && catalog::Catalog::Geography(arn->region) != options.geography)
      return std::optional<ProfileEntry>();
    if (std::find(entry.regions.begin(), entry.regions.end(), arn->region) == entry.regions.end())
      entry.regions.push_back(arn->region);
  }
  if (entry.model_id.empty()) return std::optional<ProfileEntry>();
  BP_ASSIGN_OR_RETURN(std::string created_at, CreatedAt(*p, path));
  entry.fields["id"] = id;
  entry.fields["name"] = name;
  entry.fields["description"] = description.value_or("");
  entry.fields["model_id"] = entry.model_id;
  entry.fields["regions"] = StringArray(entry.regions);
  entry.fields["created_at"] = created_at;
  return std::optional<ProfileEntry>(std::move(entry));
}

Status Malformed(std::string_view operation, const BedrockClient& client, const Status& why) {
  return Status(ErrorCode::kServiceUnavailable, "malformed " + std::string(operation) +
                                                    " answer from " + client.Describe() + ": " +
                                                    why.message());
}

}  // namespace

Result<CatalogRead> CatalogFromAnswers(const json::Value& models_answer,
                                       const json::Array& profile_summaries,
                                       std::string_view signing_region,
                                       const CatalogReadOptions& options) {
  BP_ASSIGN_OR_RETURN(const json::Object* root, json::RequireObject(models_answer, "$"));
  BP_ASSIGN_OR_RETURN(const json::Array* summaries,
                      json::OptionalArray(*root, "modelSummaries", "$"));
  std::vector<json::Object> models;
  std::map<std::string, size_t, std::less<>> model_index;
  for (size_t i = 0; summaries != nullptr && i < summaries->size(); ++i) {
    BP_ASSIGN_OR_RETURN(json::Object m,
                        ModelEntry((*summaries)[i], "$.modelSummaries[" + std::to_string(i) + "]"));
    std::string id(m["model_id"].as_string());
    if (model_index.emplace(id, models.size()).second) models.push_back(std::move(m));
  }

  CatalogRead read;
  std::vector<ProfileEntry> profiles;
  std::vector<std::set<std::string>> regions(models.size());
  for (size_t i = 0; i < profile_summaries.size(); ++i) {
    std::string path = "$.inferenceProfileSummaries[" + std::to_string(i) + "]";
    BP_ASSIGN_OR_RETURN(std::optional<ProfileEntry> p,
                        ParseProfile(profile_summaries[i], path, options));
    auto model = p ? model_index.find(p->model_id) : model_index.end();
    if (model == model_index.end()) {
      ++read.skipped_profiles;
      continue;
    }
    regions[model->second].insert(p->regions.begin(), p->regions.end());
    profiles.push_back(std::move(*p));
  }
  // Profiles in the order of their model, then by id.
  std::stable_sort(profiles.begin(), profiles.end(),
                   [&](const ProfileEntry& a, const ProfileEntry& b) {
                     size_t ma = model_index.find(a.model_id)->second;
                     size_t mb = model_index.find(b.model_id)->second;
                     if (ma != mb) return ma < mb;
                     return a.fields.at("id").as_string() < b.fields.at("id").as_string();
                   });

  json::Array model_list;
  for (size_t i = 0; i < models.size(); ++i) {
    std::vector<std::string> served(regions[i].begin(), regions[i].end());
    if (served.empty()) served.emplace_back(signing_region);
    models[i]["regions"] = StringArray(served);
    model_list.emplace_back(std::move(models[i]));
  }
  json::Array profile_list;
  for (ProfileEntry& p : profiles) profile_list.emplace_back(std::move(p.fields));
  json::Object file{{"foundation_models", std::move(model_list)},
                    {"system_profiles", std::move(profile_list)}};
  BP_ASSIGN_OR_RETURN(read.catalog,
                      catalog::Catalog::Parse(json::Serialize(file), "the endpoint's catalog"));
  return read;
}

Result<CatalogRead> ReadCatalog(const BedrockClient& client, const CatalogReadOptions& options) {
  std::string models_query;
  if (options.provider) models_query = "byProvider=" + UriEncode(*options.provider);
  BP_ASSIGN_OR_RETURN(json::Value models,
                      client.SendJson(Call{.method = "GET",
                                           .path = "/foundation-models",
                                           .query = std::move(models_query),
                                           .body = "",
                                           .idempotency = http::Idempotency::kByMethod}));
  BP_ASSIGN_OR_RETURN(
      json::Array summaries,
      ListProfileSummaries(client, "SYSTEM_DEFINED",
                           {.page_size = options.page_size, .max_pages = options.max_pages}));
  Result<CatalogRead> read =
      CatalogFromAnswers(models, summaries, client.signing_region(), options);
  if (!read.ok()) {
    bool models_error = read.status().message().starts_with("$.modelSummaries");
    return Malformed(models_error ? kModelsOp : kProfilesOp, client, read.status());
  }
  return read;
}

}  // namespace bp::api::client
