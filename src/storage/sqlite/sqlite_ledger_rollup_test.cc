// The ledger's hourly roll-ups and retention: raw and roll-up reports agree,
// edge hours come from raw records, the retention deletes in chunks and
// says what is gone, a v1 ledger gets its roll-ups, a crash never leaves the
// two apart.
#include <algorithm>
#include <random>
#include <sys/wait.h>
#include <utility>
#include <vector>

#include <signal.h>
#include <unistd.h>

#include "metering/budgets.h"
#include "metering/usage_rollup.h"
#include "storage/sqlite/sqlite_db.h"
#include "storage/sqlite/sqlite_ledger.h"
#include "storage/sqlite/sqlite_ledger_schema.h"
#include "storage/sqlite/sqlite_ledger_test_util.h"
#include "testing/testing.h"

namespace bp::storage::sqlite {
namespace {

using ::bp::testing::StatusIs;
using metering::Dimension;
using metering::kDayMs;
using metering::kHourMs;
using metering::UsageGroup;
using metering::UsageRecord;
using metering::UsageReport;
using Source = UsageQueryOptions::Source;

constexpr int64_t kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

// Random calls over `hours` hours from kStart, in time order, over a few
// profiles, principals, regions, operations, tag sets and metadata values.
std::vector<UsageRecord> RandomCalls(int n, int hours, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> times;
  for (int i = 0; i < n; ++i) {
    times.push_back(kStart +
                    static_cast<int64_t>(rng() % (static_cast<uint64_t>(hours) * kHourMs)));
  }
  std::sort(times.begin(), times.end());
  std::vector<UsageRecord> out;
  const char* kErrors[] = {"", "", "", "", "ThrottlingException", "ValidationException"};
  for (int i = 0; i < n; ++i) {
    UsageRecord r;
    r.time_ms = times[i];
    r.request_id = "req-" + std::to_string(i);
    r.principal = "arn:aws:iam::123456789012:user/p" + std::to_string(rng() % 3);
    const int profile = static_cast<int>(rng() % 4);
    r.profile_name = profile == 3 ? "" : "rd-p" + std::to_string(profile);
    r.model_id = profile == 3 ? "" : "model-" + std::to_string(profile % 2);
    r.serving_region = rng() % 5 == 0 ? "" : (rng() % 2 ? "eu-west-1" : "eu-central-1");
    r.operation = static_cast<metering::Operation>(rng() % 5);
    r.error_code = kErrors[rng() % 6];
    r.tokens = {.input = static_cast<int64_t>(rng() % 5000),
                .output = static_cast<int64_t>(rng() % 900),
                .cache_read = static_cast<int64_t>(rng() % 100),
                .cache_write_5m = static_cast<int64_t>(rng() % 50),
                .cache_write_1h = static_cast<int64_t>(rng() % 20)};
    r.latency_ms = static_cast<int64_t>(rng() % 20'000);
    r.ttft_ms = rng() % 4 == 0 ? -1 : static_cast<int64_t>(rng() % 3'000);
    r.request_metadata = {{"run", "r" + std::to_string(rng() % 3)}};
    if (profile != 3) r.tags = {{"team", profile == 0 ? "ml" : "search"}, {"billing-mode", "rd"}};
    r.cost_micro_usd = static_cast<int64_t>(rng() % 100'000) - 10;  // a few negative: count 0
    r.price_version = "p1";
    r.tokens_estimated = i % 7 == 3;  // not from rng: the other fields stay as they were
    out.push_back(std::move(r));
  }
  return out;
}

void Write(const std::filesystem::path& dir, const std::vector<UsageRecord>& records,
           LedgerOptions options = {}) {
  auto ledger = SqliteLedger::Open(dir, options);
  ASSERT_OK(ledger);
  for (UsageRecord r : records) (*ledger)->Record(r);
  ASSERT_OK((*ledger)->Flush());
}

UsageReport Query(const std::filesystem::path& dir, std::vector<Dimension> by, int64_t from,
                  int64_t to, Source source) {
  auto report = QueryUsage(dir, std::move(by), from, to, {.source = source});
  EXPECT_OK(report);
  return report.ok() ? *report : UsageReport{};
}

// Every count, token and cost equal; groups in the same order.
void ExpectSameFigures(const UsageReport& got, const UsageReport& want) {
  auto same = [](const UsageGroup& g, const UsageGroup& w) {
    EXPECT_EQ(g.keys, w.keys);
    EXPECT_EQ(g.requests, w.requests);
    EXPECT_EQ(g.errors, w.errors);
    EXPECT_EQ(g.throttles, w.throttles);
    EXPECT_EQ(g.estimated, w.estimated);
    EXPECT_EQ(g.tokens.input, w.tokens.input);
    EXPECT_EQ(g.tokens.output, w.tokens.output);
    EXPECT_EQ(g.tokens.cache_read, w.tokens.cache_read);
    EXPECT_EQ(g.tokens.cache_write_5m, w.tokens.cache_write_5m);
    EXPECT_EQ(g.tokens.cache_write_1h, w.tokens.cache_write_1h);
    EXPECT_EQ(g.cost_micro_usd, w.cost_micro_usd);
  };
  same(got.total, want.total);
  ASSERT_EQ(got.groups.size(), want.groups.size());
  for (size_t i = 0; i < got.groups.size(); ++i) same(got.groups[i], want.groups[i]);
}

const std::vector<std::vector<Dimension>>& DimensionSets() {
  static const std::vector<std::vector<Dimension>> sets = {
      {},
      {{.kind = Dimension::Kind::kProfile}},
      {{.kind = Dimension::Kind::kPrincipal}, {.kind = Dimension::Kind::kRegion}},
      {{.kind = Dimension::Kind::kTag, .key = "team"}, {.kind = Dimension::Kind::kOperation}},
      {{.kind = Dimension::Kind::kModel}, {.kind = Dimension::Kind::kTag, .key = "absent"}},
  };
  return sets;
}

TEST(LedgerRollupTest, RollupReportsEqualRawScansOverRandomWindows) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = RandomCalls(6'000, 48, 301);
  Write(dir.path(), records, {.max_batch = 700});  // batches cut across hours
  std::mt19937_64 rng(17);
  for (int window = 0; window < 12; ++window) {
    int64_t from = kStart - kHourMs + static_cast<int64_t>(rng() % (50 * kHourMs));
    int64_t to = from + 1 + static_cast<int64_t>(rng() % (30 * kHourMs));
    if (window == 0) from = kStart - 7, to = kStart + 49 * kHourMs;  // everything
    for (const auto& by : DimensionSets()) {
      SCOPED_TRACE("window " + std::to_string(window) + ", " + std::to_string(by.size()) +
                   " dim(s)");
      const UsageReport raw = Query(dir.path(), by, from, to, Source::kRaw);
      const UsageReport rolled = Query(dir.path(), by, from, to, Source::kRollups);
      ExpectSameFigures(rolled, raw);
      EXPECT_FALSE(raw.percentiles_estimated);
      EXPECT_TRUE(rolled.notes.empty());
      if (to - from >= 2 * kHourMs && raw.total.requests > 0) {
        EXPECT_TRUE(rolled.percentiles_estimated);
        const double tolerance = raw.total.latency_p99_ms / 16.0 + 1;
        EXPECT_NEAR(rolled.total.latency_p99_ms, raw.total.latency_p99_ms, tolerance);
      }
    }
  }
  // The whole window counts every record.
  EXPECT_EQ(Query(dir.path(), {}, kStart, kStart + 48 * kHourMs, Source::kRollups).total.requests,
            6'000);
}

TEST(LedgerRollupTest, EdgeHoursComeFromRawRecords) {
  bp::testing::TempDir dir;
  const int64_t h = kStart + 5 * kHourMs;
  std::vector<UsageRecord> records = RandomCalls(8, 1, 5);
  const int64_t times[] = {
      h - kHourMs,         h - 1,          h, h + 1, h + kHourMs - 1, h + kHourMs,
      h + 2 * kHourMs - 1, h + 2 * kHourMs};
  for (size_t i = 0; i < records.size(); ++i) records[i].time_ms = times[i];
  Write(dir.path(), records);
  // [h - 1, h + 2h): one raw millisecond, two whole hours, nothing after.
  const UsageReport r = Query(dir.path(), {}, h - 1, h + 2 * kHourMs, Source::kRollups);
  EXPECT_EQ(r.total.requests, 6);
  EXPECT_TRUE(r.percentiles_estimated);
  // [h + 1, h + kHourMs + 1): two partial hours, no whole one: raw, exact.
  const UsageReport partial = Query(dir.path(), {}, h + 1, h + kHourMs + 1, Source::kRollups);
  EXPECT_EQ(partial.total.requests, 3);
  EXPECT_FALSE(partial.percentiles_estimated);
  ExpectSameFigures(partial, Query(dir.path(), {}, h + 1, h + kHourMs + 1, Source::kRaw));
}

TEST(LedgerRollupTest, AutoIsExactForSmallWindowsAndRollsUpLargeOnes) {
  bp::testing::TempDir dir;
  Write(dir.path(), RandomCalls(600, 10, 9));
  auto small = QueryUsage(dir.path(), {}, kStart, kStart + 10 * kHourMs);  // the default: kAuto
  ASSERT_OK(small);
  EXPECT_FALSE(small->percentiles_estimated);
  EXPECT_EQ(small->total.requests, 600);
  auto large = QueryUsage(dir.path(), {}, kStart, kStart + 10 * kHourMs,
                          {.source = Source::kAuto, .exact_up_to = 599});
  ASSERT_OK(large);
  EXPECT_TRUE(large->percentiles_estimated);
  ExpectSameFigures(*large, *small);
}

TEST(LedgerRollupTest, ScanUsageHourlyHandsOutRollupsAndEdgeRecords) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = RandomCalls(1'000, 6, 23);
  Write(dir.path(), records);
  const int64_t from = kStart + kHourMs / 2;
  const int64_t to = kStart + 5 * kHourMs + 7;
  int64_t want_cost = 0;
  int64_t want_calls = 0;
  for (const UsageRecord& r : records) {
    if (r.time_ms < from || r.time_ms >= to) continue;
    ++want_calls;
    want_cost += std::max<int64_t>(0, r.cost_micro_usd);
  }
  int64_t raw_calls = 0, rollup_calls = 0, cost = 0;
  auto notes = ScanUsageHourly(
      dir.path(), from, to,
      [&](const UsageRecord& r) {
        EXPECT_TRUE(r.time_ms < kStart + kHourMs || r.time_ms >= kStart + 5 * kHourMs);
        ++raw_calls;
        cost += std::max<int64_t>(0, r.cost_micro_usd);
      },
      [&](const metering::UsageRollup& u) {
        EXPECT_GE(u.key.start_ms, kStart + kHourMs);
        EXPECT_LT(u.key.start_ms, kStart + 5 * kHourMs);
        EXPECT_EQ(u.key.profile_name.empty(), u.key.tags.empty());  // tags parsed
        rollup_calls += u.requests;
        cost += u.cost_micro_usd;
      });
  ASSERT_OK(notes);
  EXPECT_TRUE(notes->empty());
  EXPECT_GT(raw_calls, 0);
  EXPECT_GT(rollup_calls, 0);
  EXPECT_EQ(raw_calls + rollup_calls, want_calls);
  EXPECT_EQ(cost, want_cost);
}

// serve's budget restore: this month's whole hours from the roll-ups (as
// SpendRecord), the running hour from raw records, gives every budget the
// same spend as adding up the raw records.
TEST(LedgerRollupTest, BudgetsRestoredFromRollupsEqualARawRestore) {
  bp::testing::TempDir dir;
  std::vector<UsageRecord> records = RandomCalls(3'000, 241, 61);
  records.front().time_ms = kStart - kHourMs;  // last month's: never counted
  Write(dir.path(), records);
  bp::testing::FakeClock clock(std::chrono::system_clock::time_point(
      std::chrono::milliseconds(kStart + 240 * kHourMs + kHourMs / 2)));
  metering::BudgetSettings settings;
  const metering::BudgetLimit limit{.monthly_micro_usd = 1'000'000'000'000};
  settings.profiles = {{"rd-p0", limit}, {"rd-p1", limit}};
  settings.principals = {{"p1", limit}};
  settings.principal_arns = {{"p1", "arn:aws:iam::123456789012:user/p1"}};
  settings.tags["team"] = {{"ml", limit}, {"search", limit}};
  metering::Budgets from_raw(settings, clock);
  metering::Budgets from_rollups(settings, clock);
  const int64_t from = kStart;
  const int64_t to = ToUnixMillis(clock.Now()) + 1;
  ASSERT_OK(ScanUsage(dir.path(), from, to, [&](const UsageRecord& r) { from_raw.Restore(r); }));
  int rollups = 0;
  auto notes = ScanUsageHourly(
      dir.path(), from, to, [&](const UsageRecord& r) { from_rollups.Restore(r); },
      [&](const metering::UsageRollup& u) {
        ++rollups;
        from_rollups.Restore(u.SpendRecord());
      });
  ASSERT_OK(notes);
  EXPECT_GT(rollups, 0);
  for (const char* profile : {"rd-p0", "rd-p1"}) {
    EXPECT_GT(from_raw.ProfileUsage(profile).spent, 0);
    EXPECT_EQ(from_rollups.ProfileUsage(profile).spent, from_raw.ProfileUsage(profile).spent);
  }
  EXPECT_GT(from_raw.PrincipalUsage("p1").spent, 0);
  EXPECT_EQ(from_rollups.PrincipalUsage("p1").spent, from_raw.PrincipalUsage("p1").spent);
  for (const char* team : {"ml", "search"}) {
    EXPECT_GT(from_raw.TagUsage("team", team).spent, 0);
    EXPECT_EQ(from_rollups.TagUsage("team", team).spent, from_raw.TagUsage("team", team).spent);
  }
}

class RetentionTest : public ::testing::Test {
 protected:
  // Ten days of calls; "now" is the end of day 10.
  RetentionTest()
      : clock_(
            std::chrono::system_clock::time_point(std::chrono::milliseconds(kStart + 10 * kDayMs))),
        records_(RandomCalls(3'000, 240, 77)) {}

  LedgerOptions Options() const {
    return {.raw_retention = std::chrono::hours(3 * 24),
            .rollup_retention = std::chrono::hours(5 * 24),
            .retention_chunk = 37,
            .clock = &clock_};
  }

  bp::testing::TempDir dir_;
  bp::testing::FakeClock clock_;
  std::vector<UsageRecord> records_;
};

TEST_F(RetentionTest, DeletesExpiredRowsInChunksAndSaysWhatIsGone) {
  const int64_t raw_from = kStart + 7 * kDayMs;     // now - 3d, on an hour
  const int64_t rollup_from = kStart + 5 * kDayMs;  // now - 5d
  // What the reports must still show: from before any deletion.
  Write(dir_.path(), records_);
  const UsageReport kept_before = Query(dir_.path(), {{.kind = Dimension::Kind::kProfile}},
                                        rollup_from, kStart + 10 * kDayMs, Source::kRollups);
  const UsageReport recent_before =
      Query(dir_.path(), {{.kind = Dimension::Kind::kMetadata, .key = "run"}}, raw_from,
            kStart + 10 * kDayMs, Source::kRaw);
  auto ledger = SqliteLedger::Open(dir_.path(), Options());
  ASSERT_OK(ledger);
  ASSERT_OK((*ledger)->EnforceRetention());
  const LedgerStats stats = (*ledger)->stats();
  int64_t old_raw = 0;
  for (const UsageRecord& r : records_) old_raw += r.time_ms < raw_from ? 1 : 0;
  EXPECT_EQ(stats.raw_expired, static_cast<uint64_t>(old_raw));
  EXPECT_GT(stats.rollups_expired, 0u);
  EXPECT_GE(stats.retention_passes, 1u);

  int64_t oldest = INT64_MAX;
  ASSERT_OK(ScanUsage(dir_.path(), 0, INT64_MAX,
                      [&](const UsageRecord& r) { oldest = std::min(oldest, r.time_ms); }));
  EXPECT_GE(oldest, raw_from);

  // Whole hours the roll-ups keep are unchanged; percentiles estimated.
  const UsageReport kept = Query(dir_.path(), {{.kind = Dimension::Kind::kProfile}}, rollup_from,
                                 kStart + 10 * kDayMs, Source::kAuto);
  ExpectSameFigures(kept, kept_before);
  EXPECT_EQ(kept.raw_from_ms, raw_from);
  EXPECT_TRUE(kept.notes.empty());

  // Beyond the roll-ups' retention: what exists, and a note.
  const UsageReport all = Query(dir_.path(), {{.kind = Dimension::Kind::kProfile}}, kStart,
                                kStart + 10 * kDayMs, Source::kAuto);
  ExpectSameFigures(all, kept_before);
  ASSERT_EQ(all.notes.size(), 1u);
  EXPECT_THAT(all.notes[0], ::testing::HasSubstr("roll-ups before 2026-01-06T00:00:00.000Z have "
                                                 "expired (metering.rollup_retention)"));

  // A partial first hour before the raw horizon cannot be answered.
  const UsageReport partial =
      Query(dir_.path(), {}, raw_from - kHourMs / 2, kStart + 10 * kDayMs, Source::kAuto);
  ASSERT_EQ(partial.notes.size(), 1u);
  EXPECT_THAT(partial.notes[0], ::testing::HasSubstr("raw records before 2026-01-08T00:00:00.000Z "
                                                     "have expired"));

  // metadata:KEY beyond the raw records: the part that exists, and a note
  // naming how many calls it cannot place.
  const UsageReport meta = Query(dir_.path(), {{.kind = Dimension::Kind::kMetadata, .key = "run"}},
                                 rollup_from, kStart + 10 * kDayMs, Source::kAuto);
  ExpectSameFigures(meta, recent_before);
  EXPECT_FALSE(meta.percentiles_estimated);
  ASSERT_EQ(meta.notes.size(), 1u);
  int64_t lost = 0;
  for (const UsageRecord& r : records_) lost += r.time_ms >= rollup_from && r.time_ms < raw_from;
  EXPECT_THAT(meta.notes[0], ::testing::HasSubstr("metadata:run comes from raw records only"));
  EXPECT_THAT(meta.notes[0], ::testing::HasSubstr(std::to_string(lost) + " earlier call(s)"));
}

TEST_F(RetentionTest, RunsOnTheWriterBetweenBatchesAndKeepsRecentCalls) {
  auto ledger = SqliteLedger::Open(dir_.path(), Options());
  ASSERT_OK(ledger);
  for (UsageRecord r : records_) (*ledger)->Record(r);
  ASSERT_OK((*ledger)->Flush());
  ASSERT_OK((*ledger)->EnforceRetention());
  const uint64_t expired = (*ledger)->stats().raw_expired;
  EXPECT_GT(expired, 0u);
  // A second pass at the same time finds nothing more.
  ASSERT_OK((*ledger)->EnforceRetention());
  EXPECT_EQ((*ledger)->stats().raw_expired, expired);
  // A day later, another day of raw records goes.
  clock_.Advance(std::chrono::hours(24));
  ASSERT_OK((*ledger)->EnforceRetention());
  EXPECT_GT((*ledger)->stats().raw_expired, expired);
  const UsageReport r =
      Query(dir_.path(), {}, kStart + 8 * kDayMs, kStart + 10 * kDayMs, Source::kRaw);
  int64_t want = 0;
  for (const UsageRecord& rec : records_) want += rec.time_ms >= kStart + 8 * kDayMs;
  EXPECT_EQ(r.total.requests, want);
  EXPECT_TRUE(r.notes.empty());
}

TEST(LedgerOptionsTest, RetentionNeedsAClockAndOrderedValues) {
  bp::testing::TempDir dir;
  bp::testing::FakeClock clock;
  EXPECT_THAT(SqliteLedger::Open(dir.path(), {.raw_retention = std::chrono::hours(1)}).status(),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(SqliteLedger::Open(dir.path(), {.raw_retention = std::chrono::hours(48),
                                              .rollup_retention = std::chrono::hours(24),
                                              .clock = &clock})
                  .status(),
              StatusIs(ErrorCode::kValidation));
  // Without a retention, EnforceRetention has nothing to do.
  auto ledger = SqliteLedger::Open(dir.path());
  ASSERT_OK(ledger);
  EXPECT_OK((*ledger)->EnforceRetention());
}

// A ledger written by a binary that knew only schema v1: opening it builds
// the roll-ups from its raw records, in the migration's transaction (the
// hourly ones, v2; the daily ones from those, v6).
TEST(LedgerMigrationTest, AVersionOneLedgerGetsItsRollups) {
  bp::testing::TempDir dir;
  const std::vector<UsageRecord> records = RandomCalls(2'000, 30, 41);
  {
    auto db = Database::Open(dir.path() / SqliteLedger::kFileName, std::chrono::seconds(5));
    ASSERT_OK(db);
    ASSERT_OK(ApplyMigrations(**db, LedgerMigrations().first(1)));
    auto txn = Transaction::Begin(**db, Transaction::Kind::kWrite);
    ASSERT_OK(txn);
    for (const UsageRecord& r : records) ASSERT_OK(InsertRecord(**db, r, /*version=*/1));
    ASSERT_OK(txn->Commit());
  }
  // Read before any serve migrated it: raw records only, exact.
  const UsageReport v1 = Query(dir.path(), {{.kind = Dimension::Kind::kProfile}}, kStart,
                               kStart + 30 * kHourMs, Source::kRollups);
  EXPECT_EQ(v1.total.requests, 2'000);
  EXPECT_FALSE(v1.percentiles_estimated);
  {
    auto ledger = SqliteLedger::Open(dir.path());
    ASSERT_OK(ledger);
  }
  for (const auto& by : DimensionSets()) {
    const UsageReport rolled =
        Query(dir.path(), by, kStart, kStart + 30 * kHourMs, Source::kRollups);
    EXPECT_TRUE(rolled.percentiles_estimated);
    ExpectSameFigures(rolled, Query(dir.path(), by, kStart, kStart + 30 * kHourMs, Source::kRaw));
  }
  // The records as stored: a v1 row has no tokens_estimated (read false).
  std::vector<UsageRecord> stored;
  ASSERT_OK(
      ScanUsage(dir.path(), 0, INT64_MAX, [&](const UsageRecord& r) { stored.push_back(r); }));
  ledger_test::ExpectSame(ledger_test::Scan(dir.path(), RollupGrain::kDay, 0, INT64_MAX),
                          ledger_test::Expected(stored, kDayMs, 0, INT64_MAX));
  EXPECT_EQ(ledger_test::VersionOf(dir.path()), kLedgerLatestVersion);
}

TEST(LedgerMigrationTest, TheLatestVersionIsTheLastMigrations) {
  EXPECT_EQ(kLedgerLatestVersion, LatestVersion(LedgerMigrations()));
}

// A ledger written at schema v2 (before tokens_estimated): read unmigrated,
// then opened (migrated to v3), its old rows and roll-ups read as reported
// figures (tokens_estimated false, estimated 0); new calls carry the flag
// into both.
TEST(LedgerMigrationTest, AVersionTwoLedgerReadsItsCallsAsNotEstimated) {
  bp::testing::TempDir dir;
  std::vector<UsageRecord> records = RandomCalls(500, 6, 43);
  {
    auto db = Database::Open(dir.path() / SqliteLedger::kFileName, std::chrono::seconds(5));
    ASSERT_OK(db);
    ASSERT_OK(ApplyMigrations(**db, LedgerMigrations().first(2)));
    auto txn = Transaction::Begin(**db, Transaction::Kind::kWrite);
    ASSERT_OK(txn);
    for (const UsageRecord& r : records) {
      ASSERT_OK(InsertRecord(**db, r, /*version=*/2));
      metering::UsageRollup rollup;
      rollup.key = metering::RollupKeyOf(r);
      rollup.Add(r);
      ASSERT_OK(UpsertRollup(**db, kHourlyRollups, rollup, /*version=*/2));
    }
    ASSERT_OK(txn->Commit());
  }
  auto expect_none_estimated = [&](std::string_view when) {
    int64_t scanned = 0;
    ASSERT_OK(ScanUsage(dir.path(), 0, INT64_MAX, [&](const UsageRecord& r) {
      EXPECT_FALSE(r.tokens_estimated) << when << " " << r.request_id;
      ++scanned;
    }));
    EXPECT_EQ(scanned, 500) << when;
    for (Source source : {Source::kRaw, Source::kRollups}) {
      const UsageReport report = Query(dir.path(), {{.kind = Dimension::Kind::kProfile}}, kStart,
                                       kStart + 6 * kHourMs, source);
      EXPECT_EQ(report.total.requests, 500) << when;
      EXPECT_EQ(report.total.estimated, 0) << when;
    }
  };
  expect_none_estimated("unmigrated");
  {
    auto ledger = SqliteLedger::Open(dir.path());
    ASSERT_OK(ledger);
  }
  {
    auto db = Database::Open(dir.path() / SqliteLedger::kFileName, std::chrono::seconds(5));
    ASSERT_OK(db);
    auto version = CurrentSchemaVersion(**db);
    ASSERT_OK(version);
    EXPECT_EQ(*version, kLedgerLatestVersion);
  }
  expect_none_estimated("migrated");

  // Two calls after the migration, in the last hour: one estimated.
  UsageRecord estimated = records.back();
  estimated.request_id = "new-estimated";
  estimated.tokens_estimated = true;
  UsageRecord reported = estimated;
  reported.request_id = "new-reported";
  reported.tokens_estimated = false;
  Write(dir.path(), {estimated, reported});
  std::vector<std::string> flagged;
  ASSERT_OK(ScanUsage(dir.path(), 0, INT64_MAX, [&](const UsageRecord& r) {
    if (r.tokens_estimated) flagged.push_back(r.request_id);
  }));
  EXPECT_EQ(flagged, std::vector<std::string>{"new-estimated"});
  for (Source source : {Source::kRaw, Source::kRollups}) {
    const UsageReport report = Query(dir.path(), {}, kStart, kStart + 6 * kHourMs, source);
    EXPECT_EQ(report.total.requests, 502);
    EXPECT_EQ(report.total.estimated, 1);
  }
}

TEST(LedgerRollupTest, ADamagedHistogramIsAnErrorNotACrash) {
  bp::testing::TempDir dir;
  Write(dir.path(), RandomCalls(50, 3, 3));
  {
    auto db = Database::Open(dir.path() / SqliteLedger::kFileName, std::chrono::seconds(5));
    ASSERT_OK(db);
    ASSERT_OK((*db)->Exec("UPDATE usage_hourly SET latency_histogram = x'05ff'", "damaging"));
  }
  auto report =
      QueryUsage(dir.path(), {}, kStart, kStart + 3 * kHourMs, {.source = Source::kRollups});
  EXPECT_THAT(report.status(), StatusIs(ErrorCode::kIo));
  EXPECT_THAT(report.status().message(), ::testing::HasSubstr("damaged histogram"));
}

// kill -9 while batches are being written: whatever is on disk, the
// roll-ups count exactly the raw records.
TEST(LedgerRollupTest, RawAndRollupsAgreeAfterKillDashNine) {
  bp::testing::TempDir dir;
  int ack[2];
  ASSERT_EQ(pipe(ack), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ack[0]);
    auto ledger = SqliteLedger::Open(
        dir.path(), {.flush_interval = std::chrono::milliseconds(2), .max_batch = 50});
    if (!ledger.ok()) _exit(10);
    const std::vector<UsageRecord> calls = RandomCalls(200'000, 100, 99);
    for (size_t i = 0; i < 500; ++i) (*ledger)->Record(UsageRecord(calls[i]));
    if (!(*ledger)->Flush().ok()) _exit(11);
    const char a = 'A';
    if (write(ack[1], &a, 1) != 1) _exit(12);
    for (size_t i = 500;; i = (i + 1) % calls.size()) {  // keeps writing until killed
      (*ledger)->Record(UsageRecord(calls[i]));
      if (i % 64 == 0) usleep(100);
    }
  }
  close(ack[1]);
  char a = 0;
  ASSERT_EQ(read(ack[0], &a, 1), 1);
  usleep(100'000);  // many batches in flight
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  close(ack[0]);
  const int64_t to = kStart + 101 * kHourMs;
  for (const auto& by : DimensionSets()) {
    const UsageReport raw = Query(dir.path(), by, kStart - kHourMs, to, Source::kRaw);
    EXPECT_GE(raw.total.requests, 500);
    ExpectSameFigures(Query(dir.path(), by, kStart - kHourMs, to, Source::kRollups), raw);
  }
  // The minute and daily roll-ups are written in the same transactions:
  // each equals the raw records on disk summed at its width.
  std::vector<UsageRecord> on_disk;
  ASSERT_OK(
      ScanUsage(dir.path(), 0, INT64_MAX, [&](const UsageRecord& r) { on_disk.push_back(r); }));
  for (const auto& [grain, width] : {std::pair(RollupGrain::kMinute, metering::kMinuteMs),
                                     std::pair(RollupGrain::kDay, kDayMs)}) {
    SCOPED_TRACE(width);
    ledger_test::ExpectSame(ledger_test::Scan(dir.path(), grain, 0, INT64_MAX),
                            ledger_test::Expected(on_disk, width, 0, INT64_MAX));
  }
}

}  // namespace
}  // namespace bp::storage::sqlite
