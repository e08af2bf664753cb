#pragma once
// Predicted live states while a plan runs, for staleness and resume. Private
// to bp_planner.
//
// A plan runs as steps, each one control-plane call: create = Create;
// update = Tag (upserts), then Untag (removals), each only when needed;
// replace = Delete, then Create; destroy = Delete. A step is atomic at the
// endpoint, so after any interruption the live state equals the state
// predicted after some prefix of the steps. Predictions need no ids: names,
// descriptions, model sets and tags suffice.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "planner/plan.h"

namespace bp::planner::internal {

enum class StepKind : uint8_t { kCreate, kTag, kUntag, kDelete };

struct Step {
  size_t action = 0;  // index into Plan::actions
  StepKind kind = StepKind::kCreate;
};

// The steps of the plan's actions, in run order.
std::vector<Step> StepsOf(const Plan& plan);

struct ExpectedProfile {
  std::optional<std::string> description;  // empty normalised to none
  ExpectedModels models;
  Tags tags;
};
using ExpectedState = std::map<std::string, ExpectedProfile, std::less<>>;

ExpectedState StateOf(const std::vector<LiveProfile>& live);
void ApplyStep(const Plan& plan, const Step& step, ExpectedState& state);

// The states before step 0, after step 0, ..., after the last step.
std::vector<ExpectedState> PredictStates(const Plan& plan, const std::vector<Step>& steps);

bool Matches(const ExpectedState& expected, const std::vector<LiveProfile>& live);

// At most `max` lines saying how `live` differs from `expected`:
// "rd-x: new", "rd-x: gone", "rd-x: tags differ (billing-mode)", ...
std::vector<std::string> Differences(const ExpectedState& expected,
                                     const std::vector<LiveProfile>& live, size_t max);

}  // namespace bp::planner::internal
