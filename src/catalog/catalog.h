#pragma once
// The model catalog: foundation models per region and the system-defined
// (cross-region) inference profiles, loaded from data (config/model-catalog.json,
// built into the binary; its sources: config/README.md). A config may name a
// catalog file in the same format (`catalog_file`), merged over the built-in
// one with Merge(), so a model is added without a rebuild; `catalog refresh`
// writes such a file from a live control plane (ToJson()).
// Immutable after load; thread-safe to share. Public header of bp_catalog.

#include <cstdint>
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
  bool reasoning = false;  // takes extended thinking (thinking {type: enabled, budget_tokens})
  // Explicit prompt caching (cache points): the minimum prefix, in tokens,
  // a cache point must close to be cached (0: the model has no prompt
  // caching, and a request with cache points is refused), and the TTLs it
  // accepts ("5m", and "1h" on the models that offer it), in that order.
  int64_t prompt_cache_min_tokens = 0;
  std::vector<std::string> prompt_cache_ttls;
  bool operator==(const FoundationModel&) const = default;
};

struct SystemProfile {
  std::string id;    // "eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  std::string name;  // "EU Anthropic Claude Haiku 4.5"
  std::string description;
  std::string model_id;              // the foundation model it routes to
  std::vector<std::string> regions;  // destination regions, in order
  std::string created_at;            // RFC 3339
  bool operator==(const SystemProfile&) const = default;
};

class Catalog {
 public:
  // Parses the catalog JSON (both sections required). Errors are kValidation
  // "origin: <JSON path>: what is wrong". Checks that ids are unique and that
  // every system profile names a known model served in all its regions.
  static Result<Catalog> Parse(std::string_view json_text, std::string_view origin);
  // The catalog built into the binary (config/model-catalog.json at build time).
  static Result<Catalog> Builtin();

  // This catalog with a catalog file's entries merged over it: a model whose
  // model_id (a system profile whose id) is already here replaces that entry
  // in place; new ones are appended in file order. Either section may be left
  // out. The checks of Parse() run on the merged result, so a file may add a
  // system profile for a model of this catalog, and may not shrink a model's
  // regions under a profile that routes there. Errors are kValidation and
  // their message starts with the JSON path of the offending value in
  // `json_text` ("$.system_profiles[1].regions: ..."), for the caller to turn
  // into file:line:col; a JSON syntax error has no path ("malformed JSON: ...").
  Result<Catalog> Merge(std::string_view json_text) const;

  // The catalog in the file format Parse() reads, laid out as
  // config/model-catalog.json is (two-space indent, one member per line,
  // string lists on one line, `customizations` only when not empty), ending
  // in a newline: Parse(c.ToJson()) equals c, and the built-in catalog
  // serialises to its own file byte for byte.
  std::string ToJson() const;

  // This catalog, where each model that `known` also lists takes known's
  // capabilities that AWS's model listing does not report (`reasoning`,
  // prompt caching): what `catalog refresh` writes, so a refreshed file
  // merged over the built-in catalog keeps them.
  Catalog WithCapabilitiesFrom(const Catalog& known) const;

  bool operator==(const Catalog&) const = default;

  const std::vector<FoundationModel>& models() const { return models_; }
  const std::vector<SystemProfile>& system_profiles() const { return system_profiles_; }

  // nullptr when unknown.
  const FoundationModel* FindModel(std::string_view model_id) const;
  const SystemProfile* FindSystemProfile(std::string_view id) const;

  // Geography of a region by its prefix: "eu-central-1" -> "eu". The geo
  // prefix of a system profile id ("eu.") names the same geography.
  static std::string_view Geography(std::string_view region);

 private:
  struct Entries;
  // Merges `entries` (parsed from a file) over this catalog and checks the
  // result; error paths point into that file.
  Result<Catalog> MergeEntries(Entries entries) const;

  std::vector<FoundationModel> models_;
  std::vector<SystemProfile> system_profiles_;
};

}  // namespace bp::catalog
