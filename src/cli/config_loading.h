#pragma once
// Loading the config and catalog for commands other than `validate`, and the
// facts about a configured profile that `policy` and `simulate` need.
// Private to cli/.

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "config/config.h"
#include "core/status.h"

namespace bp::cli {

struct LoadedConfig {
  catalog::Catalog catalog;
  config::Config config;
};

// BRIEF.md's rule (--config, ./bedrock-profiles.hcl, built-in). Errors are
// printed to stderr (one line each, file:line:col) and nullopt returned.
std::optional<LoadedConfig> LoadConfigOrReport(const std::string& config_path);

// A configured profile as the endpoint serves it.
struct ProfileTarget {
  std::string arn;                   // application-inference-profile ARN
  std::string model_id;              // foundation model it routes to
  std::vector<std::string> regions;  // destination regions
};

// kValidation when the profile has no pinned id (its ARN exists only once it
// has been created) or its source is not in the catalog.
Result<ProfileTarget> ResolveProfile(const LoadedConfig& loaded, const config::ProfileConfig& p);

}  // namespace bp::cli
