#include "cli/config_loading.h"

#include <filesystem>
#include <iostream>

#include "config/load.h"
#include "core/arn.h"

namespace bp::cli {

std::optional<LoadedConfig> LoadConfigOrReport(const std::string& config_path) {
  auto catalog = catalog::Catalog::Builtin();
  if (!catalog.ok()) {
    std::cerr << "error: " << catalog.status().ToString() << "\n";
    return std::nullopt;
  }
  std::optional<std::filesystem::path> path;
  if (!config_path.empty()) path = config_path;
  config::LoadResult result = config::LoadDefaultOrFile(path, *catalog, config::ProcessEnv());
  for (const std::string& line : config::FormatDiagnostics(result)) std::cerr << line << "\n";
  if (!result.errors.empty()) {
    std::cerr << "error: the configuration is invalid (see `bedrock-profiles validate`)\n";
    return std::nullopt;
  }
  return LoadedConfig{std::move(catalog).value(), std::move(*result.config)};
}

Result<ProfileTarget> ResolveProfile(const LoadedConfig& loaded, const config::ProfileConfig& p) {
  const config::Config& cfg = loaded.config;
  if (!p.id) {
    return ValidationError("profile '" + p.name +
                           "' has no pinned id, so its ARN is known only once it exists; pin "
                           "`id` in the config or read the ARN with `bedrock-profiles output`");
  }
  BP_ASSIGN_OR_RETURN(Arn source, Arn::Parse(p.model_arn));
  ProfileTarget target{.arn = ApplicationProfileArn(cfg.region, cfg.account_id, *p.id)};
  if (ClassifyBedrockArn(source) == BedrockResourceKind::kSystemProfile) {
    const catalog::SystemProfile* sp = loaded.catalog.FindSystemProfile(source.ResourceId());
    if (sp == nullptr) return ValidationError("unknown source " + p.model_arn);
    target.model_id = sp->model_id;
    target.regions = sp->regions;
  } else {
    target.model_id = std::string(source.ResourceId());
    target.regions = {source.region};
  }
  return target;
}

}  // namespace bp::cli
