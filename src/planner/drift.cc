#include "planner/drift.h"

namespace bp::planner {

namespace {

std::string_view Reason(ActionKind kind) {
  switch (kind) {
    case ActionKind::kCreate:
      return "missing";
    case ActionKind::kUpdate:
      return "tags";
    case ActionKind::kReplace:
      return "description or model source";
    case ActionKind::kDestroy:
      return "not in the config";
  }
  return "differs";
}

}  // namespace

size_t Drift::Count() const {
  return missing.size() + tags.size() + replaced.size() + unconfigured.size();
}

std::string Drift::Sentence() const {
  const size_t n = Count();
  if (n == 0) return "the profiles match the config";
  return std::to_string(n) + (n == 1 ? " profile differs" : " profiles differ") +
         " from the config; run plan";
}

Drift DriftOf(const Plan& plan) {
  Drift drift;
  for (const Action& a : plan.actions) {
    switch (a.kind) {
      case ActionKind::kCreate:
        drift.missing.push_back(a.name);
        break;
      case ActionKind::kUpdate:
        drift.tags.push_back(a.name);
        break;
      case ActionKind::kReplace:
        drift.replaced.push_back(a.name);
        break;
      case ActionKind::kDestroy:
        drift.unconfigured.push_back(a.name);
        break;
    }
  }
  return drift;
}

std::string Drift::Names() const {
  std::string out;
  auto add = [&out](const std::vector<std::string>& names, ActionKind kind) {
    for (const std::string& name : names) {
      if (!out.empty()) out += ", ";
      out += name + " (" + std::string(Reason(kind)) + ")";
    }
  };
  add(missing, ActionKind::kCreate);
  add(tags, ActionKind::kUpdate);
  add(replaced, ActionKind::kReplace);
  add(unconfigured, ActionKind::kDestroy);
  return out;
}

}  // namespace bp::planner
