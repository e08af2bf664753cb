#pragma once
// Test-only helpers shared by the api/runtime unit tests (header-only; never
// linked into the product).

#include <optional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "eventstream/eventstream.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::api::testing {

// The JSON value of `text`; a test failure (and null) when it does not parse.
inline json::Value ParseOrDie(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_OK(v) << text;
  return v.ok() ? *v : json::Value();
}

// Every event-stream frame in `bytes`, which must hold whole frames only.
inline std::vector<eventstream::Frame> DecodeFrames(std::string_view bytes) {
  eventstream::Decoder decoder;
  decoder.Feed(bytes);
  std::vector<eventstream::Frame> frames;
  for (;;) {
    Result<std::optional<eventstream::Frame>> next = decoder.Next();
    EXPECT_OK(next);
    if (!next.ok() || !next->has_value()) break;
    frames.push_back(std::move(**next));
  }
  EXPECT_OK(decoder.Finish());
  return frames;
}

}  // namespace bp::api::testing
