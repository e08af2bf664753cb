#pragma once
// Test-only (linked into the backends test binaries, never into a library):
// an OutputSink that logs every call with its virtual time and also feeds a
// ResponseCollector, plus a hook run after each call (e.g. to destroy the
// invocation from inside a callback).

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "testing/manual_event_loop.h"

namespace bp::backends::testing {

class RecordingSink final : public OutputSink {
 public:
  struct Event {
    std::chrono::milliseconds at;
    std::string what;  // "start 12", "text_start 0", "delta 0 ' world'", "finish end_turn", ...
  };

  explicit RecordingSink(const bp::testing::ManualEventLoop& loop) : loop_(loop) {}

  void OnStart(int64_t input_tokens) override {
    collector.OnStart(input_tokens);
    Log("start " + std::to_string(input_tokens));
  }
  void OnTextStart(int index) override {
    collector.OnTextStart(index);
    Log("text_start " + std::to_string(index));
  }
  void OnToolUseStart(int index, std::string_view id, std::string_view name) override {
    collector.OnToolUseStart(index, id, name);
    Log("tool_start " + std::to_string(index) + " " + std::string(name));
  }
  void OnTextDelta(int index, std::string_view text) override {
    collector.OnTextDelta(index, text);
    ++text_deltas;
    Log("delta " + std::to_string(index) + " '" + std::string(text) + "'");
  }
  void OnToolInputDelta(int index, std::string_view fragment) override {
    collector.OnToolInputDelta(index, fragment);
    ++tool_deltas;
    Log("tool_delta " + std::to_string(index) + " " + std::string(fragment));
  }
  void OnReasoningStart(int index) override {
    collector.OnReasoningStart(index);
    Log("reasoning_start " + std::to_string(index));
  }
  void OnReasoningDelta(int index, std::string_view text) override {
    collector.OnReasoningDelta(index, text);
    ++reasoning_deltas;
    Log("reasoning_delta " + std::to_string(index) + " '" + std::string(text) + "'");
  }
  void OnReasoningSignature(int index, std::string_view signature) override {
    collector.OnReasoningSignature(index, signature);
    Log("signature " + std::to_string(index) + " " + std::string(signature));
  }
  void OnBlockStop(int index) override {
    collector.OnBlockStop(index);
    Log("stop " + std::to_string(index));
  }
  void OnFinish(StopReason reason, std::string_view stop_sequence, const Usage& usage) override {
    collector.OnFinish(reason, stop_sequence, usage);
    ++terminal_calls;
    Log("finish " + std::string(StopReasonName(reason)));
  }
  void OnError(const Status& status) override {
    collector.OnError(status);
    ++terminal_calls;
    Log("error " + std::string(ErrorCodeName(status.code())) + ": " + status.message());
  }

  // Events whose text starts with `prefix`.
  int Count(std::string_view prefix) const {
    int n = 0;
    for (const Event& e : events) n += e.what.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }

  ResponseCollector collector;
  std::vector<Event> events;
  int text_deltas = 0;
  int tool_deltas = 0;
  int reasoning_deltas = 0;
  int terminal_calls = 0;
  std::function<void(const Event&)> after_event;  // optional hook

 private:
  void Log(std::string what) {
    events.push_back({loop_.now(), std::move(what)});
    if (after_event) after_event(events.back());
  }

  const bp::testing::ManualEventLoop& loop_;
};

}  // namespace bp::backends::testing
