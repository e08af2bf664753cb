#pragma once
// Test-only helpers of bp_backends_upstream's tests: a sink the client loop
// calls while the test thread waits for the terminal call.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "http/test_clients.h"

namespace bp::backends::upstream::testing {

using http::testing::kDeadline;

// A sink the client loop calls while the test thread waits.
class WaitingSink final : public OutputSink {
 public:
  void OnStart(int64_t input_tokens) override { Add("start " + std::to_string(input_tokens)); }
  void OnTextStart(int index) override { Add("text_start " + std::to_string(index)); }
  void OnToolUseStart(int index, std::string_view id, std::string_view name) override {
    Add("tool_start " + std::to_string(index) + " " + std::string(id) + " " + std::string(name));
  }
  void OnTextDelta(int index, std::string_view text) override {
    Add("delta " + std::to_string(index) + " " + std::string(text));
    if (on_delta) on_delta();
  }
  void OnToolInputDelta(int index, std::string_view json) override {
    Add("tool_delta " + std::to_string(index) + " " + std::string(json));
  }
  void OnReasoningStart(int index) override { Add("reasoning_start " + std::to_string(index)); }
  void OnReasoningDelta(int index, std::string_view text) override {
    Add("reasoning_delta " + std::to_string(index) + " " + std::string(text));
  }
  void OnReasoningSignature(int index, std::string_view) override {
    Add("signature " + std::to_string(index));
  }
  void OnBlockStop(int index) override { Add("stop " + std::to_string(index)); }
  void OnFinish(StopReason reason, std::string_view, const Usage& usage) override {
    Add("finish " + std::string(StopReasonName(reason)) +
            " in=" + std::to_string(usage.input_tokens) +
            " out=" + std::to_string(usage.output_tokens) + (usage.estimated ? " estimated" : ""),
        true);
  }
  void OnError(const Status& status) override {
    Add("error " + std::string(ErrorCodeName(status.code())) + ": " + status.message(), true);
  }

  bool WaitDone() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return done_; });
  }
  // Waits until an event equal to `what` was recorded.
  bool WaitFor(const std::string& what) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] {
      return std::find(events_.begin(), events_.end(), what) != events_.end();
    });
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::string last() {
    std::lock_guard lock(mu_);
    return events_.empty() ? "" : events_.back();
  }

  std::function<void()> on_delta;  // runs on the loop
  // What Backlog() reports (bytes the caller has queued for its client).
  std::atomic<size_t> backlog{0};
  size_t Backlog() const override { return backlog.load(); }

 private:
  void Add(std::string what, bool terminal = false) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(what));
    if (terminal) done_ = true;
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
  bool done_ = false;
};

}  // namespace bp::backends::upstream::testing
