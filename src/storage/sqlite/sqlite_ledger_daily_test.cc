// The ledger's daily roll-ups (schema v6): written with every batch beside
// the hourly and minute ones, equal to the hourly ones summed by the day,
// made like usage_hourly and built from its rows when a v5 ledger migrates,
// pruned a whole day at a time behind the hourly roll-ups' cutoff.
#include <chrono>
#include <cstdint>
#include <string>
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
using metering::RollupSums;
using metering::UsageRecord;
using metering::UsageRollup;

int64_t Requests(const std::vector<UsageRollup>& rollups, int64_t from, int64_t to) {
  int64_t n = 0;
  for (const UsageRollup& u : rollups) {
    if (u.key.start_ms >= from && u.key.start_ms < to) n += u.requests;
  }
  return n;
}

// Batches that cut across days: each day's roll-ups equal the raw records
// summed per key and UTC day.
TEST(DailyRollupTest, TheWriterKeepsDaysBesideHoursAndMinutes) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = Calls(4'000, kStart + 11, 81'000, 31);  // 3.75 days
  Write(dir.path(), records, {.max_batch = 113});
  const std::vector<UsageRollup> days = Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX);
  ExpectOldestFirst(days);
  ExpectSame(days, Expected(records, kDayMs, 0, INT64_MAX));
  EXPECT_EQ(days.size(), 4u * 2 * 3 * 2 * 2);  // days x profiles x principals x regions x ops
  for (const UsageRollup& u : days) {
    EXPECT_EQ(metering::BucketStart(u.key.start_ms, kDayMs), u.key.start_ms);
  }
  // The same batches kept the hours and minutes as before.
  ExpectSame(Scan(dir.path(), RollupGrain::kHour, 0, INT64_MAX),
             Expected(records, kHourMs, 0, INT64_MAX));
  ExpectSame(Scan(dir.path(), RollupGrain::kMinute, 0, INT64_MAX),
             Expected(records, kMinuteMs, 0, INT64_MAX));
}

// The window selects by the day's start, [from, to): a day that starts
// before `from` is left out whole, one that starts before `to` is in whole.
TEST(DailyRollupTest, TheWindowSelectsByDayStart) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = Calls(1'000, kStart, 400'000, 33);  // 4.6 days
  Write(dir.path(), records);
  const int64_t from = kStart + kDayMs + 1;
  const int64_t to = kStart + 3 * kDayMs + 1;
  const std::vector<UsageRollup> got = Scan(dir.path(), RollupGrain::kDay, from, to);
  ExpectSame(got, Expected(records, kDayMs, from, to));
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front().key.start_ms, kStart + 2 * kDayMs);
  EXPECT_EQ(got.back().key.start_ms, kStart + 3 * kDayMs);
  EXPECT_TRUE(Scan(dir.path(), RollupGrain::kDay, kStart + 1, kStart + kDayMs).empty());
}

// What the dashboard relies on when it reads days instead of hours: the
// daily roll-ups of a day are its hourly ones summed per key (histograms
// merged), for everyone and for each principal.
TEST(DailyRollupTest, DailySumsEqualHourlySumsForTheSameDays) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = Calls(6'000, kStart - 7 * kHourMs, 70'000, 35);
  Write(dir.path(), records, {.max_batch = 250});
  for (std::string_view principal : {std::string_view(), std::string_view(kPrincipals[1])}) {
    SCOPED_TRACE(principal.empty() ? "everyone" : principal);
    RollupSums hours_by_day(kDayMs);
    for (const UsageRollup& u : Scan(dir.path(), RollupGrain::kHour, 0, INT64_MAX, principal)) {
      hours_by_day.Merge(u);
    }
    const std::vector<UsageRollup> days =
        Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX, principal);
    ASSERT_FALSE(days.empty());
    ExpectSame(days, hours_by_day.rollups());
  }
}

// A ledger of schema v5: read unmigrated, its daily roll-ups are an error;
// opened, it gets them from its hourly ones, and the writer adds to them.
TEST(DailyMigrationTest, AVersionFiveLedgerGetsItsDaysFromItsHours) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = Calls(3'000, kStart + 3, 120'000, 37);  // 4.2 days
  ASSERT_NO_FATAL_FAILURE(ledger_test::WriteAtVersion(dir.path(), records, /*version=*/5));
  EXPECT_THAT(
      ScanUsageRollups(dir.path(), RollupGrain::kDay, 0, INT64_MAX, "", [](const UsageRollup&) {}),
      StatusIs(ErrorCode::kIo));
  EXPECT_FALSE(Scan(dir.path(), RollupGrain::kHour, 0, INT64_MAX).empty());
  {
    auto ledger = SqliteLedger::Open(dir.path());
    ASSERT_OK(ledger);
  }
  EXPECT_EQ(ledger_test::VersionOf(dir.path()), kLedgerDailyVersion);
  ExpectSame(Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX),
             Expected(records, kDayMs, 0, INT64_MAX));
  std::vector<UsageRecord> more = Calls(60, records.back().time_ms + 1, 1'000, 41);
  Write(dir.path(), more);
  std::vector<UsageRecord> all = records;
  all.insert(all.end(), more.begin(), more.end());
  ExpectSame(Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX),
             Expected(all, kDayMs, 0, INT64_MAX));
  ExpectSame(Scan(dir.path(), RollupGrain::kHour, 0, INT64_MAX),
             Expected(all, kHourMs, 0, INT64_MAX));
}

// A v5 ledger whose retention had begun deleting hourly roll-ups: the day
// holding the horizon has lost hours, so the migration builds the days
// from the first one that starts at or after it.
TEST(DailyMigrationTest, DaysTheRetentionBeganToDeleteAreNotBuilt) {
  const std::vector<UsageRecord> records = Calls(2'000, kStart + 3, 180'000, 39);  // 4.2 days
  for (int64_t horizon : {kStart + kDayMs + 5 * kHourMs, kStart + 2 * kDayMs}) {
    SCOPED_TRACE(horizon);
    bp::testing::TempDir dir;
    ASSERT_NO_FATAL_FAILURE(ledger_test::WriteAtVersion(dir.path(), records, /*version=*/5));
    {
      // What a retention pass leaves: the horizon raised, hours before it gone.
      auto db = Database::Open(dir.path() / SqliteLedger::kFileName, std::chrono::seconds(5));
      ASSERT_OK(db);
      ASSERT_OK(RaiseHorizon(**db, "rollups", horizon));
      auto q = (*db)->Prepare("DELETE FROM usage_hourly WHERE hour_ms < ?1");
      ASSERT_OK(q);
      ASSERT_OK(q->Bind(1, horizon).Run());
    }
    {
      auto ledger = SqliteLedger::Open(dir.path());
      ASSERT_OK(ledger);
    }
    const std::vector<UsageRollup> days = Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX);
    ASSERT_FALSE(days.empty());
    EXPECT_EQ(days.front().key.start_ms, kStart + 2 * kDayMs);
    ExpectSame(days, Expected(records, kDayMs, kStart + 2 * kDayMs, INT64_MAX));
  }
}

TEST(DailyMigrationTest, AnEmptyLedgerMigratesToNoDays) {
  bp::testing::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(ledger_test::WriteAtVersion(dir.path(), {}, /*version=*/5));
  auto ledger = SqliteLedger::Open(dir.path());
  ASSERT_OK(ledger);
  EXPECT_TRUE(Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX).empty());
}

// The rows of `sql` (one text parameter), each row's columns joined by '|'
// (NULL as "NULL").
std::vector<std::string> Rows(Database& db, const std::string& sql, std::string_view arg,
                              int columns) {
  std::vector<std::string> out;
  auto q = db.Prepare(sql);
  EXPECT_OK(q);
  if (!q.ok()) return out;
  q->Bind(1, arg);
  for (;;) {
    auto row = q->Step();
    EXPECT_OK(row);
    if (!row.ok() || !*row) return out;
    std::string line;
    for (int c = 0; c < columns; ++c) {
      line += (c > 0 ? "|" : "") + q->OptionalText(c).value_or("NULL");
    }
    out.push_back(line);
  }
}

// usage_daily has usage_hourly's columns (types, NOT NULL, defaults, key
// order), day_ms for hour_ms, is STRICT and WITHOUT ROWID, and has the
// (principal, time) index the others have.
TEST(DailyMigrationTest, TheDailyTableIsMadeLikeTheHourlyOne) {
  bp::testing::TempDir dir;
  {
    auto ledger = SqliteLedger::Open(dir.path());
    ASSERT_OK(ledger);
  }
  auto db = Database::Open(dir.path() / SqliteLedger::kFileName, std::chrono::seconds(5));
  ASSERT_OK(db);
  const std::string columns =
      "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid";
  std::vector<std::string> hourly = Rows(**db, columns, "usage_hourly", 5);
  ASSERT_EQ(hourly.size(), 19u);
  EXPECT_EQ(hourly.front(), "hour_ms|INTEGER|1|NULL|1");
  EXPECT_EQ(hourly.back(), "estimated|INTEGER|1|0|0");
  hourly.front() = "day_ms|INTEGER|1|NULL|1";
  EXPECT_EQ(Rows(**db, columns, "usage_daily", 5), hourly);
  const std::string index = "SELECT name FROM pragma_index_info(?1) ORDER BY seqno";
  EXPECT_EQ(Rows(**db, index, "usage_daily_by_principal", 1),
            (std::vector<std::string>{"principal", "day_ms"}));
  const std::vector<std::string> ddl =
      Rows(**db, "SELECT sql FROM sqlite_schema WHERE name = ?1", "usage_daily", 1);
  ASSERT_EQ(ddl.size(), 1u);
  EXPECT_NE(ddl[0].find("STRICT, WITHOUT ROWID"), std::string::npos) << ddl[0];
}

// The retention pass deletes a day's roll-ups once the whole day is older
// than the hourly roll-ups' cutoff: the day holding the cutoff stays whole
// (although its first hours' hourly rows are gone), 30 days a transaction.
TEST(DailyRetentionTest, ADayGoesOnceItEndedBeforeTheHourlyCutoff) {
  bp::testing::TempDir dir;
  const int64_t now = kStart + 70 * kDayMs + 7 * kHourMs + 5 * kMinuteMs;
  bp::testing::FakeClock clock{
      std::chrono::system_clock::time_point(std::chrono::milliseconds(now))};
  const std::vector<UsageRecord> records = Calls(4'000, kStart + 3, (now - kStart) / 4'000, 43);
  Write(dir.path(), records);  // no clock: nothing pruned
  const size_t all_days = Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX).size();
  auto ledger = SqliteLedger::Open(dir.path(), {.raw_retention = std::chrono::hours(3 * 24),
                                                .rollup_retention = std::chrono::hours(32 * 24),
                                                .clock = &clock});
  ASSERT_OK(ledger);
  ASSERT_OK((*ledger)->EnforceRetention());
  const int64_t hourly_cutoff = kStart + 38 * kDayMs + 7 * kHourMs;  // hour of now - 32 d
  const int64_t first_day = kStart + 38 * kDayMs;
  const std::vector<UsageRollup> days = Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX);
  ASSERT_FALSE(days.empty());
  EXPECT_EQ(days.front().key.start_ms, first_day);
  ExpectSame(days, Expected(records, kDayMs, first_day, INT64_MAX));
  const std::vector<UsageRollup> hours = Scan(dir.path(), RollupGrain::kHour, 0, INT64_MAX);
  ASSERT_FALSE(hours.empty());
  EXPECT_GE(hours.front().key.start_ms, hourly_cutoff);
  EXPECT_LT(Requests(hours, first_day, first_day + kDayMs),
            Requests(days, first_day, first_day + kDayMs));
  EXPECT_EQ((*ledger)->stats().daily_rollups_expired, all_days - days.size());
  // Once the cutoff passes the next midnight, that day goes too.
  clock.Advance(std::chrono::hours(17));
  ASSERT_OK((*ledger)->EnforceRetention());
  const std::vector<UsageRollup> later = Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX);
  ASSERT_FALSE(later.empty());
  EXPECT_EQ(later.front().key.start_ms, first_day + kDayMs);
  ExpectSame(later, Expected(records, kDayMs, first_day + kDayMs, INT64_MAX));
}

}  // namespace
}  // namespace bp::storage::sqlite
