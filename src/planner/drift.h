#pragma once
// Drift: how far the live profiles are from the config, in the words of a
// plan (what `plan` would do about each one), for `serve`'s banner and its
// /readyz details. Pure logic over a Plan. Public header of bp_planner.

#include <cstddef>
#include <string>
#include <vector>

#include "planner/plan.h"

namespace bp::planner {

struct Drift {
  // Each list is by name, in plan order.
  std::vector<std::string> missing;       // configured, not live (plan: create)
  std::vector<std::string> tags;          // only tags differ, the management tag included (update)
  std::vector<std::string> replaced;      // description or model source differ (replace)
  std::vector<std::string> unconfigured;  // managed, no longer in the config (destroy)

  // Profiles that differ from the config: the plan's action count.
  size_t Count() const;
  // "the profiles match the config", or "2 profiles differ from the config; run plan".
  std::string Sentence() const;
  // "rd-haiku-45 (tags), rd-x (missing)" in plan order; empty without drift.
  std::string Names() const;
  bool operator==(const Drift&) const = default;
};

// The drift a plan shows: one entry per action.
Drift DriftOf(const Plan& plan);

}  // namespace bp::planner
