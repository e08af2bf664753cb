#pragma once
// Indented JSON for files people read (plan files, `output --json`, the
// policies `policy --principal` prints). Public header of bp_planner.

#include <string>

#include "json/json.h"

namespace bp::planner {

// Two-space indentation, one member or element per line, "key": value,
// empty containers as {} and [], no trailing newline. Member order is kept.
std::string PrettyJson(const json::Value& value);

}  // namespace bp::planner
