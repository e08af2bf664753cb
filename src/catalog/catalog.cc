#include "catalog/catalog.h"

#include <algorithm>
#include <optional>
#include <utility>

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

Result<FoundationModel> ParseModel(const json::Value& v, const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Object* o, json::RequireObject(v, path));
  BP_RETURN_IF_ERROR(
      json::RejectUnknownKeys(*o,
                              {"model_id", "model_name", "provider_name", "api_model_name",
                               "regions", "input_modalities", "output_modalities", "customizations",
                               "inference_types", "response_streaming", "lifecycle_status"},
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
  if (m.regions.empty()) return ValidationError(path + ".regions must not be empty");
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

}  // namespace

Result<Catalog> Catalog::Parse(std::string_view json_text, std::string_view origin) {
  auto annotate = [&](Status s) { return std::move(s).Annotate(origin); };
  auto doc = json::Parse(json_text);
  if (!doc.ok()) return annotate(doc.status());
  auto root = json::RequireObject(*doc, "$");
  if (!root.ok()) return annotate(root.status());
  Status unknown = json::RejectUnknownKeys(**root, {"foundation_models", "system_profiles"}, "$");
  if (!unknown.ok()) return annotate(unknown);

  Catalog catalog;
  for (const char* section : {"foundation_models", "system_profiles"}) {
    auto arr = json::OptionalArray(**root, section, "$");
    if (!arr.ok()) return annotate(arr.status());
    if (*arr == nullptr)
      return annotate(ValidationError(std::string("$.") + section + " is required"));
    for (size_t i = 0; i < (*arr)->size(); ++i) {
      std::string path = std::string("$.") + section + "[" + std::to_string(i) + "]";
      if (section[0] == 'f') {
        auto m = ParseModel((**arr)[i], path);
        if (!m.ok()) return annotate(m.status());
        if (catalog.FindModel(m->model_id) != nullptr) {
          return annotate(ValidationError(path + ": duplicate model_id " + m->model_id));
        }
        catalog.models_.push_back(std::move(*m));
      } else {
        auto p = ParseSystemProfile((**arr)[i], path);
        if (!p.ok()) return annotate(p.status());
        const FoundationModel* model = catalog.FindModel(p->model_id);
        if (model == nullptr) {
          return annotate(ValidationError(path + ".model_id: unknown model " + p->model_id));
        }
        for (const std::string& region : p->regions) {
          if (std::find(model->regions.begin(), model->regions.end(), region) ==
              model->regions.end()) {
            return annotate(
                ValidationError(path + ".regions: " + p->model_id + " is not served in " + region));
          }
        }
        catalog.system_profiles_.push_back(std::move(*p));
      }
    }
  }
  return catalog;
}

Result<Catalog> Catalog::Builtin() { return Parse(BuiltinCatalogJson(), "built-in model catalog"); }

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
