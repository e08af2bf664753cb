#pragma once
// The simulated model's whole answer to one request, computed once at Start
// and then streamed piece by piece. Private to bp_backends_simulated. Pure
// functions; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"

namespace bp::backends::simulated {

// One content block. Its deltas are slices of `body`, so streaming allocates
// nothing per delta.
struct PlannedBlock {
  bool tool_use = false;
  bool reasoning = false;      // a reasoning block (tool_use false)
  std::string tool_use_id;     // tool_use only
  std::string tool_name;       // tool_use only
  std::string signature;       // reasoning only
  std::string body;            // the text (or reasoning), or the compact tool input JSON
  std::vector<uint32_t> ends;  // delta i is body[ends[i-1], ends[i]), ends[-1] == 0
};

struct Answer {
  Status error;  // not OK: the invocation ends with OnError(error) and nothing else
  int64_t input_tokens = 0;
  std::vector<PlannedBlock> blocks;  // never a block without deltas
  StopReason stop_reason = StopReason::kEndTurn;
  std::string stop_sequence;  // kStopSequence only
  int64_t output_tokens = 0;  // reasoning and text deltas + tokens of the tool input JSON
};

// The answer to `request` (behaviour documented in simulated_backend.h).
// `default_max_tokens` applies when request.max_tokens <= 0; REQUIRES: > 0.
Answer ComposeAnswer(const ModelRequest& request, int32_t default_max_tokens);

}  // namespace bp::backends::simulated
