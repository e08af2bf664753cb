// libFuzzer target: ComposeAnswer over hostile prompts, tool schemas and stop
// sequences. Checks the invariants streaming relies on; any violation aborts.
//
// Input: byte 0 -> max_tokens (0..255, 0 = default), byte 1 -> tool_choice
// (bits 0-1) and thinking_budget (bits 3-7, when bit 2 is set), then
// NUL-separated fields: user text, tool schema JSON, stop sequences...

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "backends/simulated/answer.h"
#include "backends/tokenizer.h"
#include "json/json.h"

namespace {

using bp::backends::ContentBlock;
using bp::backends::ModelRequest;
using bp::backends::StopReason;
using bp::backends::ToolChoice;

void Check(bool ok) {
  if (!ok) std::abort();
}

ModelRequest RequestFrom(const uint8_t* data, size_t size) {
  ModelRequest request;
  request.model_id = "fuzz.model-v1:0";
  request.max_tokens = data[0];
  request.tool_choice = static_cast<ToolChoice>(data[1] % 4);
  if ((data[1] & 4) != 0) request.thinking_budget = 1 + data[1] / 8;
  std::vector<std::string> fields;
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  for (size_t pos = 0; pos <= rest.size();) {
    const size_t end = std::min(rest.find('\0', pos), rest.size());
    fields.emplace_back(rest.substr(pos, end - pos));
    pos = end + 1;
  }
  ContentBlock text;
  text.text = fields[0];
  request.messages.push_back({bp::backends::Role::kUser, {text}});
  if (fields.size() > 1) request.tools.push_back({"get_weather", "fuzzed", fields[1]});
  request.tool_choice_name = "get_weather";
  for (size_t i = 2; i < fields.size(); ++i) request.stop_sequences.push_back(fields[i]);
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const ModelRequest request = RequestFrom(data, size);
  const auto answer = bp::backends::simulated::ComposeAnswer(request, 64);
  if (!answer.error.ok()) return 0;
  const int64_t budget = request.max_tokens > 0 ? request.max_tokens : 64;
  int64_t output = 0;
  for (size_t b = 0; b < answer.blocks.size(); ++b) {
    const auto& block = answer.blocks[b];
    Check(!block.ends.empty() && block.ends.back() == block.body.size());
    Check(block.reasoning == (b == 0 && request.thinking_budget > 0));
    if (block.reasoning) {
      Check(!block.signature.empty());
      Check(static_cast<int64_t>(block.ends.size()) <= request.thinking_budget);
      output += static_cast<int64_t>(block.ends.size());
      continue;
    }
    for (size_t i = 1; i < block.ends.size(); ++i) Check(block.ends[i - 1] < block.ends[i]);
    if (block.tool_use) {
      Check(bp::json::Parse(block.body).ok());
      output += bp::backends::CountTokens(block.body);
      continue;
    }
    Check(bp::backends::CountTokens(block.body) == static_cast<int64_t>(block.ends.size()));
    output += static_cast<int64_t>(block.ends.size());
    for (const std::string& stop : request.stop_sequences) {
      Check(stop.empty() || block.body.find(stop) == std::string::npos);
    }
  }
  Check(output == answer.output_tokens);
  Check(output <= budget);
  Check((answer.stop_reason == StopReason::kStopSequence) == !answer.stop_sequence.empty());
  return 0;
}
