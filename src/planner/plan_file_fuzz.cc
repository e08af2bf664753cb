// libFuzzer target: arbitrary bytes as a plan file and as a live-profiles
// file. Parsing never crashes; a plan that parses serialises back to text
// that parses to the same plan, and renders.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "planner/plan_file.h"
#include "planner/render.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bp::Result<bp::planner::Plan> plan = bp::planner::ParsePlan(text, "fuzz.plan");
  if (plan.ok()) {
    bp::Result<bp::planner::Plan> again =
        bp::planner::ParsePlan(bp::planner::SerializePlan(*plan), "fuzz.plan");
    if (!again.ok() || !(*again == *plan)) std::abort();
    (void)bp::planner::Render(*plan);
  }
  (void)bp::planner::ParseLiveProfiles(text, "live.json");
  return 0;
}
