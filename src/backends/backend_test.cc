#include "backends/backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::backends {
namespace {

using ::bp::testing::StatusIs;

TEST(StopReasonNameTest, UsesTheWireStrings) {
  EXPECT_EQ(StopReasonName(StopReason::kEndTurn), "end_turn");
  EXPECT_EQ(StopReasonName(StopReason::kMaxTokens), "max_tokens");
  EXPECT_EQ(StopReasonName(StopReason::kStopSequence), "stop_sequence");
  EXPECT_EQ(StopReasonName(StopReason::kToolUse), "tool_use");
  EXPECT_EQ(StopReasonName(StopReason::kContentFiltered), "content_filtered");
  EXPECT_EQ(StopReasonName(StopReason::kModelContextWindowExceeded),
            "model_context_window_exceeded");
}

TEST(StopReasonNameTest, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(StopReason::kModelContextWindowExceeded); ++i) {
    const auto reason = static_cast<StopReason>(i);
    EXPECT_EQ(StopReasonFromName(StopReasonName(reason)), reason) << i;
  }
  EXPECT_FALSE(StopReasonFromName("refusal").has_value());
}

TEST(ServiceTierNameTest, NamesRoundTrip) {
  for (ServiceTier tier : {ServiceTier::kDefault, ServiceTier::kPriority, ServiceTier::kFlex,
                           ServiceTier::kReserved}) {
    EXPECT_EQ(ServiceTierFromName(ServiceTierName(tier)), tier);
  }
  EXPECT_EQ(ServiceTierName(ServiceTier::kFlex), "flex");
  EXPECT_FALSE(ServiceTierFromName("standard").has_value());
  EXPECT_FALSE(ServiceTierFromName("Flex").has_value());
}

TEST(ResponseCollectorTest, AssemblesTextAndToolBlocksInIndexOrder) {
  ResponseCollector c;
  EXPECT_FALSE(c.started());
  c.OnStart(12);
  EXPECT_TRUE(c.started());
  c.OnTextStart(0);
  c.OnTextDelta(0, "I'll");
  c.OnTextDelta(0, " check");
  c.OnBlockStop(0);
  c.OnToolUseStart(1, "tooluse_abc", "get_weather");
  c.OnToolInputDelta(1, "{\"city\":");
  c.OnToolInputDelta(1, "\"Paris\"}");
  c.OnBlockStop(1);
  EXPECT_FALSE(c.done());
  c.OnFinish(StopReason::kToolUse, "", Usage{12, 5, 0, 0});
  ASSERT_TRUE(c.done());
  EXPECT_OK(c.status());

  const ModelResponse& r = c.response();
  ASSERT_EQ(r.content.size(), 2u);
  EXPECT_EQ(r.content[0].kind, ContentBlock::Kind::kText);
  EXPECT_EQ(r.content[0].text, "I'll check");
  EXPECT_EQ(r.content[1].kind, ContentBlock::Kind::kToolUse);
  EXPECT_EQ(r.content[1].tool_use_id, "tooluse_abc");
  EXPECT_EQ(r.content[1].tool_name, "get_weather");
  EXPECT_EQ(r.content[1].input_json, "{\"city\":\"Paris\"}");
  EXPECT_EQ(r.stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r.usage.input_tokens, 12);
  EXPECT_EQ(r.usage.output_tokens, 5);
}

TEST(ResponseCollectorTest, KeepsTheStopSequence) {
  ResponseCollector c;
  c.OnStart(3);
  c.OnTextStart(0);
  c.OnTextDelta(0, "one");
  c.OnBlockStop(0);
  c.OnFinish(StopReason::kStopSequence, "STOP", Usage{3, 1, 0, 0});
  EXPECT_EQ(c.response().stop_reason, StopReason::kStopSequence);
  EXPECT_EQ(c.response().stop_sequence, "STOP");
}

TEST(ResponseCollectorTest, RecordsAnErrorAndIgnoresLaterCalls) {
  ResponseCollector c;
  c.OnError(Status(ErrorCode::kThrottling, "slow down"));
  EXPECT_TRUE(c.done());
  EXPECT_FALSE(c.started());
  EXPECT_THAT(c.status(), StatusIs(ErrorCode::kThrottling));
  c.OnStart(5);
  c.OnTextStart(0);
  c.OnTextDelta(0, "late");
  c.OnFinish(StopReason::kEndTurn, "", Usage{});
  EXPECT_FALSE(c.started());
  EXPECT_TRUE(c.response().content.empty());
  EXPECT_THAT(c.status(), StatusIs(ErrorCode::kThrottling));
}

TEST(ResponseCollectorTest, AnOkErrorStatusBecomesInternal) {
  ResponseCollector c;
  c.OnError(Status::Ok());
  EXPECT_THAT(c.status(), StatusIs(ErrorCode::kInternal));
}

TEST(ResponseCollectorTest, DropsOutOfRangeIndices) {
  ResponseCollector c;
  c.OnStart(1);
  c.OnTextDelta(-1, "negative");
  c.OnTextDelta(1 << 30, "huge");
  c.OnToolUseStart(5000, "id", "name");
  EXPECT_TRUE(c.response().content.empty());
  c.OnTextDelta(0, "ok");
  ASSERT_EQ(c.response().content.size(), 1u);
  EXPECT_EQ(c.response().content[0].text, "ok");
}

}  // namespace
}  // namespace bp::backends
