// Desired state from the config and the diff against live profiles.
#include "planner/plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "core/arn.h"

namespace bp::planner {

namespace {

// Bedrock descriptions are 1-200 characters, so an empty one means "none".
std::optional<std::string> NormalizedDescription(const std::optional<std::string>& d) {
  if (!d || d->empty()) return std::nullopt;
  return d;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The foundation-model id of a foundation-model ARN, or empty.
std::string ModelIdOf(std::string_view model_arn) {
  Result<Arn> arn = Arn::Parse(model_arn);
  if (!arn.ok() || ClassifyBedrockArn(*arn) != BedrockResourceKind::kFoundationModel) return {};
  return std::string(arn->ResourceId());
}

Result<ExpectedModels> ResolveModels(const config::ProfileConfig& profile,
                                     const catalog::Catalog& catalog) {
  const std::string where = "profile '" + profile.name + "': model_arn '" + profile.model_arn + "'";
  Result<Arn> arn = Arn::Parse(profile.model_arn);
  if (!arn.ok()) return ValidationError(where + ": " + arn.status().message());
  ExpectedModels models;
  switch (ClassifyBedrockArn(*arn)) {
    case BedrockResourceKind::kSystemProfile: {
      const catalog::SystemProfile* system = catalog.FindSystemProfile(arn->ResourceId());
      if (system == nullptr) {
        return ValidationError(where + ": the model catalog has no system-defined profile '" +
                               std::string(arn->ResourceId()) + "'");
      }
      for (const std::string& region : system->regions) {
        models.arns.push_back(FoundationModelArn(region, system->model_id));
      }
      models.allow_extra_regions = true;
      break;
    }
    case BedrockResourceKind::kFoundationModel:
      models.arns.push_back(FoundationModelArn(arn->region, arn->ResourceId()));
      break;
    default:
      return ValidationError(where +
                             ": expected a system-defined inference profile or a "
                             "foundation-model ARN");
  }
  std::sort(models.arns.begin(), models.arns.end());
  return models;
}

Result<Tags> DesiredTags(const config::Config& config, const config::ProfileConfig& profile) {
  Tags tags = MergeTags(config.default_tags, profile.tags);
  auto it = tags.find(kManagementTagKey);
  if (it != tags.end() && it->second != kManagementTagValue) {
    return ValidationError("profile '" + profile.name + "': tag " + std::string(kManagementTagKey) +
                           " = \"" + it->second +
                           "\" (from default_tags or its tags) is reserved: " +
                           "bedrock-profiles sets it to \"" + std::string(kManagementTagValue) +
                           "\" on the profiles it manages; remove it from the config");
  }
  tags.insert_or_assign(std::string(kManagementTagKey), std::string(kManagementTagValue));
  if (tags.size() > kMaxTagsPerProfile) {
    return ValidationError("profile '" + profile.name + "' would carry " +
                           std::to_string(tags.size()) + " tags (default_tags, its own and " +
                           std::string(kManagementTagKey) + "); AWS allows at most " +
                           std::to_string(kMaxTagsPerProfile) + " per resource");
  }
  return tags;
}

// Classifies one configured profile against its live namesake (if any).
void DiffOne(const DesiredProfile& want, const LiveProfile* have, std::vector<Action>& creates,
             std::vector<Action>& updates, std::vector<Action>& replaces) {
  if (have == nullptr) {
    creates.push_back(Action{.kind = ActionKind::kCreate, .name = want.name, .after = want});
    return;
  }
  Action action{.name = want.name, .before = *have};
  if (NormalizedDescription(have->description) != NormalizedDescription(want.description)) {
    action.forces.push_back("description");
  }
  if (!want.models.Matches(have->model_arns)) action.forces.push_back("models");
  action.tag_changes = DiffTags(have->tags, want.tags);
  action.adopt = !IsManaged(have->tags);
  if (!action.forces.empty()) {
    action.kind = ActionKind::kReplace;
    action.after = want;
    replaces.push_back(std::move(action));
  } else if (!action.tag_changes.empty()) {
    action.kind = ActionKind::kUpdate;
    updates.push_back(std::move(action));
  }
}

}  // namespace

bool IsManaged(const Tags& tags) {
  auto it = tags.find(kManagementTagKey);
  return it != tags.end() && it->second == kManagementTagValue;
}

bool ExpectedModels::Matches(const std::vector<std::string>& live_model_arns) const {
  std::vector<std::string> live = live_model_arns;
  std::sort(live.begin(), live.end());
  if (!allow_extra_regions || arns.empty()) return live == arns;
  const std::string model_id = ModelIdOf(arns.front());
  for (const std::string& arn : live) {
    if (model_id.empty() || ModelIdOf(arn) != model_id) return false;
  }
  return std::includes(live.begin(), live.end(), arns.begin(), arns.end());
}

Result<std::vector<DesiredProfile>> DesiredState(const config::Config& config,
                                                 const catalog::Catalog& catalog) {
  std::vector<DesiredProfile> desired;
  for (const config::ProfileConfig& profile : config.profiles) {
    DesiredProfile d{.name = profile.name,
                     .description = NormalizedDescription(profile.description),
                     .copy_from = profile.model_arn};
    BP_ASSIGN_OR_RETURN(d.models, ResolveModels(profile, catalog));
    BP_ASSIGN_OR_RETURN(d.tags, DesiredTags(config, profile));
    desired.push_back(std::move(d));
  }
  std::sort(desired.begin(), desired.end(),
            [](const DesiredProfile& a, const DesiredProfile& b) { return a.name < b.name; });
  for (size_t i = 1; i < desired.size(); ++i) {
    if (desired[i].name == desired[i - 1].name) {
      return ValidationError("the config declares profile '" + desired[i].name + "' twice");
    }
  }
  return desired;
}

namespace {

// Principals whose policy text names `arn` (or its resource id after "/"),
// with where that policy was written.
std::vector<std::string> ConsumersOf(const config::Config& config, const std::string& arn) {
  std::vector<std::string> out;
  const size_t slash = arn.rfind('/');
  const std::string id_ref =
      slash == std::string::npos ? arn : "application-inference-profile/" + arn.substr(slash + 1);
  for (const config::PrincipalConfig& p : config.principals) {
    for (const config::PolicyDocument& doc : p.policies) {
      if (doc.text.find(arn) == std::string::npos && doc.text.find(id_ref) == std::string::npos) {
        continue;
      }
      out.push_back(p.name + " (" + doc.origin + ")");
      break;
    }
  }
  return out;
}

}  // namespace

std::string_view ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kCreate:
      return "create";
    case ActionKind::kUpdate:
      return "update";
    case ActionKind::kReplace:
      return "replace";
    case ActionKind::kDestroy:
      return "destroy";
  }
  return "unknown";
}

Result<Plan> ComputePlan(const config::Config& config, const catalog::Catalog& catalog,
                         std::vector<LiveProfile> live, const PlanOptions& options,
                         const Clock& clock) {
  std::string planned_by(Trim(options.planned_by));
  if (planned_by.empty()) {
    return ValidationError("a plan needs the name of who made it (approvers must be someone else)");
  }
  BP_ASSIGN_OR_RETURN(std::vector<DesiredProfile> desired, DesiredState(config, catalog));
  std::sort(live.begin(), live.end(),
            [](const LiveProfile& a, const LiveProfile& b) { return a.name < b.name; });
  std::map<std::string_view, const LiveProfile*> live_by_name;
  for (const LiveProfile& p : live) {
    if (!live_by_name.emplace(p.name, &p).second) {
      return ValidationError("the endpoint reported two application inference profiles named '" +
                             p.name + "'; names must be unique");
    }
  }

  std::vector<Action> creates, updates, replaces, destroys;
  std::set<std::string_view> configured;
  for (const DesiredProfile& want : desired) {
    configured.insert(want.name);
    auto it = live_by_name.find(want.name);
    DiffOne(want, it == live_by_name.end() ? nullptr : it->second, creates, updates, replaces);
  }
  Plan plan;
  for (const LiveProfile& p : live) {
    if (configured.contains(p.name)) continue;
    if (IsManaged(p.tags)) {
      destroys.push_back(Action{.kind = ActionKind::kDestroy, .name = p.name, .before = p});
    } else {
      plan.unmanaged.push_back(p.name);
    }
  }
  for (std::vector<Action>* group : {&replaces, &destroys}) {
    for (Action& a : *group) a.consumers = ConsumersOf(config, a.before->arn);
  }
  for (std::vector<Action>* group : {&creates, &updates, &replaces, &destroys}) {
    for (Action& a : *group) plan.actions.push_back(std::move(a));
  }
  plan.created_at = FormatRfc3339(clock.Now());
  plan.planned_by = std::move(planned_by);
  plan.endpoint = options.endpoint;
  plan.principal = options.principal;
  plan.config_source = config.source;
  plan.config_digest = ConfigDigest(options.config_text);
  plan.state_fingerprint = StateFingerprint(live);
  plan.required_approvals = config.required_approvals;
  plan.live = std::move(live);
  plan.plan_digest = PlanDigest(plan);
  return plan;
}

Result<Plan> PlanAgainst(const config::Config& config, const catalog::Catalog& catalog,
                         ControlPlane& control_plane, PlanOptions options, const Clock& clock) {
  Result<std::vector<LiveProfile>> live = control_plane.ListApplicationProfiles();
  if (!live.ok()) {
    return Status(live.status().code(), "listing the application inference profiles at " +
                                            control_plane.Describe() +
                                            " failed: " + live.status().message());
  }
  options.endpoint = control_plane.Describe();
  return ComputePlan(config, catalog, std::move(*live), options, clock);
}

}  // namespace bp::planner
