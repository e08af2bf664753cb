#include "planner/state.h"

#include <algorithm>
#include <set>

namespace bp::planner::internal {

namespace {

std::optional<std::string> Normalized(const std::optional<std::string>& d) {
  if (!d || d->empty()) return std::nullopt;
  return d;
}

ExpectedProfile FromDesired(const DesiredProfile& d) {
  return ExpectedProfile{
      .description = Normalized(d.description), .models = d.models, .tags = d.tags};
}

bool ProfileMatches(const ExpectedProfile& expected, const LiveProfile& live) {
  return expected.description == Normalized(live.description) && expected.tags == live.tags &&
         expected.models.Matches(live.model_arns);
}

std::string TagKeysDiffering(const Tags& a, const Tags& b) {
  std::string keys;
  for (const TagChange& c : DiffTags(a, b)) keys += (keys.empty() ? "" : ", ") + c.key;
  return keys;
}

}  // namespace

std::vector<Step> StepsOf(const Plan& plan) {
  std::vector<Step> steps;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    switch (a.kind) {
      case ActionKind::kCreate:
        steps.push_back({i, StepKind::kCreate});
        break;
      case ActionKind::kUpdate:
        if (!TagUpserts(a.tag_changes).empty()) steps.push_back({i, StepKind::kTag});
        if (!TagRemovals(a.tag_changes).empty()) steps.push_back({i, StepKind::kUntag});
        break;
      case ActionKind::kReplace:
        steps.push_back({i, StepKind::kDelete});
        steps.push_back({i, StepKind::kCreate});
        break;
      case ActionKind::kDestroy:
        steps.push_back({i, StepKind::kDelete});
        break;
    }
  }
  return steps;
}

ExpectedState StateOf(const std::vector<LiveProfile>& live) {
  ExpectedState state;
  for (const LiveProfile& p : live) {
    std::vector<std::string> models = p.model_arns;
    std::sort(models.begin(), models.end());
    state.insert_or_assign(p.name, ExpectedProfile{.description = Normalized(p.description),
                                                   .models = {.arns = std::move(models)},
                                                   .tags = p.tags});
  }
  return state;
}

void ApplyStep(const Plan& plan, const Step& step, ExpectedState& state) {
  const Action& a = plan.actions[step.action];
  switch (step.kind) {
    case StepKind::kCreate:
      if (a.after) state.insert_or_assign(a.name, FromDesired(*a.after));
      break;
    case StepKind::kTag:
      if (auto it = state.find(a.name); it != state.end()) {
        for (auto& [key, value] : TagUpserts(a.tag_changes))
          it->second.tags.insert_or_assign(key, value);
      }
      break;
    case StepKind::kUntag:
      if (auto it = state.find(a.name); it != state.end()) {
        for (const std::string& key : TagRemovals(a.tag_changes)) it->second.tags.erase(key);
      }
      break;
    case StepKind::kDelete:
      state.erase(a.name);
      break;
  }
}

std::vector<ExpectedState> PredictStates(const Plan& plan, const std::vector<Step>& steps) {
  std::vector<ExpectedState> states;
  states.push_back(StateOf(plan.live));
  for (const Step& step : steps) {
    ExpectedState next = states.back();
    ApplyStep(plan, step, next);
    states.push_back(std::move(next));
  }
  return states;
}

bool Matches(const ExpectedState& expected, const std::vector<LiveProfile>& live) {
  if (expected.size() != live.size()) return false;
  for (const LiveProfile& p : live) {
    auto it = expected.find(p.name);
    if (it == expected.end() || !ProfileMatches(it->second, p)) return false;
  }
  return true;
}

std::vector<std::string> Differences(const ExpectedState& expected,
                                     const std::vector<LiveProfile>& live, size_t max) {
  std::vector<std::string> lines;
  std::set<std::string_view> seen;
  for (const LiveProfile& p : live) {
    seen.insert(p.name);
    auto it = expected.find(p.name);
    if (it == expected.end()) {
      lines.push_back(p.name + ": new (" + p.arn + ")");
      continue;
    }
    const ExpectedProfile& e = it->second;
    if (e.description != Normalized(p.description))
      lines.push_back(p.name + ": description differs");
    if (!e.models.Matches(p.model_arns)) lines.push_back(p.name + ": models differ");
    if (e.tags != p.tags) {
      lines.push_back(p.name + ": tags differ (" + TagKeysDiffering(e.tags, p.tags) + ")");
    }
  }
  for (const auto& [name, profile] : expected) {
    if (!seen.contains(name)) lines.push_back(name + ": gone");
  }
  std::sort(lines.begin(), lines.end());
  if (lines.size() > max) {
    size_t more = lines.size() - max;
    lines.resize(max);
    lines.push_back("... and " + std::to_string(more) + " more");
  }
  return lines;
}

}  // namespace bp::planner::internal
