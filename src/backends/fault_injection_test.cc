#include "backends/fault_injection.h"

#include <chrono>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/recording_sink.h"
#include "testing/manual_event_loop.h"
#include "testing/testing.h"

namespace bp::backends {
namespace {

using ::bp::backends::testing::RecordingSink;
using ::bp::testing::ManualEventLoop;
using ::bp::testing::StatusIs;
using std::chrono::milliseconds;
using ::testing::ElementsAre;

struct ScriptStats {
  int starts = 0;
  int live = 0;
  int destroyed_in_callback = 0;  // the decorator itself must never cause this
};

// Streams a fixed list of text deltas, one per 10 ms tick (or all in the
// first tick). Like every backend it tolerates being destroyed from inside a
// sink call, and counts when that happens.
class ScriptedInvocation final : public Invocation {
 public:
  ScriptedInvocation(EventLoop& loop, OutputSink& sink, ScriptStats& stats,
                     std::vector<std::string> deltas, bool all_at_once)
      : loop_(loop),
        sink_(sink),
        stats_(stats),
        deltas_(std::move(deltas)),
        all_at_once_(all_at_once) {
    ++stats_.live;
    timer_ = loop_.After(milliseconds(10), [this] { Tick(); });
  }
  ~ScriptedInvocation() override {
    --stats_.live;
    if (gone_ != nullptr) {
      ++stats_.destroyed_in_callback;
      *gone_ = true;
    }
  }

 private:
  void Tick() {
    bool gone = false;
    gone_ = &gone;
    if (!Emit(gone) && !gone) {
      gone_ = nullptr;
      timer_ = loop_.After(milliseconds(10), [this] { Tick(); });
    }
  }

  // True when finished (or destroyed).
  bool Emit(const bool& gone) {
    if (next_ == 0) {
      sink_.OnStart(7);
      if (gone) return true;
      if (!deltas_.empty()) sink_.OnTextStart(0);
      if (gone) return true;
    }
    do {
      if (next_ < deltas_.size()) sink_.OnTextDelta(0, deltas_[next_]);
      if (gone) return true;
      ++next_;
    } while (all_at_once_ && next_ < deltas_.size());
    if (next_ < deltas_.size()) return false;
    if (!deltas_.empty()) sink_.OnBlockStop(0);
    if (gone) return true;
    gone_ = nullptr;
    sink_.OnFinish(StopReason::kEndTurn, "", Usage{7, static_cast<int64_t>(deltas_.size()), 0, 0});
    return true;
  }

  EventLoop& loop_;
  OutputSink& sink_;
  ScriptStats& stats_;
  const std::vector<std::string> deltas_;
  const bool all_at_once_;
  std::unique_ptr<TimerHandle> timer_;
  size_t next_ = 0;
  bool* gone_ = nullptr;
};

class ScriptedBackend final : public ModelBackend {
 public:
  ScriptedBackend(ScriptStats& stats, std::vector<std::string> deltas, bool all_at_once)
      : stats_(stats), deltas_(std::move(deltas)), all_at_once_(all_at_once) {}
  std::unique_ptr<Invocation> Start(const ModelRequest&, EventLoop& loop,
                                    OutputSink& sink) override {
    ++stats_.starts;
    return std::make_unique<ScriptedInvocation>(loop, sink, stats_, deltas_, all_at_once_);
  }
  int64_t CountInputTokens(const ModelRequest& request) const override {
    return 40 + static_cast<int64_t>(request.system.size());
  }

 private:
  ScriptStats& stats_;
  const std::vector<std::string> deltas_;
  const bool all_at_once_;
};

class FaultInjectionTest : public ::testing::Test {
 protected:
  FaultInjectionTest() { request_.region = "eu-west-3"; }

  std::unique_ptr<FaultInjectingBackend> Make(FaultOptions options,
                                              std::vector<std::string> deltas = {"Hello", " world"},
                                              bool all_at_once = false) {
    return std::make_unique<FaultInjectingBackend>(
        std::make_unique<ScriptedBackend>(stats_, std::move(deltas), all_at_once), options);
  }

  // Runs one call to the end; the sink must not be called inside Start.
  std::unique_ptr<RecordingSink> RunOne(ModelBackend& backend) {
    auto sink = std::make_unique<RecordingSink>(loop_);
    auto invocation = backend.Start(request_, loop_, *sink);
    EXPECT_TRUE(sink->events.empty()) << "sink called from inside Start";
    loop_.RunUntilIdle();
    EXPECT_EQ(sink->terminal_calls, 1);
    return sink;
  }

  ManualEventLoop loop_;
  ScriptStats stats_;
  ModelRequest request_;
};

TEST_F(FaultInjectionTest, NoFaultsPassesTheAnswerThrough) {
  auto backend = Make({});
  for (int i = 0; i < 200; ++i) {
    auto sink = RunOne(*backend);
    ASSERT_OK(sink->collector.status());
    ASSERT_EQ(sink->collector.response().content.size(), 1u);
    EXPECT_EQ(sink->collector.response().content[0].text, "Hello world");
  }
  EXPECT_EQ(stats_.starts, 200);
  EXPECT_EQ(stats_.live, 0);
}

TEST_F(FaultInjectionTest, OutageFailsEveryCallBeforeOutput) {
  auto backend = Make({.outage = true});
  for (int i = 0; i < 20; ++i) {
    auto sink = RunOne(*backend);
    EXPECT_FALSE(sink->collector.started());
    EXPECT_THAT(sink->collector.status(), StatusIs(ErrorCode::kServiceUnavailable));
    EXPECT_EQ(sink->collector.status().message(), "eu-west-3 is unavailable (simulated outage)");
  }
  EXPECT_EQ(stats_.starts, 0);
}

TEST_F(FaultInjectionTest, ThrottleRateOneAlwaysThrottles) {
  auto backend = Make({.throttle_rate = 1.0});
  for (int i = 0; i < 50; ++i) {
    auto sink = RunOne(*backend);
    EXPECT_FALSE(sink->collector.started());
    EXPECT_THAT(sink->collector.status(), StatusIs(ErrorCode::kThrottling));
    EXPECT_EQ(sink->collector.status().message(),
              "Too many requests, please wait before trying again.");
  }
  EXPECT_EQ(stats_.starts, 0);
}

TEST_F(FaultInjectionTest, ErrorRateOneAlwaysFailsWithTheRegionNamed) {
  auto backend = Make({.error_rate = 1.0});
  auto sink = RunOne(*backend);
  EXPECT_FALSE(sink->collector.started());
  EXPECT_THAT(sink->collector.status(), StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(sink->collector.status().message(),
            "The model in eu-west-3 failed to answer (simulated fault)");
}

TEST_F(FaultInjectionTest, NanAndNegativeRatesNeverFire) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto backend = Make({.error_rate = nan, .throttle_rate = -1, .mid_stream_error_rate = nan});
  for (int i = 0; i < 100; ++i) EXPECT_OK(RunOne(*backend)->collector.status());
}

// Counts calls failing with `code` out of `calls`.
int CountFailures(ModelBackend& backend, ManualEventLoop& loop, const ModelRequest& request,
                  int calls, std::vector<bool>* pattern = nullptr) {
  int failures = 0;
  for (int i = 0; i < calls; ++i) {
    RecordingSink sink(loop);
    auto invocation = backend.Start(request, loop, sink);
    loop.RunUntilIdle();
    const bool failed = !sink.collector.status().ok();
    failures += failed ? 1 : 0;
    if (pattern != nullptr) pattern->push_back(failed);
  }
  return failures;
}

TEST_F(FaultInjectionTest, RatesHoldOverManyCallsAndAreDeterministic) {
  std::vector<bool> first;
  std::vector<bool> second;
  std::vector<bool> other_seed;
  auto a = Make({.error_rate = 0.3, .seed = 42});
  auto b = Make({.error_rate = 0.3, .seed = 42});
  auto c = Make({.error_rate = 0.3, .seed = 43});
  const int failures = CountFailures(*a, loop_, request_, 1000, &first);
  EXPECT_GE(failures, 240);
  EXPECT_LE(failures, 360);
  CountFailures(*b, loop_, request_, 1000, &second);
  CountFailures(*c, loop_, request_, 1000, &other_seed);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other_seed);
}

TEST_F(FaultInjectionTest, ThrottleAndMidStreamRatesHoldOverManyCalls) {
  auto throttled = Make({.throttle_rate = 0.1, .seed = 7});
  const int t = CountFailures(*throttled, loop_, request_, 1000);
  EXPECT_GE(t, 60);
  EXPECT_LE(t, 140);
  auto mid = Make({.mid_stream_error_rate = 0.5, .seed = 7});
  const int m = CountFailures(*mid, loop_, request_, 1000);
  EXPECT_GE(m, 430);
  EXPECT_LE(m, 570);
  EXPECT_EQ(stats_.live, 0);
  EXPECT_EQ(stats_.destroyed_in_callback, 0);
}

TEST_F(FaultInjectionTest, MidStreamErrorComesAfterTheFirstDeltaAndReplacesTheFinish) {
  auto backend = Make({.mid_stream_error_rate = 1.0}, {"Hello", " there", " world"});
  auto sink = RunOne(*backend);
  std::vector<std::string> what;
  for (const auto& e : sink->events) what.push_back(e.what);
  EXPECT_THAT(what, ElementsAre("start 7", "text_start 0", "delta 0 'Hello'",
                                "error ModelStreamError: The model stream failed mid-answer "
                                "(simulated fault)"));
  EXPECT_EQ(sink->Count("finish"), 0);
  EXPECT_EQ(stats_.live, 0);  // the inner invocation was released by the posted task
  EXPECT_EQ(stats_.destroyed_in_callback, 0);
}

TEST_F(FaultInjectionTest, MidStreamErrorWhenTheInnerAnswerComesInOneCallback) {
  auto backend = Make({.mid_stream_error_rate = 1.0}, {"a", " b", " c"}, /*all_at_once=*/true);
  auto sink = RunOne(*backend);
  EXPECT_EQ(sink->text_deltas, 1);
  EXPECT_EQ(sink->Count("stop"), 0);
  EXPECT_EQ(sink->Count("finish"), 0);
  EXPECT_THAT(sink->collector.status(), StatusIs(ErrorCode::kModelStreamError));
  EXPECT_EQ(stats_.live, 0);
  EXPECT_EQ(stats_.destroyed_in_callback, 0);
}

TEST_F(FaultInjectionTest, MidStreamErrorReplacesTheFinishOfAnEmptyAnswer) {
  auto backend = Make({.mid_stream_error_rate = 1.0}, {});
  auto sink = RunOne(*backend);
  EXPECT_TRUE(sink->collector.started());
  EXPECT_EQ(sink->Count("finish"), 0);
  EXPECT_THAT(sink->collector.status(), StatusIs(ErrorCode::kModelStreamError));
}

TEST_F(FaultInjectionTest, DestroyingTheHandleSuppressesAPostedError) {
  auto backend = Make({.throttle_rate = 1.0});
  RecordingSink sink(loop_);
  auto invocation = backend->Start(request_, loop_, sink);
  invocation.reset();
  loop_.RunUntilIdle();
  EXPECT_TRUE(sink.events.empty());
}

TEST_F(FaultInjectionTest, DestroyingTheHandleMidStreamStopsEverything) {
  auto backend = Make({.mid_stream_error_rate = 1.0}, {"Hello", " world"});
  RecordingSink sink(loop_);
  std::unique_ptr<Invocation> invocation;
  sink.after_event = [&](const RecordingSink::Event& e) {
    if (e.what.rfind("delta", 0) == 0) invocation.reset();  // from inside the callback
  };
  invocation = backend->Start(request_, loop_, sink);
  loop_.RunUntilIdle();
  EXPECT_EQ(sink.terminal_calls, 0);
  EXPECT_EQ(sink.text_deltas, 1);
  EXPECT_EQ(stats_.live, 0);
  EXPECT_EQ(stats_.destroyed_in_callback, 1);  // the caller's choice, which backends tolerate
}

TEST_F(FaultInjectionTest, CountInputTokensForwardsEvenDuringAnOutage) {
  auto backend = Make({.outage = true});
  request_.system = {"a", "b"};
  EXPECT_EQ(backend->CountInputTokens(request_), 42);
}

}  // namespace
}  // namespace bp::backends
