#pragma once
// Plans: the difference between the configured profiles (desired state) and
// the application inference profiles an endpoint reports (live state), as an
// ordered list of actions that `apply` runs. Pure logic over values, no I/O.
// Public header of bp_planner (with control_plane.h, plan_file.h, apply.h,
// render.h, output.h, memory_control_plane.h).
//
// Rules:
// - Live profiles are matched to configured ones BY NAME (names are unique in
//   Bedrock; ids and ARNs are not known before creation).
// - Profiles created by bedrock-profiles carry the management tag
//   `managed-by = bedrock-profiles` (kManagementTagKey/Value). Only a profile
//   carrying it is ever destroyed. A live profile that the config names but
//   that lacks the tag is ADOPTED: the config owns it from now on, so it gets
//   the tag (and is updated or replaced like any other).
// - Bedrock can change only tags in place. A different description or
//   model source forces replacement. Names are unique, so the replacement
//   cannot be created beside the old profile: a replace deletes the old
//   profile first, then creates the new one (a new ARN).
// - Action order, which is also the order apply runs: creates, tag updates,
//   replaces, destroys; by name within each kind. A renamed profile's new
//   profile therefore exists before the old one goes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "core/tags.h"
#include "planner/control_plane.h"

namespace bp::planner {

// The tag that marks profiles bedrock-profiles manages. A config may not give
// this key another value.
inline constexpr std::string_view kManagementTagKey = kManagedByTagKey;
inline constexpr std::string_view kManagementTagValue = kManagedByTagValue;
// AWS: at most 50 tags per resource, the management tag included.
inline constexpr size_t kMaxTagsPerProfile = 50;

// True when `tags` carry the management tag with its value.
bool IsManaged(const Tags& tags);

// The foundation-model ARNs a profile is expected to report.
//
// A profile copied from a foundation-model ARN reports exactly that ARN. One
// copied from a system-defined (cross-region) profile reports one ARN per
// destination region; the catalog lists the regions this project serves, but
// real AWS may route an EU profile to more EU regions (bedrock-api.md §6), so
// such a set matches when every reported ARN names the same model and the
// reported regions include all of the catalog's. Without this, every plan
// against AWS would propose replacing every profile (a new ARN each time).
struct ExpectedModels {
  std::vector<std::string> arns;     // sorted
  bool allow_extra_regions = false;  // true for a system-defined source
  bool Matches(const std::vector<std::string>& live_model_arns) const;
  bool operator==(const ExpectedModels&) const = default;
};

// A profile as the config wants it.
struct DesiredProfile {
  std::string name;
  std::optional<std::string> description;
  std::string copy_from;  // the config's model_arn (modelSource.copyFrom)
  ExpectedModels models;
  Tags tags;  // MergeTags(default_tags, profile tags) + the management tag
  bool operator==(const DesiredProfile&) const = default;
};

// The desired state from a validated config, ordered by name. Errors
// (kValidation) for a config that sets the management tag to another value,
// that would carry more than kMaxTagsPerProfile tags with the management
// tag, or whose model_arn the catalog cannot resolve.
Result<std::vector<DesiredProfile>> DesiredState(const config::Config& config,
                                                 const catalog::Catalog& catalog);

enum class ActionKind : uint8_t { kCreate, kUpdate, kReplace, kDestroy };
// "create", "update", "replace", "destroy" (the plan file's spelling).
std::string_view ActionKindName(ActionKind kind);

struct Action {
  ActionKind kind = ActionKind::kCreate;
  std::string name;
  // update, replace, destroy: the live profile as the plan saw it. Apply acts
  // on the ARN the endpoint reports for this name when it runs.
  std::optional<LiveProfile> before;
  // create, replace: the profile to create.
  std::optional<DesiredProfile> after;
  // update: exactly what Tag/Untag change. replace: the tag difference
  // between the old and the new profile (shown, not applied separately).
  std::vector<TagChange> tag_changes;
  // replace: the attributes that force it, "description" and/or "models".
  std::vector<std::string> forces;
  // update, replace: the live profile lacked the management tag and is taken
  // over by this action.
  bool adopt = false;
  // replace, destroy: configured principals whose policies name the old ARN
  // (or its id) literally, so they stop matching once the ARN goes:
  // "rd-e2e (bedrock-profiles.hcl:76:25)". Shown in the plan as a warning.
  std::vector<std::string> consumers;
  bool operator==(const Action&) const = default;
};

struct Approval {
  std::string by;
  std::string at;           // RFC 3339
  std::string plan_digest;  // the plan this approval is for
  bool operator==(const Approval&) const = default;
};

inline constexpr std::string_view kPlanFormat = "bedrock-profiles-plan";
inline constexpr int64_t kPlanVersion = 1;

struct Plan {
  std::string created_at;  // RFC 3339
  std::string planned_by;
  std::string endpoint;           // ControlPlane::Describe() when planned
  std::string principal;          // the CLI's --principal (a name, no secret); "" = AWS chain
  std::string config_source;      // Config::source
  std::string config_digest;      // SHA-256 hex of the config text
  std::string state_fingerprint;  // StateFingerprint(live)
  uint32_t required_approvals = 1;
  std::vector<LiveProfile> live;       // the live profiles seen, ordered by name
  std::vector<Action> actions;         // in apply order
  std::vector<std::string> unmanaged;  // live, not configured, no management tag; sorted
  std::string plan_digest;             // PlanDigest(*this)
  std::vector<Approval> approvals;

  bool HasChanges() const { return !actions.empty(); }
  bool operator==(const Plan&) const = default;
};

struct PlanOptions {
  std::string planned_by;        // required: approvers must be someone else
  std::string endpoint;          // ControlPlane::Describe()
  std::string principal;         // --principal, for the hints that name the next command
  std::string_view config_text;  // the config file's bytes, digested (config_digest)
};

// Compares the config with `live` (any order; names must be unique) and
// returns the plan, digest set, no approvals. kValidation for duplicate live
// names, an empty planned_by, or the DesiredState errors.
Result<Plan> ComputePlan(const config::Config& config, const catalog::Catalog& catalog,
                         std::vector<LiveProfile> live, const PlanOptions& options,
                         const Clock& clock);

// Lists `control_plane` and plans against it (endpoint from Describe()).
Result<Plan> PlanAgainst(const config::Config& config, const catalog::Catalog& catalog,
                         ControlPlane& control_plane, PlanOptions options, const Clock& clock);

// SHA-256 hex of `text` (config_digest).
std::string ConfigDigest(std::string_view text);

// SHA-256 hex of the canonical projection of the profiles: name, description,
// sorted model ARNs and tags, ordered by name. Ids and ARNs are left out, so
// the fingerprint of a predicted state can be compared with a live one.
std::string StateFingerprint(const std::vector<LiveProfile>& profiles);

// SHA-256 hex of the plan's canonical content: everything but plan_digest
// and approvals.
std::string PlanDigest(const Plan& plan);

// kValidation unless plan.plan_digest == PlanDigest(plan) and every approval
// is for that digest, by a distinct approver who is not the planner.
Status VerifyPlan(const Plan& plan);

// Records an approval by `by` (trimmed) at clock.Now(). Refuses (kValidation)
// an empty name, the planner approving their own plan, the same approver
// twice (names compare case-insensitively), a plan without changes (it needs
// no approval) and a plan failing VerifyPlan.
Status Approve(Plan& plan, std::string_view by, const Clock& clock);

// Distinct valid approvers, in order of approval.
std::vector<std::string> Approvers(const Plan& plan);

// The clientRequestToken of the create of action `action_index`: the same for
// every run of one plan (so a retried or resumed apply never creates twice),
// different across plans. Matches ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$, <= 256 chars.
std::string ClientRequestToken(std::string_view plan_digest, size_t action_index);

}  // namespace bp::planner
