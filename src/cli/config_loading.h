#pragma once
// Loading the config and catalog for commands other than `validate`, and the
// facts about a configured profile that `policy` and `simulate` need.
// Private to cli/.

#include <optional>
#include <string>
#include <vector>

#include "auth/iam/request.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "core/status.h"

namespace bp::cli {

struct LoadedConfig {
  catalog::Catalog catalog;  // built-in, with the config's catalog_file merged over it
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
// The same with the profile's ARN given (client_setup.h ConfiguredProfileArn
// reads it from the endpoint when no id is pinned).
Result<ProfileTarget> ResolveProfile(const LoadedConfig& loaded, const config::ProfileConfig& p,
                                     std::string arn);

// The request `serve` evaluates when `principal` calls `action` on
// `resource` in `region`, with the context keys serve sets (time, principal
// ARN and tags, source 127.0.0.1, no TLS).
auth::iam::Request RequestAs(const config::PrincipalConfig& principal, std::string_view action,
                             std::string resource, std::string_view region);
// What serve evaluates when `principal` calls `action` through `profile`:
// the profile ARN (with its merged tags), then for the invoke actions the
// foundation model in each destination region.
std::vector<auth::iam::Request> ProfileRequests(const config::Config& config,
                                                const config::PrincipalConfig& principal,
                                                const config::ProfileConfig& profile,
                                                const ProfileTarget& target,
                                                std::string_view action);

}  // namespace bp::cli
