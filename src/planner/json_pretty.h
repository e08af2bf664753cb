#pragma once
// Indented JSON for files people read (plan files, `output --json`). Private
// to bp_planner.

#include <string>

#include "json/json.h"

namespace bp::planner::internal {

// Two-space indentation, one member or element per line, "key": value,
// empty containers as {} and [], no trailing newline. Member order is kept.
std::string PrettyJson(const json::Value& value);

}  // namespace bp::planner::internal
