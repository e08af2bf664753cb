#include "metering/usage_series.h"

#include <gtest/gtest.h>

namespace bp::metering {
namespace {

UsageRollup Rollup(int64_t t, std::string profile, int64_t requests, int64_t cost,
                   int64_t errors = 0) {
  UsageRollup r;
  r.key.start_ms = t;
  r.key.profile_name = std::move(profile);
  r.key.principal = "arn:aws:iam::123456789012:role/rd-e2e";
  r.requests = requests;
  r.errors = errors;
  r.tokens.input = 10 * requests;
  r.tokens.output = 5 * requests;
  r.tokens.cache_read = 1;
  r.tokens.cache_write_1h = 2;
  r.cost_micro_usd = cost;
  return r;
}

SeriesOptions Options(size_t top = 8) {
  return {.by = {.kind = Dimension::Kind::kProfile, .key = {}},
          .from_ms = 0,
          .to_ms = 3 * kHourMs,
          .bucket_ms = kHourMs,
          .top = top};
}

TEST(UsageSeriesTest, SumsRollupsIntoBucketsAndLines) {
  SeriesAggregator agg(Options());
  agg.Add(Rollup(0, "a", 2, 100));
  agg.Add(Rollup(0, "a", 1, 50, /*errors=*/1));  // another key of the same hour and profile
  agg.Add(Rollup(2 * kHourMs, "a", 4, 10));
  agg.Add(Rollup(kHourMs, "b", 1, 500));
  agg.Add(Rollup(3 * kHourMs, "a", 9, 9));  // outside the window
  agg.Add(Rollup(-kHourMs, "a", 9, 9));     // outside the window
  UsageSeries s = std::move(agg).Finish();
  ASSERT_EQ(s.buckets, (std::vector<int64_t>{0, kHourMs, 2 * kHourMs}));
  ASSERT_EQ(s.lines.size(), 2u);
  EXPECT_EQ(s.lines[0].key, "b");  // costliest first
  EXPECT_EQ(s.lines[1].key, "a");
  EXPECT_EQ(s.lines[1].points[0].requests, 3);
  EXPECT_EQ(s.lines[1].points[0].errors, 1);
  EXPECT_EQ(s.lines[1].points[1].requests, 0);
  EXPECT_EQ(s.lines[1].points[2].requests, 4);
  EXPECT_EQ(s.lines[1].points[0].AllTokens(), 30 + 15 + 2 + 4);
  EXPECT_EQ(s.total.requests, 8);
  EXPECT_EQ(s.total.cost_micro_usd, 660);
  ASSERT_EQ(s.ranking.size(), 2u);
  EXPECT_EQ(s.ranking[1].current.requests, 7);
}

TEST(UsageSeriesTest, KeepsTheTopLinesAndSumsTheRestAsOther) {
  SeriesAggregator agg(Options(/*top=*/2));
  agg.Add(Rollup(0, "a", 1, 400));
  agg.Add(Rollup(0, "b", 1, 300));
  agg.Add(Rollup(0, "c", 1, 200));
  agg.Add(Rollup(kHourMs, "d", 2, 100));
  UsageSeries s = std::move(agg).Finish();
  ASSERT_EQ(s.lines.size(), 3u);
  EXPECT_EQ(s.lines[2].key, kOtherSeries);
  EXPECT_EQ(s.lines[2].points[0].cost_micro_usd, 200);
  EXPECT_EQ(s.lines[2].points[1].requests, 2);
  EXPECT_EQ(s.ranking.size(), 4u);  // the ranking keeps every key
}

TEST(UsageSeriesTest, RanksAgainstThePreviousPeriod) {
  SeriesAggregator agg(Options());
  agg.AddPrevious(Rollup(-kHourMs, "a", 5, 1000));  // before its window roll-ups arrive
  agg.Add(Rollup(0, "a", 1, 500));
  agg.AddPrevious(Rollup(-2 * kHourMs, "gone", 3, 70));  // only before: no row
  UsageSeries s = std::move(agg).Finish();
  ASSERT_EQ(s.ranking.size(), 1u);
  EXPECT_EQ(s.ranking[0].key, "a");
  EXPECT_EQ(s.ranking[0].previous.requests, 5);
  EXPECT_EQ(s.ranking[0].previous.cost_micro_usd, 1000);
  EXPECT_EQ(s.previous_total.requests, 8);
  ASSERT_EQ(s.lines.size(), 1u);
}

TEST(UsageSeriesTest, NegativeCostsCountZero) {
  SeriesAggregator agg(Options());
  agg.Add(Rollup(0, "a", 1, -5));
  EXPECT_EQ(std::move(agg).Finish().total.cost_micro_usd, 0);
}

TEST(UsageSeriesTest, BucketWidthFollowsTheWindow) {
  EXPECT_EQ(BucketFor(kHourMs), 60'000);
  EXPECT_EQ(BucketFor(3 * kHourMs), 60'000);
  EXPECT_EQ(BucketFor(6 * kHourMs), kHourMs);
  EXPECT_EQ(BucketFor(24 * kHourMs), kHourMs);
  EXPECT_EQ(BucketFor(7 * 24 * kHourMs), kHourMs);
  EXPECT_EQ(BucketFor(8 * 24 * kHourMs), 24 * kHourMs);
  EXPECT_EQ(BucketFor(30 * 24 * kHourMs), 24 * kHourMs);
}

}  // namespace
}  // namespace bp::metering
