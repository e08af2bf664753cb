#include "catalog/catalog.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "json/json.h"

namespace bp::catalog {

std::string_view BuiltinCatalogJson();  // generated from config/model-catalog.json

namespace {

Result<std::vector<std::string>> StringList(const json::Object& obj, std::string_view key,
                                            const std::string& path, bool required) {
  if (required) return json::RequiredStringArray(obj, key, path);
  BP_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> list,
                      json::OptionalStringArray(obj, key, path));
  return list ? std::move(*list) : std::vector<std::string>();
}

// "prompt_caching": {"min_tokens": n >= 1, "ttls": ["5m"] or ["5m", "1h"]}.
Status ParsePromptCaching(const json::Value& v, const std::string& path, FoundationModel& m) {
  BP_ASSIGN_OR_RETURN(const json::Object* o, json::RequireObject(v, path));
  BP_RETURN_IF_ERROR(json::RejectUnknownKeys(*o, {"min_tokens", "ttls"}, path));
  BP_ASSIGN_OR_RETURN(std::optional<int64_t> min_tokens, json::OptionalInt(*o, "min_tokens", path));
  if (!min_tokens || *min_tokens < 1) {
    return ValidationError(path + ".min_tokens: expected an integer of at least 1");
  }
  BP_ASSIGN_OR_RETURN(m.prompt_cache_ttls, json::RequiredStringArray(*o, "ttls", path));
  const std::vector<std::string>& ttls = m.prompt_cache_ttls;
  if (ttls != std::vector<std::string>{"5m"} && ttls != std::vector<std::string>{"5m", "1h"}) {
    return ValidationError(path + ".ttls: expected [\"5m\"] or [\"5m\", \"1h\"]");
  }
  m.prompt_cache_min_tokens = *min_tokens;
  return Status::Ok();
}

Result<FoundationModel> ParseModel(const json::Value& v, const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Object* o, json::RequireObject(v, path));
  BP_RETURN_IF_ERROR(json::RejectUnknownKeys(
      *o,
      {"model_id", "model_name", "provider_name", "api_model_name", "regions", "input_modalities",
       "output_modalities", "customizations", "inference_types", "response_streaming",
       "lifecycle_status", "reasoning", "prompt_caching"},
      path));
  FoundationModel m;
  BP_ASSIGN_OR_RETURN(m.model_id, json::RequiredString(*o, "model_id", path));
  BP_ASSIGN_OR_RETURN(m.model_name, json::RequiredString(*o, "model_name", path));
  BP_ASSIGN_OR_RETURN(m.provider_name, json::RequiredString(*o, "provider_name", path));
  BP_ASSIGN_OR_RETURN(auto api_name, json::OptionalString(*o, "api_model_name", path));
  m.api_model_name = api_name.value_or(m.model_id);
  BP_ASSIGN_OR_RETURN(m.regions, StringList(*o, "regions", path, true));
  BP_ASSIGN_OR_RETURN(m.input_modalities, StringList(*o, "input_modalities", path, true));
  BP_ASSIGN_OR_RETURN(m.output_modalities, StringList(*o, "output_modalities", path, true));
  BP_ASSIGN_OR_RETURN(m.customizations, StringList(*o, "customizations", path, false));
  BP_ASSIGN_OR_RETURN(m.inference_types, StringList(*o, "inference_types", path, true));
  if (const json::Value* s = o->if_contains("response_streaming")) {
    if (!s->is_bool()) return ValidationError(path + ".response_streaming: expected a boolean");
    m.response_streaming = s->get_bool();
  }
  BP_ASSIGN_OR_RETURN(auto status, json::OptionalString(*o, "lifecycle_status", path));
  m.lifecycle_status = status.value_or("ACTIVE");
  if (m.lifecycle_status != "ACTIVE" && m.lifecycle_status != "LEGACY") {
    return ValidationError(path + ".lifecycle_status: expected ACTIVE or LEGACY");
  }
  if (const json::Value* r = o->if_contains("reasoning")) {
    if (!r->is_bool()) return ValidationError(path + ".reasoning: expected a boolean");
    m.reasoning = r->get_bool();
  }
  if (m.regions.empty()) return ValidationError(path + ".regions must not be empty");
  if (const json::Value* c = o->if_contains("prompt_caching")) {
    BP_RETURN_IF_ERROR(ParsePromptCaching(*c, path + ".prompt_caching", m));
  }
  return m;
}

Result<SystemProfile> ParseSystemProfile(const json::Value& v, const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Object* o, json::RequireObject(v, path));
  BP_RETURN_IF_ERROR(json::RejectUnknownKeys(
      *o, {"id", "name", "description", "model_id", "regions", "created_at"}, path));
  SystemProfile p;
  BP_ASSIGN_OR_RETURN(p.id, json::RequiredString(*o, "id", path));
  BP_ASSIGN_OR_RETURN(p.name, json::RequiredString(*o, "name", path));
  BP_ASSIGN_OR_RETURN(p.description, json::RequiredString(*o, "description", path));
  BP_ASSIGN_OR_RETURN(p.model_id, json::RequiredString(*o, "model_id", path));
  BP_ASSIGN_OR_RETURN(p.regions, StringList(*o, "regions", path, true));
  BP_ASSIGN_OR_RETURN(p.created_at, json::RequiredString(*o, "created_at", path));
  return p;
}

// Where each entry of a merged catalog came from: its JSON path in the file,
// or empty for an entry of the catalog merged over.
struct Origins {
  std::vector<std::string> models;
  std::vector<std::string> profiles;
};

size_t IndexOf(const std::vector<FoundationModel>& models, std::string_view id) {
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i].model_id == id) return i;
  }
  return models.size();
}

size_t IndexOf(const std::vector<SystemProfile>& profiles, std::string_view id) {
  for (size_t i = 0; i < profiles.size(); ++i) {
    if (profiles[i].id == id) return i;
  }
  return profiles.size();
}

// Every system profile names a known model served in each of its regions.
// Only file entries can break this (the base catalog was checked), so the
// error points at the file's profile or, for a base profile, at the file's
// model entry that no longer covers it.
Status CheckRouting(const std::vector<FoundationModel>& models,
                    const std::vector<SystemProfile>& profiles, const Origins& origins) {
  for (size_t j = 0; j < profiles.size(); ++j) {
    const SystemProfile& p = profiles[j];
    size_t m = IndexOf(models, p.model_id);
    if (m == models.size()) {
      return ValidationError(origins.profiles[j] + ".model_id: unknown model " + p.model_id);
    }
    for (const std::string& region : p.regions) {
      const std::vector<std::string>& served = models[m].regions;
      if (std::find(served.begin(), served.end(), region) != served.end()) continue;
      if (!origins.profiles[j].empty()) {
        return ValidationError(origins.profiles[j] + ".regions: " + p.model_id +
                               " is not served in " + region);
      }
      return ValidationError(origins.models[m] + ".regions: " + region +
                             " is missing, but the system profile " + p.id + " routes " +
                             p.model_id + " there");
    }
  }
  return Status::Ok();
}

// JSON text of a string, escaped as JSON requires.
std::string Quote(std::string_view s) { return json::Serialize(json::Value(s)); }

std::string QuoteList(const std::vector<std::string>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + Quote(list[i]);
  return out + "]";
}

// One object of the file: "    {\n      \"key\": value,\n ... \n    }".
std::string ObjectText(const std::vector<std::pair<std::string_view, std::string>>& members) {
  std::string out = "    {\n";
  for (size_t i = 0; i < members.size(); ++i) {
    out += "      " + Quote(members[i].first) + ": " + members[i].second;
    out += i + 1 < members.size() ? ",\n" : "\n";
  }
  return out + "    }";
}

std::string ModelText(const FoundationModel& m) {
  std::vector<std::pair<std::string_view, std::string>> members = {
      {"model_id", Quote(m.model_id)},
      {"model_name", Quote(m.model_name)},
      {"provider_name", Quote(m.provider_name)},
      {"api_model_name", Quote(m.api_model_name)},
      {"regions", QuoteList(m.regions)},
      {"input_modalities", QuoteList(m.input_modalities)},
      {"output_modalities", QuoteList(m.output_modalities)}};
  if (!m.customizations.empty())
    members.emplace_back("customizations", QuoteList(m.customizations));
  members.emplace_back("inference_types", QuoteList(m.inference_types));
  members.emplace_back("response_streaming", m.response_streaming ? "true" : "false");
  members.emplace_back("lifecycle_status", Quote(m.lifecycle_status));
  if (m.reasoning) members.emplace_back("reasoning", "true");
  if (m.prompt_cache_min_tokens > 0) {
    members.emplace_back("prompt_caching",
                         "{\"min_tokens\": " + std::to_string(m.prompt_cache_min_tokens) +
                             ", \"ttls\": " + QuoteList(m.prompt_cache_ttls) + "}");
  }
  return ObjectText(members);
}

std::string ProfileText(const SystemProfile& p) {
  return ObjectText({{"id", Quote(p.id)},
                     {"name", Quote(p.name)},
                     {"description", Quote(p.description)},
                     {"model_id", Quote(p.model_id)},
                     {"regions", QuoteList(p.regions)},
                     {"created_at", Quote(p.created_at)}});
}

template <class T, class F>
std::string SectionText(std::string_view name, const std::vector<T>& items, F text) {
  std::string out = "  " + Quote(name) + ": [";
  if (items.empty()) return out + "]";
  out += "\n";
  for (size_t i = 0; i < items.size(); ++i) {
    out += text(items[i]);
    out += i + 1 < items.size() ? ",\n" : "\n";
  }
  return out + "  ]";
}

}  // namespace

// The entries of one catalog file, as written (ids unique within the file).
struct Catalog::Entries {
  std::vector<FoundationModel> models;
  std::vector<SystemProfile> profiles;

  static Result<Entries> Parse(std::string_view json_text, bool sections_required) {
    BP_ASSIGN_OR_RETURN(json::Value doc, json::Parse(json_text));
    BP_ASSIGN_OR_RETURN(const json::Object* root, json::RequireObject(doc, "$"));
    BP_RETURN_IF_ERROR(
        json::RejectUnknownKeys(*root, {"foundation_models", "system_profiles"}, "$"));
    Entries entries;
    BP_ASSIGN_OR_RETURN(const json::Array* models,
                        json::OptionalArray(*root, "foundation_models", "$"));
    BP_ASSIGN_OR_RETURN(const json::Array* profiles,
                        json::OptionalArray(*root, "system_profiles", "$"));
    if (sections_required && models == nullptr) {
      return ValidationError("$.foundation_models is required");
    }
    if (sections_required && profiles == nullptr) {
      return ValidationError("$.system_profiles is required");
    }
    for (size_t i = 0; models != nullptr && i < models->size(); ++i) {
      std::string path = "$.foundation_models[" + std::to_string(i) + "]";
      BP_ASSIGN_OR_RETURN(FoundationModel m, ParseModel((*models)[i], path));
      if (IndexOf(entries.models, m.model_id) != entries.models.size()) {
        return ValidationError(path + ".model_id: duplicate model_id " + m.model_id);
      }
      entries.models.push_back(std::move(m));
    }
    for (size_t i = 0; profiles != nullptr && i < profiles->size(); ++i) {
      std::string path = "$.system_profiles[" + std::to_string(i) + "]";
      BP_ASSIGN_OR_RETURN(SystemProfile p, ParseSystemProfile((*profiles)[i], path));
      if (IndexOf(entries.profiles, p.id) != entries.profiles.size()) {
        return ValidationError(path + ".id: duplicate id " + p.id);
      }
      entries.profiles.push_back(std::move(p));
    }
    return entries;
  }
};

Result<Catalog> Catalog::MergeEntries(Entries entries) const {
  Catalog merged = *this;
  Origins origins{std::vector<std::string>(merged.models_.size()),
                  std::vector<std::string>(merged.system_profiles_.size())};
  for (size_t i = 0; i < entries.models.size(); ++i) {
    std::string path = "$.foundation_models[" + std::to_string(i) + "]";
    size_t at = IndexOf(merged.models_, entries.models[i].model_id);
    if (at == merged.models_.size()) {
      merged.models_.push_back(std::move(entries.models[i]));
      origins.models.push_back(std::move(path));
    } else {
      merged.models_[at] = std::move(entries.models[i]);
      origins.models[at] = std::move(path);
    }
  }
  for (size_t i = 0; i < entries.profiles.size(); ++i) {
    std::string path = "$.system_profiles[" + std::to_string(i) + "]";
    size_t at = IndexOf(merged.system_profiles_, entries.profiles[i].id);
    if (at == merged.system_profiles_.size()) {
      merged.system_profiles_.push_back(std::move(entries.profiles[i]));
      origins.profiles.push_back(std::move(path));
    } else {
      merged.system_profiles_[at] = std::move(entries.profiles[i]);
      origins.profiles[at] = std::move(path);
    }
  }
  BP_RETURN_IF_ERROR(CheckRouting(merged.models_, merged.system_profiles_, origins));
  return merged;
}

Result<Catalog> Catalog::Parse(std::string_view json_text, std::string_view origin) {
  Result<Catalog> catalog = [&]() -> Result<Catalog> {
    BP_ASSIGN_OR_RETURN(Entries entries, Entries::Parse(json_text, /*sections_required=*/true));
    return Catalog().MergeEntries(std::move(entries));
  }();
  if (!catalog.ok()) return Status(catalog.status()).Annotate(origin);
  return catalog;
}

Result<Catalog> Catalog::Merge(std::string_view json_text) const {
  BP_ASSIGN_OR_RETURN(Entries entries, Entries::Parse(json_text, /*sections_required=*/false));
  return MergeEntries(std::move(entries));
}

Result<Catalog> Catalog::Builtin() { return Parse(BuiltinCatalogJson(), "built-in model catalog"); }

std::string Catalog::ToJson() const {
  return "{\n" + SectionText("foundation_models", models_, ModelText) + ",\n" +
         SectionText("system_profiles", system_profiles_, ProfileText) + "\n}\n";
}

Catalog Catalog::WithCapabilitiesFrom(const Catalog& known) const {
  Catalog out = *this;
  for (FoundationModel& m : out.models_) {
    const FoundationModel* k = known.FindModel(m.model_id);
    if (k == nullptr) continue;
    m.reasoning = k->reasoning;
    m.prompt_cache_min_tokens = k->prompt_cache_min_tokens;
    m.prompt_cache_ttls = k->prompt_cache_ttls;
  }
  return out;
}

const FoundationModel* Catalog::FindModel(std::string_view model_id) const {
  for (const FoundationModel& m : models_) {
    if (m.model_id == model_id) return &m;
  }
  return nullptr;
}

const SystemProfile* Catalog::FindSystemProfile(std::string_view id) const {
  for (const SystemProfile& p : system_profiles_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::string_view Catalog::Geography(std::string_view region) {
  size_t dash = region.find('-');
  return dash == std::string_view::npos ? std::string_view() : region.substr(0, dash);
}

}  // namespace bp::catalog
