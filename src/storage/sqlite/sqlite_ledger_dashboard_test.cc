// The ledger's reads for the dashboard: minute roll-ups (written with each
// batch, built for the last 48 h when a v4 ledger migrates, pruned to
// kMinuteRollupRetention), ScanUsageRollups over each grain with or without
// a principal, and LatestUsageRecords with its filters and scan cap. The
// daily roll-ups have their own file (sqlite_ledger_daily_test.cc).
#include <string>
#include <utility>
#include <vector>

#include "metering/usage_rollup.h"
#include "storage/sqlite/sqlite_db.h"
#include "storage/sqlite/sqlite_ledger.h"
#include "storage/sqlite/sqlite_ledger_schema.h"
#include "storage/sqlite/sqlite_ledger_test_util.h"
#include "testing/testing.h"

namespace bp::storage::sqlite {
namespace {

using ::bp::testing::StatusIs;
using namespace ledger_test;  // the fixtures the ledger's tests share
using metering::kDayMs;
using metering::kHourMs;
using metering::kMinuteMs;
using metering::UsageRecord;
using metering::UsageRollup;
using Outcome = RecordFilter::Outcome;

constexpr int64_t kKeepMs = 48 * kHourMs;  // kMinuteRollupRetention

// Batches that cut across minutes and hours: the writer's minute and hourly
// roll-ups both equal the raw records summed per key and bucket.
TEST(MinuteRollupTest, TheWriterKeepsMinutesBesideHours) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = Calls(3'000, kStart + 17, 2'900, 3);  // ~2.4 h
  Write(dir.path(), records, {.max_batch = 97});
  const int64_t to = kStart + 3 * kHourMs;
  const std::vector<UsageRollup> minutes = Scan(dir.path(), RollupGrain::kMinute, kStart, to);
  ExpectOldestFirst(minutes);
  ExpectSame(minutes, Expected(records, kMinuteMs, kStart, to));
  const std::vector<UsageRollup> hours = Scan(dir.path(), RollupGrain::kHour, kStart, to);
  ExpectSame(hours, Expected(records, kHourMs, kStart, to));
  EXPECT_EQ(hours.size(), 3u * 2 * 3 * 2 * 2);  // hours x profiles x principals x regions x ops
}

// The window selects by bucket start, [from, to): a bucket that starts
// before `from` is left out whole, one that starts before `to` is in whole.
TEST(MinuteRollupTest, TheWindowSelectsByBucketStart) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = Calls(600, kStart, 1'000, 5);  // 10 minutes
  Write(dir.path(), records);
  const int64_t from = kStart + 2 * kMinuteMs + 1;  // minute 2 started before: out
  const int64_t to = kStart + 5 * kMinuteMs + 1;    // minute 5 starts in the window: in
  const std::vector<UsageRollup> got = Scan(dir.path(), RollupGrain::kMinute, from, to);
  ExpectSame(got, Expected(records, kMinuteMs, from, to));
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front().key.start_ms, kStart + 3 * kMinuteMs);
  EXPECT_EQ(got.back().key.start_ms, kStart + 5 * kMinuteMs);
  EXPECT_TRUE(Scan(dir.path(), RollupGrain::kHour, kStart + 1, kStart + kHourMs).empty());
  EXPECT_TRUE(Scan(dir.path(), RollupGrain::kMinute, to, to).empty());
}

TEST(MinuteRollupTest, APrincipalFilterKeepsThatPrincipalsRowsOnly) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = Calls(4'000, kStart, 5'000, 7);  // ~5.5 h
  Write(dir.path(), records);
  const int64_t to = kStart + 6 * kHourMs;
  for (const auto& [grain, width] :
       {std::pair(RollupGrain::kMinute, kMinuteMs), std::pair(RollupGrain::kHour, kHourMs),
        std::pair(RollupGrain::kDay, kDayMs)}) {
    const std::vector<UsageRollup> all = Scan(dir.path(), grain, kStart, to);
    size_t seen = 0;
    for (const char* principal : kPrincipals) {
      const std::vector<UsageRollup> mine = Scan(dir.path(), grain, kStart, to, principal);
      ASSERT_FALSE(mine.empty());
      ExpectOldestFirst(mine);
      std::vector<UsageRecord> theirs;
      for (const UsageRecord& r : records) {
        if (r.principal == principal) theirs.push_back(r);
      }
      ExpectSame(mine, Expected(theirs, width, kStart, to));
      seen += mine.size();
    }
    EXPECT_EQ(seen, all.size());
    EXPECT_TRUE(
        Scan(dir.path(), grain, kStart, to, "arn:aws:iam::123456789012:user/nobody").empty());
  }
}

TEST(MinuteRollupTest, NoLedgerYetIsNotFound) {
  bp::testing::TempDir dir;
  EXPECT_THAT(
      ScanUsageRollups(dir.path(), RollupGrain::kMinute, 0, 1, "", [](const UsageRollup&) {}),
      StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(LatestUsageRecords(dir.path(), {}, 10), StatusIs(ErrorCode::kResourceNotFound));
}

// The reader works while the writer holds its connection open and writes.
TEST(MinuteRollupTest, ReadsBesideTheWriter) {
  bp::testing::TempDir dir;
  auto ledger = SqliteLedger::Open(dir.path());
  ASSERT_OK(ledger);
  const std::vector<UsageRecord> records = Calls(200, kStart, 700, 9);
  for (const UsageRecord& r : records) (*ledger)->Record(r);
  ASSERT_OK((*ledger)->Flush());
  int64_t requests = 0;
  for (const UsageRollup& u : Scan(dir.path(), RollupGrain::kMinute, kStart, kStart + kHourMs)) {
    requests += u.requests;
  }
  EXPECT_EQ(requests, 200);
  auto latest = LatestUsageRecords(dir.path(), {}, 3);
  ASSERT_OK(latest);
  ASSERT_EQ(latest->size(), 3u);
  EXPECT_EQ(latest->front().request_id, "req-199");
}

class LatestRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    records_ = Calls(500, kStart, 1'000, 11);
    Write(dir_.path(), records_, {.max_batch = 64});
  }

  // What the filter must return: the matching records, newest first.
  std::vector<std::string> Want(const RecordFilter& f, size_t limit, size_t scan_cap) const {
    std::vector<std::string> out;
    const size_t first = records_.size() > scan_cap ? records_.size() - scan_cap : 0;
    for (size_t i = records_.size(); i-- > first && out.size() < limit;) {
      const UsageRecord& r = records_[i];
      if (!f.profile_name.empty() && r.profile_name != f.profile_name) continue;
      if (!f.principal_arn.empty() && r.principal != f.principal_arn) continue;
      if (!f.serving_region.empty() && r.serving_region != f.serving_region) continue;
      if (f.outcome == Outcome::kOk && !r.error_code.empty()) continue;
      if (f.outcome == Outcome::kError && r.error_code.empty()) continue;
      if (f.outcome == Outcome::kThrottled && r.error_code != "ThrottlingException") continue;
      out.push_back(r.request_id);
    }
    return out;
  }

  std::vector<std::string> Got(const RecordFilter& f, size_t limit, size_t scan_cap) const {
    auto got = LatestUsageRecords(dir_.path(), f, limit, scan_cap);
    EXPECT_OK(got);
    std::vector<std::string> ids;
    if (got.ok()) {
      for (const UsageRecord& r : *got) ids.push_back(r.request_id);
    }
    return ids;
  }

  bp::testing::TempDir dir_;
  std::vector<UsageRecord> records_;
};

TEST_F(LatestRecordsTest, NewestFirstAndWhole) {
  auto got = LatestUsageRecords(dir_.path(), {}, 2);
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), 2u);
  const UsageRecord& newest = (*got)[0];
  const UsageRecord& want = records_.back();
  EXPECT_EQ(newest.request_id, want.request_id);
  EXPECT_EQ(newest.time_ms, want.time_ms);
  EXPECT_EQ(newest.principal, want.principal);
  EXPECT_EQ(newest.profile_arn, want.profile_arn);
  EXPECT_EQ(newest.tags, want.tags);
  EXPECT_EQ(newest.request_metadata, want.request_metadata);
  EXPECT_EQ(newest.tokens.input, want.tokens.input);
  EXPECT_EQ(newest.cost_micro_usd, want.cost_micro_usd);
  EXPECT_EQ(newest.tokens_estimated, want.tokens_estimated);
  EXPECT_EQ((*got)[1].request_id, records_[records_.size() - 2].request_id);
  EXPECT_EQ(Got({}, 1000, 200'000).size(), 500u);
  EXPECT_TRUE(Got({}, 0, 200'000).empty());
}

TEST_F(LatestRecordsTest, FiltersMatchEveryFieldSet) {
  std::vector<RecordFilter> filters = {
      {.profile_name = "rd-p1"},
      {.principal_arn = kPrincipals[2]},
      {.serving_region = "eu-west-1"},
      {.outcome = Outcome::kOk},
      {.outcome = Outcome::kError},
      {.outcome = Outcome::kThrottled},
      {.profile_name = "rd-p0", .principal_arn = kPrincipals[1], .outcome = Outcome::kError},
      {.profile_name = "rd-p0", .serving_region = "eu-central-1", .outcome = Outcome::kThrottled},
      {.profile_name = "no-such-profile"},
  };
  for (size_t i = 0; i < filters.size(); ++i) {
    SCOPED_TRACE("filter " + std::to_string(i));
    for (size_t limit : {size_t{1}, size_t{7}, size_t{100}, size_t{1000}}) {
      EXPECT_EQ(Got(filters[i], limit, 200'000), Want(filters[i], limit, 200'000));
    }
  }
  EXPECT_FALSE(Want(filters[5], 1000, 200'000).empty());
  EXPECT_FALSE(Want(filters[6], 1000, 200'000).empty());
}

// A rare match beyond the scan cap is not found: the cap bounds the rows
// examined, whatever the filter.
TEST_F(LatestRecordsTest, TheScanCapBoundsTheRowsExamined) {
  const RecordFilter throttled{.outcome = Outcome::kThrottled};
  for (size_t cap : {size_t{1}, size_t{5}, size_t{6}, size_t{40}, size_t{499}, size_t{500}}) {
    SCOPED_TRACE("cap " + std::to_string(cap));
    EXPECT_EQ(Got(throttled, 1000, cap), Want(throttled, 1000, cap));
    EXPECT_EQ(Got({}, 1000, cap).size(), cap);
  }
  // The only call of a principal, the oldest: found only by a cap that
  // reaches it.
  bp::testing::TempDir dir;
  std::vector<UsageRecord> records = Calls(300, kStart, 1'000, 13);
  records.front().principal = "arn:aws:iam::123456789012:user/rare";
  Write(dir.path(), records);
  const RecordFilter rare{.principal_arn = "arn:aws:iam::123456789012:user/rare"};
  auto capped = LatestUsageRecords(dir.path(), rare, 10, 299);
  ASSERT_OK(capped);
  EXPECT_TRUE(capped->empty());
  auto reached = LatestUsageRecords(dir.path(), rare, 10, 300);
  ASSERT_OK(reached);
  ASSERT_EQ(reached->size(), 1u);
  EXPECT_EQ(reached->front().request_id, "req-0");
}

// A ledger of schema v4 (hourly roll-ups only): read unmigrated, its minute
// roll-ups are an error; opened, it gets the minute roll-ups of the last
// 48 h of raw records before its newest one, and nothing older (and its
// daily ones, v6, from all its hours).
TEST(MinuteRollupMigrationTest, AVersionFourLedgerGetsItsRecentMinutes) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = Calls(2'000, kStart + 5, 72 * kHourMs / 2'000, 17);
  ASSERT_NO_FATAL_FAILURE(ledger_test::WriteAtVersion(dir.path(), records, /*version=*/4));
  EXPECT_THAT(ScanUsageRollups(dir.path(), RollupGrain::kMinute, 0, INT64_MAX, "",
                               [](const UsageRollup&) {}),
              StatusIs(ErrorCode::kIo));
  EXPECT_FALSE(Scan(dir.path(), RollupGrain::kHour, 0, INT64_MAX).empty());  // v2 suffices
  {
    auto ledger = SqliteLedger::Open(dir.path());
    ASSERT_OK(ledger);
  }
  const int64_t from = metering::BucketStart(records.back().time_ms - kKeepMs, kMinuteMs);
  const std::vector<UsageRollup> minutes = Scan(dir.path(), RollupGrain::kMinute, 0, INT64_MAX);
  ASSERT_FALSE(minutes.empty());
  EXPECT_GE(minutes.front().key.start_ms, from);  // the first minute may hold no call
  ExpectSame(minutes, Expected(records, kMinuteMs, from, INT64_MAX));
  // The hourly ones are as they were, and the writer adds to both.
  ExpectSame(Scan(dir.path(), RollupGrain::kHour, 0, INT64_MAX),
             Expected(records, kHourMs, 0, INT64_MAX));
  std::vector<UsageRecord> more = Calls(50, records.back().time_ms + 1, 100, 19);
  Write(dir.path(), more);
  std::vector<UsageRecord> all = records;
  all.insert(all.end(), more.begin(), more.end());
  ExpectSame(Scan(dir.path(), RollupGrain::kMinute, 0, INT64_MAX),
             Expected(all, kMinuteMs, from, INT64_MAX));
  ExpectSame(Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX),
             Expected(all, kDayMs, 0, INT64_MAX));
  EXPECT_EQ(ledger_test::VersionOf(dir.path()), kLedgerLatestVersion);
}

TEST(MinuteRollupMigrationTest, AnEmptyLedgerMigratesToNoMinutes) {
  bp::testing::TempDir dir;
  {
    auto db = Database::Open(dir.path() / SqliteLedger::kFileName, std::chrono::seconds(5));
    ASSERT_OK(db);
    ASSERT_OK(ApplyMigrations(**db, LedgerMigrations().first(4)));
  }
  auto ledger = SqliteLedger::Open(dir.path());
  ASSERT_OK(ledger);
  EXPECT_TRUE(Scan(dir.path(), RollupGrain::kMinute, 0, INT64_MAX).empty());
}

// The retention pass keeps the last 48 h of minute roll-ups whenever the
// ledger has a clock, also with no raw or hourly retention set, deleting
// an hour of them per transaction; raw records and hourly roll-ups stay.
TEST(MinuteRollupRetentionTest, KeepsTheLastFortyEightHours) {
  bp::testing::TempDir dir;
  const int64_t now = kStart + 4 * 24 * kHourMs + 7 * kMinuteMs + 3;
  bp::testing::FakeClock clock{
      std::chrono::system_clock::time_point(std::chrono::milliseconds(now))};
  const std::vector<UsageRecord> records =
      Calls(3'000, now - 72 * kHourMs, 72 * kHourMs / 3'000, 23);
  Write(dir.path(), records);  // no clock: nothing pruned
  const size_t all_minutes = Scan(dir.path(), RollupGrain::kMinute, 0, INT64_MAX).size();
  const size_t all_hours = Scan(dir.path(), RollupGrain::kHour, 0, INT64_MAX).size();
  const int64_t cutoff = metering::BucketStart(now - kKeepMs, kMinuteMs);
  auto ledger = SqliteLedger::Open(dir.path(), {.clock = &clock});
  ASSERT_OK(ledger);
  ASSERT_OK((*ledger)->EnforceRetention());
  const std::vector<UsageRollup> kept = Scan(dir.path(), RollupGrain::kMinute, 0, INT64_MAX);
  ASSERT_FALSE(kept.empty());
  EXPECT_GE(kept.front().key.start_ms, cutoff);
  ExpectSame(kept, Expected(records, kMinuteMs, cutoff, INT64_MAX));
  const LedgerStats stats = (*ledger)->stats();
  EXPECT_EQ(stats.minute_rollups_expired, all_minutes - kept.size());
  EXPECT_EQ(stats.rollups_expired, 0u);
  EXPECT_EQ(stats.raw_expired, 0u);
  EXPECT_EQ(Scan(dir.path(), RollupGrain::kHour, 0, INT64_MAX).size(), all_hours);
  // An hour later, another hour of minutes goes.
  clock.Advance(std::chrono::hours(1));
  ASSERT_OK((*ledger)->EnforceRetention());
  const std::vector<UsageRollup> later = Scan(dir.path(), RollupGrain::kMinute, 0, INT64_MAX);
  EXPECT_GE(later.front().key.start_ms, cutoff + kHourMs);
  EXPECT_LT(later.size(), kept.size());
}

}  // namespace
}  // namespace bp::storage::sqlite
