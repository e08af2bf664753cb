#include "metering/usage_rollup.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <vector>

#include "metering/usage_report.h"
#include "testing/testing.h"

namespace bp::metering {
namespace {

TEST(HourStartTest, FloorsAlsoBeforeTheEpoch) {
  EXPECT_EQ(HourStart(0), 0);
  EXPECT_EQ(HourStart(kHourMs - 1), 0);
  EXPECT_EQ(HourStart(kHourMs), kHourMs);
  EXPECT_EQ(HourStart(-1), -kHourMs);
  EXPECT_EQ(HourStart(-kHourMs), -kHourMs);
}

TEST(HourStartTest, BucketsOfAnyWidthFloorTheSameWay) {
  EXPECT_EQ(BucketStart(kMinuteMs - 1, kMinuteMs), 0);
  EXPECT_EQ(BucketStart(kHourMs + kMinuteMs + 5, kMinuteMs), kHourMs + kMinuteMs);
  EXPECT_EQ(BucketStart(-1, kMinuteMs), -kMinuteMs);
  EXPECT_EQ(BucketStart(-kMinuteMs, kMinuteMs), -kMinuteMs);
  EXPECT_EQ(BucketStart(kHourMs + 5, kHourMs), HourStart(kHourMs + 5));
}

// Days are UTC days: 2026-01-01T00:00:00Z is a day's start, its last
// millisecond is in it, and a day before the epoch floors too.
TEST(HourStartTest, DaysStartAtUtcMidnight) {
  constexpr int64_t kNewYear = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  EXPECT_EQ(BucketStart(kNewYear, kDayMs), kNewYear);
  EXPECT_EQ(BucketStart(kNewYear + kDayMs - 1, kDayMs), kNewYear);
  EXPECT_EQ(BucketStart(kNewYear - 1, kDayMs), kNewYear - kDayMs);
  EXPECT_EQ(BucketStart(-1, kDayMs), -kDayMs);
}

TEST(LatencyHistogramTest, BucketsTileTheValuesInOrder) {
  int64_t expected_low = 0;
  for (int i = 0; i < LatencyHistogram::kBuckets; ++i) {
    ASSERT_EQ(LatencyHistogram::BucketLow(i), expected_low) << i;
    ASSERT_EQ(LatencyHistogram::BucketOf(expected_low), i);
    const int64_t last = expected_low + (LatencyHistogram::BucketWidth(i) - 1);
    ASSERT_EQ(LatencyHistogram::BucketOf(last), i);
    if (i + 1 < LatencyHistogram::kBuckets) expected_low = last + 1;
  }
  EXPECT_EQ(LatencyHistogram::BucketOf(INT64_MAX), LatencyHistogram::kBuckets - 1);
  EXPECT_EQ(LatencyHistogram::BucketOf(-5), 0);
}

TEST(LatencyHistogramTest, EstimatesAreWithinTheDocumentedError) {
  std::mt19937_64 rng(301);
  for (int n = 0; n < 20'000; ++n) {
    const int64_t v = static_cast<int64_t>(rng() % 10'000'000);
    LatencyHistogram h;
    h.Add(v);
    const int64_t estimate = h.Percentile(50);
    if (v < 16) {
      ASSERT_EQ(estimate, v);
    } else {
      ASSERT_LE(std::abs(static_cast<double>(estimate - v)),
                LatencyHistogram::kRelativeError * static_cast<double>(v))
          << v << " -> " << estimate;
    }
  }
}

TEST(LatencyHistogramTest, PercentilesFollowNearestRank) {
  LatencyHistogram h;
  for (int v = 1; v <= 10; ++v) h.Add(v);
  EXPECT_EQ(h.count(), 10u);
  EXPECT_EQ(h.Percentile(50), 5);
  EXPECT_EQ(h.Percentile(99), 10);
  EXPECT_EQ(h.Percentile(0), 1);
  EXPECT_EQ(LatencyHistogram().Percentile(50), -1);
}

TEST(LatencyHistogramTest, TheAccumulatorAgreesWithMergedHistograms) {
  std::mt19937_64 rng(5);
  LatencyHistogram merged;
  HistogramAccumulator sum;
  for (int part = 0; part < 50; ++part) {
    LatencyHistogram h;
    for (int i = 0; i < 20; ++i) h.Add(static_cast<int64_t>(rng() % 100'000));
    merged.Merge(h);
    sum.Merge(h);
  }
  sum.Add(3);
  merged.Add(3);
  for (int p : {0, 1, 50, 90, 99, 100}) EXPECT_EQ(sum.Percentile(p), merged.Percentile(p)) << p;
  EXPECT_EQ(HistogramAccumulator().Percentile(50), -1);
}

TEST(LatencyHistogramTest, EncodesCompactlyAndRoundTrips) {
  LatencyHistogram h;
  EXPECT_EQ(h.Encode(), std::string(1, '\0'));
  for (int64_t v : {3, 3, 200, 210, 5'000, 120'000}) h.Add(v);
  h.Add(0, 1'000'000);
  const std::string bytes = h.Encode();
  EXPECT_LE(bytes.size(), 20u);
  std::optional<LatencyHistogram> back = LatencyHistogram::Decode(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
  EXPECT_EQ(back->count(), h.count());
  EXPECT_EQ(back->Percentile(99), h.Percentile(99));
}

TEST(LatencyHistogramTest, DamagedBytesAreRefusedNotTrusted) {
  LatencyHistogram h;
  h.Add(100);
  h.Add(7);
  const std::string good = h.Encode();
  EXPECT_FALSE(LatencyHistogram::Decode("").has_value());
  EXPECT_FALSE(LatencyHistogram::Decode(good + "x").has_value());  // trailing bytes
  EXPECT_FALSE(LatencyHistogram::Decode(good.substr(0, good.size() - 1)).has_value());     // cut
  EXPECT_FALSE(LatencyHistogram::Decode(std::string("\x01\xc0\x07\x01", 4)).has_value());  // >= 960
  EXPECT_FALSE(LatencyHistogram::Decode(std::string("\x01\x05\x00", 3)).has_value());  // count 0
  EXPECT_FALSE(LatencyHistogram::Decode(std::string("\x02\x05\x01\x00\x01", 5)).has_value());
  EXPECT_FALSE(LatencyHistogram::Decode(std::string(11, '\xff')).has_value());  // endless varint
  // Any byte string: refused or decoded, never a crash.
  std::mt19937_64 rng(7);
  for (int n = 0; n < 5'000; ++n) {
    std::string bytes(rng() % 12, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    std::optional<LatencyHistogram> d = LatencyHistogram::Decode(bytes);
    if (d) EXPECT_EQ(LatencyHistogram::Decode(d->Encode()), d);
  }
}

UsageRecord Call(int64_t time_ms, std::string profile, int64_t latency, int64_t ttft,
                 std::string error = "") {
  UsageRecord r;
  r.time_ms = time_ms;
  r.profile_name = std::move(profile);
  r.principal = "arn:aws:iam::123456789012:user/rd-e2e";
  r.model_id = "m";
  r.serving_region = "eu-west-1";
  r.error_code = std::move(error);
  r.tokens = {.input = 10, .output = 5, .cache_read = 1, .cache_write_5m = 2, .cache_write_1h = 3};
  r.latency_ms = latency;
  r.ttft_ms = ttft;
  r.cost_micro_usd = 7;
  r.tags = {{"team", "ml"}};
  return r;
}

// RollupKeyMatches agrees with building the key, field by field.
TEST(UsageRollupTest, KeyMatchesWithoutBuildingTheKey) {
  const UsageRecord base = Call(3 * kHourMs + 5, "a", 1, 1);
  const UsageRollupKey key = RollupKeyOf(base);
  EXPECT_TRUE(RollupKeyMatches(key, base));
  UsageRecord same_hour = base;
  same_hour.time_ms = 4 * kHourMs - 1;
  same_hour.latency_ms = 99;  // not part of the key
  EXPECT_TRUE(RollupKeyMatches(key, same_hour));
  std::vector<UsageRecord> others(7, base);
  others[0].time_ms = 4 * kHourMs;
  others[1].profile_name = "b";
  others[2].principal = "p";
  others[3].model_id = "n";
  others[4].serving_region = "eu-west-3";
  others[5].operation = Operation::kInvokeModel;
  others[6].tags["team"] = "web";
  for (const UsageRecord& other : others) {
    EXPECT_FALSE(RollupKeyMatches(key, other)) << other.profile_name;
    EXPECT_EQ(RollupKeyMatches(key, other), RollupKeyOf(other) == key);
  }
}

TEST(UsageRollupTest, CountsLikeTheReportAndMerges) {
  UsageRollup a{.key = RollupKeyOf(Call(5, "rd-a", 100, 20))};
  a.Add(Call(5, "rd-a", 100, 20));
  a.Add(Call(6, "rd-a", 300, -1, "ThrottlingException"));
  UsageRecord negative = Call(7, "rd-a", 50, 10, "ValidationException");
  negative.cost_micro_usd = -3;  // counts 0, as in the report
  a.Add(negative);
  EXPECT_EQ(a.key.start_ms, 0);
  EXPECT_EQ(a.requests, 3);
  EXPECT_EQ(a.errors, 2);
  EXPECT_EQ(a.throttles, 1);
  EXPECT_EQ(a.tokens.cache_write_1h, 9);
  EXPECT_EQ(a.cost_micro_usd, 14);
  EXPECT_EQ(a.latency.count(), 3u);
  EXPECT_EQ(a.ttft.count(), 2u);
  UsageRollup b = a;
  b.Merge(a);
  EXPECT_EQ(b.requests, 6);
  EXPECT_EQ(b.cost_micro_usd, 28);
  EXPECT_EQ(b.latency.count(), 6u);
}

// A minute's key differs from its hour's only by the start.
TEST(UsageRollupTest, MinuteKeysStartOnTheMinute) {
  const UsageRecord r = Call(3 * kHourMs + 7 * kMinuteMs + 5, "a", 1, 1);
  const UsageRollupKey minute = RollupKeyOf(r, kMinuteMs);
  UsageRollupKey hour = RollupKeyOf(r);
  EXPECT_EQ(minute.start_ms, 3 * kHourMs + 7 * kMinuteMs);
  EXPECT_EQ(hour.start_ms, 3 * kHourMs);
  hour.start_ms = minute.start_ms;
  EXPECT_EQ(hour, minute);
  UsageRecord next_minute = r;
  next_minute.time_ms += kMinuteMs;
  EXPECT_TRUE(RollupKeyMatches(RollupKeyOf(r), next_minute));  // same hour
  EXPECT_FALSE(RollupKeyMatches(minute, next_minute, kMinuteMs));
  EXPECT_TRUE(RollupKeyMatches(minute, r, kMinuteMs));
}

// RollupSums at two widths over the same records: each keeps one roll-up
// per key and bucket, and both add up to the same figures.
TEST(UsageRollupTest, SumsKeepOneRollupPerKeyAndBucket) {
  RollupSums hours(kHourMs);
  RollupSums minutes(kMinuteMs);
  std::mt19937_64 rng(5);
  std::map<UsageRollupKey, int64_t> want_minutes;
  int64_t cost = 0;
  for (int i = 0; i < 400; ++i) {
    // Runs of one key broken up now and then, as a batch's records are.
    const UsageRecord r = Call(static_cast<int64_t>(i) * 20'000, i % 17 == 0 ? "b" : "a",
                               static_cast<int64_t>(rng() % 900), -1);
    hours.Add(r);
    minutes.Add(r);
    ++want_minutes[RollupKeyOf(r, kMinuteMs)];
    cost += r.cost_micro_usd;
  }
  EXPECT_EQ(hours.width_ms(), kHourMs);
  ASSERT_EQ(minutes.rollups().size(), want_minutes.size());
  for (const auto& [key, rollup] : minutes.rollups()) {
    EXPECT_EQ(rollup.key, key);
    EXPECT_EQ(rollup.requests, want_minutes[key]);
  }
  auto totals = [](const RollupSums& sums) {
    int64_t requests = 0, micro_usd = 0;
    for (const auto& [key, rollup] : sums.rollups()) {
      EXPECT_EQ(BucketStart(key.start_ms, sums.width_ms()), key.start_ms);
      requests += rollup.requests;
      micro_usd += rollup.cost_micro_usd;
    }
    return std::pair(requests, micro_usd);
  };
  const std::pair<int64_t, int64_t> want(400, cost);
  EXPECT_EQ(totals(hours), want);
  EXPECT_EQ(totals(minutes), want);
  EXPECT_EQ(hours.rollups().size(), 6u);  // 400 calls 20 s apart: 3 hours x 2 profiles
  minutes.Clear();
  EXPECT_TRUE(minutes.empty());
  minutes.Add(Call(0, "a", 1, 1));
  EXPECT_EQ(minutes.rollups().size(), 1u);
}

// Hourly roll-ups merged into days equal the records summed by the day
// directly: every figure and both histograms.
TEST(UsageRollupTest, HoursMergedIntoDaysEqualDaysSummedFromRecords) {
  RollupSums hours(kHourMs);
  RollupSums days(kDayMs);
  std::mt19937_64 rng(29);
  for (int i = 0; i < 900; ++i) {
    const UsageRecord r = Call(static_cast<int64_t>(i) * 7 * kMinuteMs, i % 5 == 0 ? "b" : "a",
                               static_cast<int64_t>(rng() % 9000),
                               i % 4 == 0 ? -1 : static_cast<int64_t>(rng() % 900),
                               i % 11 == 0 ? "ThrottlingException" : "");
    hours.Add(r);
    days.Add(r);
  }
  RollupSums merged(kDayMs);
  for (const auto& [key, rollup] : hours.rollups()) merged.Merge(rollup);
  EXPECT_EQ(days.rollups().size(), 10u);  // 900 calls 7 min apart: 5 days x 2 profiles
  // Every figure, both histograms and the key (day start included).
  EXPECT_TRUE(merged.rollups() == days.rollups());
  RollupSums::Map one_off = days.rollups();
  one_off.begin()->second.ttft.Add(1);
  EXPECT_FALSE(merged.rollups() == one_off);
}

// A report over roll-ups plus raw records equals one over the raw records
// for every count, token and cost; its percentiles are estimates and say so.
TEST(UsageRollupTest, AggregatorMixesRollupsAndRecords) {
  std::vector<UsageRecord> records;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 500; ++i) {
    records.push_back(Call(static_cast<int64_t>(rng() % (3 * kHourMs)), i % 3 ? "rd-a" : "rd-b",
                           static_cast<int64_t>(rng() % 5000), static_cast<int64_t>(rng() % 900),
                           i % 7 == 0 ? "ThrottlingException" : ""));
  }
  const std::vector<Dimension> by = {Dimension{.kind = Dimension::Kind::kProfile},
                                     Dimension{.kind = Dimension::Kind::kTag, .key = "team"}};
  UsageAggregator raw(by);
  UsageAggregator mixed(by);
  std::map<UsageRollupKey, UsageRollup> first_hours;
  for (const UsageRecord& r : records) {
    raw.Add(r);
    if (r.time_ms >= 2 * kHourMs) {
      mixed.Add(r);
      continue;
    }
    UsageRollup& u = first_hours[RollupKeyOf(r)];
    u.key = RollupKeyOf(r);
    u.Add(r);
  }
  for (const auto& [key, rollup] : first_hours) mixed.AddRollup(rollup);
  UsageReport want = std::move(raw).Finish(0, 3 * kHourMs);
  UsageReport got = std::move(mixed).Finish(0, 3 * kHourMs);
  EXPECT_FALSE(want.percentiles_estimated);
  EXPECT_TRUE(got.percentiles_estimated);
  ASSERT_EQ(got.groups.size(), want.groups.size());
  for (size_t i = 0; i < got.groups.size(); ++i) {
    const UsageGroup& g = got.groups[i];
    const UsageGroup& w = want.groups[i];
    EXPECT_EQ(g.keys, w.keys);
    EXPECT_EQ(g.requests, w.requests);
    EXPECT_EQ(g.errors, w.errors);
    EXPECT_EQ(g.throttles, w.throttles);
    EXPECT_EQ(g.tokens.input, w.tokens.input);
    EXPECT_EQ(g.tokens.cache_write_5m, w.tokens.cache_write_5m);
    EXPECT_EQ(g.cost_micro_usd, w.cost_micro_usd);
    // The estimate is within a bucket of the exact nearest-rank value.
    EXPECT_NEAR(g.latency_p50_ms, w.latency_p50_ms, w.latency_p50_ms / 16.0 + 1);
    EXPECT_NEAR(g.ttft_p99_ms, w.ttft_p99_ms, w.ttft_p99_ms / 16.0 + 1);
  }
  EXPECT_EQ(got.total.requests, 500);
  EXPECT_EQ(got.total.cost_micro_usd, want.total.cost_micro_usd);
  EXPECT_NE(RenderTable(got).find("estimated from hourly roll-up histograms"), std::string::npos);
  EXPECT_EQ(RenderTable(want).find("estimated"), std::string::npos);
  EXPECT_NE(RenderJson(got).find("\"percentiles\":\"estimated\""), std::string::npos);
}

TEST(UsageRollupTest, JsonCarriesNotesAndTheRawHorizon) {
  UsageReport report = UsageAggregator({}).Finish(0, kHourMs);
  report.raw_from_ms = 1'767'225'600'000;
  report.notes = {"calls before then are not counted"};
  const std::string json = RenderJson(report);
  EXPECT_NE(json.find("\"percentiles\":\"exact\""), std::string::npos);
  EXPECT_NE(json.find("\"raw_from\":\"2026-01-01T00:00:00Z\""), std::string::npos);
  EXPECT_NE(json.find("\"notes\":[\"calls before then are not counted\"]"), std::string::npos);
}

}  // namespace
}  // namespace bp::metering
