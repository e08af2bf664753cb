#pragma once
// The plan file: what `plan --out` writes, `approve` amends and `apply`
// reads. JSON:
//
//   format "bedrock-profiles-plan", version 1, created_at, planned_by,
//   endpoint, config_source, config_digest, state_fingerprint,
//   required_approvals, live (the profiles seen), unmanaged, actions
//   (everything apply needs), plan_digest, approvals [{by, at, plan_digest}]
//
// plan_digest is SHA-256 over the canonical content (all but plan_digest and
// approvals), so any edit of the content is detected when the file is read.
// It guards integrity, not authenticity: someone able to edit the file can
// also recompute the digest. Files are written atomically with mode 0600.
// Public header of bp_planner.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "planner/control_plane.h"
#include "planner/plan.h"

namespace bp::planner {

// Plan files above this size are refused when read.
inline constexpr size_t kMaxPlanFileBytes = 64u << 20;

// The file's text: indented JSON and a final newline.
std::string SerializePlan(const Plan& plan);

// Parses and verifies a plan (VerifyPlan). kValidation messages start with
// `origin` and say what is wrong: "origin: not a bedrock-profiles plan: ...",
// "origin: unsupported plan version 2 ...", "origin: corrupt plan: $.path:
// ...", "origin: the plan does not match its digest: ... tampered ...".
Result<Plan> ParsePlan(std::string_view text, std::string_view origin);

// Writes the plan atomically (temporary file beside it, fsync, rename, fsync
// of the directory), mode 0600. On failure the previous file, if any, is left
// untouched and no temporary file remains (kIo).
Status SavePlanFile(const std::filesystem::path& path, const Plan& plan);

// Reads and parses (ParsePlan, origin = the path). kIo when unreadable.
Result<Plan> LoadPlanFile(const std::filesystem::path& path);

// The live profiles in the plan file's "live" shape: a JSON array of
// {name, id, arn, description?, model_arns, tags}. Used by tests and tools
// that describe an endpoint's state in a file.
std::string SerializeLiveProfiles(const std::vector<LiveProfile>& profiles);
Result<std::vector<LiveProfile>> ParseLiveProfiles(std::string_view text, std::string_view origin);

}  // namespace bp::planner
