#pragma once
// What the non-streaming decoder and the stream translator share: messages
// for malformed answers, reading usage and choosing the stop sequence.
// Private to bp_backends_bedrock. Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"
#include "json/json.h"

namespace bp::backends::bedrock {

// `code` with "Amazon Bedrock in <region> answered a malformed <what>: <detail>".
Status Malformed(ErrorCode code, std::string_view region, std::string_view what,
                 std::string_view detail);

// "$.usage.inputTokens: expected a non-negative integer, got a string".
std::string Expected(std::string_view path, std::string_view what, const json::Value& got);

// Token counts Bedrock reported; absent when it did not.
struct UpstreamUsage {
  std::optional<int64_t> input;
  std::optional<int64_t> output;
  int64_t cache_read = 0;
  int64_t cache_write = 0;
  int64_t cache_write_1h = 0;
};

// Reads a Converse `usage` object at `path` (null or absent `usage`: leaves
// `out` as it is). A member of the wrong kind or a negative count is an
// error naming it.
Status ReadUsage(const json::Value* usage, std::string_view path, UpstreamUsage& out);

// The usage to report: Bedrock's figures, with the estimates where it gave
// none (Usage::estimated then set).
Usage ResolveUsage(const UpstreamUsage& upstream, int64_t input_estimate, int64_t output_estimate);

// The matched stop sequence of a kStopSequence answer: from
// additionalModelResponseFields (`fields`, may be null), else the only one
// the request had, else empty.
std::string StopSequence(const json::Value* fields, const std::vector<std::string>& requested);

}  // namespace bp::backends::bedrock
