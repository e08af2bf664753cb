#include "cli/config_loading.h"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "config/load.h"
#include "core/arn.h"
#include "core/clock.h"
#include "core/tags.h"

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
  // The built-in catalog with the config's catalog_file merged over it.
  return LoadedConfig{std::move(*result.catalog), std::move(*result.config)};
}

Result<ProfileTarget> ResolveProfile(const LoadedConfig& loaded, const config::ProfileConfig& p) {
  const config::Config& cfg = loaded.config;
  if (!p.id) {
    return ValidationError("profile '" + p.name +
                           "' has no pinned id, so its ARN is known only once it exists; pin "
                           "`id` in the config or read the ARN with `bedrock-profiles output`");
  }
  return ResolveProfile(loaded, p, ApplicationProfileArn(cfg.region, cfg.account_id, *p.id));
}

Result<ProfileTarget> ResolveProfile(const LoadedConfig& loaded, const config::ProfileConfig& p,
                                     std::string arn) {
  BP_ASSIGN_OR_RETURN(Arn source, Arn::Parse(p.model_arn));
  ProfileTarget target{.arn = std::move(arn)};
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

namespace {

bool IsInvokeAction(std::string_view action) {
  std::string lower = auth::iam::ToLowerAscii(action);
  return lower == "bedrock:invokemodel" || lower == "bedrock:invokemodelwithresponsestream";
}

}  // namespace

auth::iam::Request RequestAs(const config::PrincipalConfig& principal, std::string_view action,
                             std::string resource, std::string_view region) {
  auth::iam::Request r{
      .action = std::string(action), .resource = std::move(resource), .context = {}};
  auto now = std::chrono::system_clock::now();
  std::string iso = FormatRfc3339(now);
  r.context.Set("aws:CurrentTime", iso.substr(0, 19) + "Z");
  r.context.Set("aws:EpochTime", std::to_string(ToUnixMillis(now) / 1000));
  r.context.Set("aws:PrincipalArn", principal.arn);
  r.context.Set("aws:userid", principal.name);
  r.context.Set("aws:SecureTransport", "false");
  r.context.Set("aws:SourceIp", "127.0.0.1");
  r.context.Set("aws:RequestedRegion", std::string(region));
  size_t slash = principal.arn.rfind('/');
  if (principal.arn.find(":user/") != std::string::npos && slash != std::string::npos) {
    r.context.Set("aws:username", principal.arn.substr(slash + 1));
  }
  for (const auto& [k, v] : principal.tags) r.context.Set("aws:PrincipalTag/" + k, v);
  return r;
}

std::vector<auth::iam::Request> ProfileRequests(const config::Config& config,
                                                const config::PrincipalConfig& principal,
                                                const config::ProfileConfig& profile,
                                                const ProfileTarget& target,
                                                std::string_view action) {
  std::vector<auth::iam::Request> out;
  auth::iam::Request on_profile = RequestAs(principal, action, target.arn, config.region);
  for (const auto& [k, v] : MergeTags(config.default_tags, profile.tags)) {
    on_profile.context.Set("aws:ResourceTag/" + k, v);
  }
  out.push_back(std::move(on_profile));
  if (!IsInvokeAction(action)) return out;
  for (const std::string& region : target.regions) {
    auth::iam::Request fm =
        RequestAs(principal, action, FoundationModelArn(region, target.model_id), region);
    fm.context.Set("bedrock:InferenceProfileArn", target.arn);
    out.push_back(std::move(fm));
  }
  return out;
}

}  // namespace bp::cli
