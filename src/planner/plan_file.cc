#include "planner/plan_file.h"

#include <utility>

#include "json/json.h"
#include "planner/atomic_file.h"
#include "planner/json_pretty.h"
#include "planner/plan_json.h"

namespace bp::planner {

namespace {

Status Prefixed(std::string_view origin, const Status& status) {
  return Status(status.code(), std::string(origin) + ": " + status.message());
}

}  // namespace

std::string SerializePlan(const Plan& plan) {
  return PrettyJson(json::Value(internal::PlanToJson(plan))) + "\n";
}

Result<Plan> ParsePlan(std::string_view text, std::string_view origin) {
  Result<json::Value> value = json::Parse(text);
  if (!value.ok()) {
    return Prefixed(origin,
                    ValidationError("not a bedrock-profiles plan: " + value.status().message()));
  }
  Result<Plan> plan = internal::PlanFromJson(*value);
  if (!plan.ok()) return Prefixed(origin, plan.status());
  if (Status verified = VerifyPlan(*plan); !verified.ok()) return Prefixed(origin, verified);
  return plan;
}

Status SavePlanFile(const std::filesystem::path& path, const Plan& plan) {
  return WriteFileAtomically(path, SerializePlan(plan), 0600);
}

Result<Plan> LoadPlanFile(const std::filesystem::path& path) {
  BP_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path, kMaxPlanFileBytes));
  return ParsePlan(text, path.string());
}

std::string SerializeLiveProfiles(const std::vector<LiveProfile>& profiles) {
  json::Array array;
  for (const LiveProfile& p : profiles) array.emplace_back(internal::LiveProfileToJson(p));
  return PrettyJson(json::Value(std::move(array))) + "\n";
}

Result<std::vector<LiveProfile>> ParseLiveProfiles(std::string_view text, std::string_view origin) {
  Result<json::Value> value = json::Parse(text);
  if (!value.ok()) return Prefixed(origin, value.status());
  if (!value->is_array()) {
    return Prefixed(origin, ValidationError("$: expected an array of profiles, got " +
                                            std::string(json::KindName(*value))));
  }
  std::vector<LiveProfile> out;
  const json::Array& array = value->get_array();
  for (size_t i = 0; i < array.size(); ++i) {
    Result<LiveProfile> p = internal::LiveProfileFromJson(array[i], "$[" + std::to_string(i) + "]");
    if (!p.ok()) return Prefixed(origin, p.status());
    out.push_back(std::move(*p));
  }
  return out;
}

}  // namespace bp::planner
