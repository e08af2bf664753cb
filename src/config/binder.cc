#include "config/binder.h"

#include <algorithm>
#include <map>

#include "config/source_text.h"
#include "config/validate.h"

namespace bp::config {

namespace {

constexpr std::string_view kTopLevelKeys[] = {"account_id",
                                              "region",
                                              "default_tags",
                                              "inference_profiles",
                                              "principals",
                                              "regions",
                                              "routing",
                                              "approvals",
                                              "server",
                                              "catalog_file",
                                              "guardrails",
                                              "prices",
                                              "price_multipliers",
                                              "metrics",
                                              "metering",
                                              "quotas",
                                              "budgets",
                                              "storage"};
constexpr std::string_view kProfileKeys[] = {"model_arn", "description", "id", "tags"};

// State shared by the profiles of one file.
struct ProfileScope {
  const BindContext& context;
  std::optional<std::string> account_id;  // set only when valid
  const Tags& default_tags;
  std::map<std::string, const ast::Entry*, std::less<>> ids;  // pinned id -> profile
};

void BindProfileId(const ast::Entry& entry, const std::string& path, ProfileConfig& profile,
                   ProfileScope& scope, DiagnosticSink& sink) {
  const ast::Value* id =
      StringMember(entry.value.entries, "id", path, entry.key_location, false, sink);
  if (id == nullptr || !sink.Check(CheckProfileId(id->text), id->location, path + ".id")) return;
  auto [it, inserted] = scope.ids.emplace(id->text, &entry);
  if (!inserted) {
    sink.Error(id->location, path + ".id: id '" + id->text + "' is already used by profile '" +
                                 it->second->key + "' (" + it->second->key_location.ToString() +
                                 ")");
    return;
  }
  profile.id = id->text;
}

void CheckMergedTagCount(const ast::Entry& entry, const std::string& path,
                         const ProfileConfig& profile, const ProfileScope& scope,
                         DiagnosticSink& sink) {
  if (scope.default_tags.size() > kMaxTagsPerResource) return;  // reported at default_tags
  size_t merged = MergeTags(scope.default_tags, profile.tags).size();
  if (merged <= kMaxTagsPerResource) return;
  const ast::Entry* tags = FindSet(entry.value.entries, "tags");
  sink.Error(tags ? tags->key_location : entry.key_location,
             path + ": " + std::to_string(merged) +
                 " tags after merging default_tags with the profile's tags; AWS allows at most " +
                 std::to_string(kMaxTagsPerResource) + " per resource");
}

std::optional<ProfileConfig> BindProfile(const ast::Entry& entry, ProfileScope& scope,
                                         DiagnosticSink& sink) {
  size_t errors_before = sink.error_count();
  std::string path = ChildPath("inference_profiles", entry.key);
  sink.Check(CheckProfileName(entry.key), entry.key_location, "inference_profiles");
  if (!ExpectKind(entry.value, ast::Kind::kObject, path, sink)) return std::nullopt;
  const std::vector<ast::Entry>& fields = entry.value.entries;
  CheckKeys(fields, kProfileKeys, path, sink);

  ProfileConfig profile;
  profile.name = entry.key;
  profile.location = entry.key_location;
  if (const ast::Value* arn =
          StringMember(fields, "model_arn", path, entry.key_location, true, sink)) {
    sink.Check(CheckModelArn(arn->text, scope.account_id, scope.context.catalog), arn->location,
               path + ".model_arn");
    profile.model_arn = arn->text;
  }
  if (const ast::Value* d =
          StringMember(fields, "description", path, entry.key_location, false, sink)) {
    sink.Check(CheckDescription(d->text), d->location, path + ".description");
    profile.description = d->text;
  }
  BindProfileId(entry, path, profile, scope, sink);
  if (const ast::Entry* tags = FindSet(fields, "tags")) {
    profile.tags = BindTags(tags->value, path + ".tags", sink);
  }
  CheckMergedTagCount(entry, path, profile, scope, sink);
  if (sink.error_count() != errors_before) return std::nullopt;
  return profile;
}

void BindProfiles(const ast::Value& value, ProfileScope& scope, Config& config,
                  DiagnosticSink& sink) {
  if (!ExpectKind(value, ast::Kind::kObject, "inference_profiles", sink)) return;
  if (value.entries.empty()) {
    sink.Warning(value.location, "inference_profiles is empty: callers will have no model to use");
  }
  for (const ast::Entry& entry : value.entries) {
    if (auto profile = BindProfile(entry, scope, sink))
      config.profiles.push_back(std::move(*profile));
  }
  std::sort(config.profiles.begin(), config.profiles.end(),
            [](const ProfileConfig& a, const ProfileConfig& b) { return a.name < b.name; });
}

// account_id and region: both required strings with their own rule.
void BindAccountAndRegion(const ast::Body& body, const BindContext& context, Config& config,
                          std::optional<std::string>& valid_account, DiagnosticSink& sink) {
  SourceLocation file = At(body.file, 0, 0);
  if (const ast::Value* account =
          StringMember(body.attributes, "account_id", "", file, true, sink)) {
    config.account_id = account->text;
    if (sink.Check(CheckAccountId(account->text), account->location, "account_id")) {
      valid_account = account->text;
    }
  }
  if (const ast::Value* region = StringMember(body.attributes, "region", "", file, true, sink)) {
    config.region = region->text;
    sink.Check(CheckRegion(region->text, context.catalog), region->location, "region");
  }
}

}  // namespace

Tags BindTags(const ast::Value& value, std::string_view path, DiagnosticSink& sink) {
  Tags tags;
  if (!ExpectKind(value, ast::Kind::kObject, path, sink)) return tags;
  for (const ast::Entry& e : value.entries) {
    std::string key_path = ChildPath(path, e.key);
    sink.Check(CheckTagKey(e.key), e.key_location, path);
    if (!ExpectKind(e.value, ast::Kind::kString, key_path, sink)) continue;
    sink.Check(CheckTagValue(e.value.text), e.value.location, key_path);
    tags.emplace(e.key, e.value.text);
  }
  if (value.entries.size() > kMaxTagsPerResource) {
    sink.Error(value.location, std::string(path) + ": " + std::to_string(value.entries.size()) +
                                   " tags; AWS allows at most " +
                                   std::to_string(kMaxTagsPerResource) + " per resource");
  }
  return tags;
}

LoadResult Bind(const ast::Body& body, const BindContext& context) {
  DiagnosticSink sink;
  Config config;
  CheckKeys(body.attributes, kTopLevelKeys, "", sink);
  std::optional<std::string> valid_account;
  BindAccountAndRegion(body, context, config, valid_account, sink);
  if (const ast::Entry* tags = FindSet(body.attributes, "default_tags")) {
    config.default_tags = BindTags(tags->value, "default_tags", sink);
  }
  ProfileScope scope{context, valid_account, config.default_tags, {}};
  if (const ast::Entry* profiles = FindSet(body.attributes, "inference_profiles")) {
    BindProfiles(profiles->value, scope, config, sink);
  } else {
    sink.Warning(At(body.file, 0, 0),
                 "no inference_profiles are declared: callers will have no model to use");
  }
  if (const ast::Entry* principals = FindSet(body.attributes, "principals")) {
    config.principals = BindPrincipals(principals->value, context, sink);
  }
  if (const ast::Entry* regions = FindSet(body.attributes, "regions")) {
    config.regions = BindRegions(regions->value, context, sink);
  }
  if (const ast::Entry* routing = FindSet(body.attributes, "routing")) {
    config.routing = BindRouting(routing->value, sink);
  }
  CheckRuntimeSections(body, context, config, sink);
  BindPrices(body, context, config, sink);
  if (const ast::Entry* server = FindSet(body.attributes, "server")) {
    config.server = BindServer(server->value, sink);
  }
  if (const ast::Entry* guardrails = FindSet(body.attributes, "guardrails")) {
    config.guardrails = BindGuardrails(guardrails->value, sink);
  }
  if (const ast::Entry* metrics = FindSet(body.attributes, "metrics")) {
    config.metrics = BindMetrics(*metrics, context, sink);
  }
  if (const ast::Entry* metering = FindSet(body.attributes, "metering")) {
    config.metering = BindMetering(metering->value, sink);
  }
  if (const ast::Entry* storage = FindSet(body.attributes, "storage")) {
    config.storage = BindStorage(*storage, context, sink);
  }
  if (const ast::Entry* quotas = FindSet(body.attributes, "quotas")) {
    BindQuotas(quotas->value, config, sink);
  }
  if (const ast::Entry* budgets = FindSet(body.attributes, "budgets")) {
    BindBudgets(budgets->value, config, sink);
  }
  if (const ast::Entry* approvals = FindSet(body.attributes, "approvals")) {
    BindApprovals(approvals->value, config, sink);
  }
  LoadResult result;
  result.errors = std::move(sink.errors());
  result.warnings = std::move(sink.warnings());
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

}  // namespace bp::config
