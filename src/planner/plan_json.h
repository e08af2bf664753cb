#pragma once
// The plan file's JSON shape, both ways. Private to bp_planner.
//
// Building is canonical: members in a fixed order, tags and model lists as
// the values hold them, so the compact serialisation of PlanContentToJson is
// what PlanDigest hashes. Parsing checks every member (unknown keys are
// errors, so nothing a file says is silently dropped) and the consistency of
// each action; it does not check digests (VerifyPlan does).

#include <string>
#include <string_view>

#include "core/status.h"
#include "json/json.h"
#include "planner/plan.h"

namespace bp::planner::internal {

json::Object LiveProfileToJson(const LiveProfile& profile);
Result<LiveProfile> LiveProfileFromJson(const json::Value& value, const std::string& path);

// Everything but plan_digest and approvals, canonical order.
json::Object PlanContentToJson(const Plan& plan);
// The whole file: content, plan_digest, approvals.
json::Object PlanToJson(const Plan& plan);

// Messages start with what is wrong: "not a bedrock-profiles plan: ...",
// "unsupported plan version ...", or "corrupt plan: $.actions[1].kind: ...".
Result<Plan> PlanFromJson(const json::Value& value);

}  // namespace bp::planner::internal
