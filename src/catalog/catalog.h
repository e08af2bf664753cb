#pragma once
// The model catalog: foundation models per region and the system-defined
// (cross-region) inference profiles, loaded from data (config/model-catalog.json,
// built into the binary). Adding a model is one entry in that file.
// Immutable after load; thread-safe to share. Public header of bp_catalog.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace bp::catalog {

struct FoundationModel {
  std::string model_id;        // "anthropic.claude-haiku-4-5-20251001-v1:0"
  std::string model_name;      // "Claude Haiku 4.5"
  std::string provider_name;   // "Anthropic"
  std::string api_model_name;  // Anthropic-style name for responses: "claude-haiku-4-5-20251001"
  std::vector<std::string> regions;            // where it is served
  std::vector<std::string> input_modalities;   // "TEXT", "IMAGE"
  std::vector<std::string> output_modalities;  // "TEXT"
  std::vector<std::string> customizations;     // usually empty
  std::vector<std::string> inference_types;    // e.g. "INFERENCE_PROFILE"
  bool response_streaming = true;
  std::string lifecycle_status = "ACTIVE";  // ACTIVE | LEGACY
};

struct SystemProfile {
  std::string id;    // "eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  std::string name;  // "EU Anthropic Claude Haiku 4.5"
  std::string description;
  std::string model_id;              // the foundation model it routes to
  std::vector<std::string> regions;  // destination regions, in order
  std::string created_at;            // RFC 3339
};

class Catalog {
 public:
  // Parses the catalog JSON. Errors name `origin` and the JSON path. Checks
  // that every system profile names a known model served in all its regions.
  static Result<Catalog> Parse(std::string_view json_text, std::string_view origin);
  // The catalog built into the binary (config/model-catalog.json at build time).
  static Result<Catalog> Builtin();

  const std::vector<FoundationModel>& models() const { return models_; }
  const std::vector<SystemProfile>& system_profiles() const { return system_profiles_; }

  // nullptr when unknown.
  const FoundationModel* FindModel(std::string_view model_id) const;
  const SystemProfile* FindSystemProfile(std::string_view id) const;

  // Geography of a region by its prefix: "eu-central-1" -> "eu". The geo
  // prefix of a system profile id ("eu.") names the same geography.
  static std::string_view Geography(std::string_view region);

 private:
  std::vector<FoundationModel> models_;
  std::vector<SystemProfile> system_profiles_;
};

}  // namespace bp::catalog
