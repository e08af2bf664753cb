#include "storage/sqlite/sqlite_ledger_test_util.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <string>

#include "storage/sqlite/migrations.h"
#include "storage/sqlite/sqlite_db.h"
#include "storage/sqlite/sqlite_ledger_schema.h"
#include "testing/testing.h"

namespace bp::storage::sqlite::ledger_test {

using metering::RollupSums;
using metering::UsageRecord;
using metering::UsageRollup;

const char* const kPrincipals[3] = {"arn:aws:iam::123456789012:user/p0",
                                    "arn:aws:iam::123456789012:user/p1",
                                    "arn:aws:iam::123456789012:role/p2"};

std::vector<UsageRecord> Calls(int n, int64_t from_ms, int64_t step_ms, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<UsageRecord> out;
  for (int i = 0; i < n; ++i) {
    UsageRecord r;
    r.time_ms = from_ms + i * step_ms;
    r.request_id = "req-" + std::to_string(i);
    r.principal = kPrincipals[rng() % 3];
    const int profile = static_cast<int>(rng() % 2);
    r.profile_name = "rd-p" + std::to_string(profile);
    r.profile_arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/p" +
                    std::to_string(profile);
    r.model_id = "model-" + std::to_string(profile);
    r.source_region = "eu-central-1";
    r.serving_region = rng() % 2 ? "eu-west-1" : "eu-central-1";
    r.operation = rng() % 2 ? metering::Operation::kConverse : metering::Operation::kConverseStream;
    r.status = 200;
    if (i % 9 == 4) r.status = 429, r.error_code = "ThrottlingException";
    if (i % 13 == 6) r.status = 400, r.error_code = "ValidationException";
    r.tokens = {.input = static_cast<int64_t>(rng() % 3000),
                .output = static_cast<int64_t>(rng() % 700)};
    r.latency_ms = static_cast<int64_t>(rng() % 9000);
    r.ttft_ms = rng() % 5 == 0 ? -1 : static_cast<int64_t>(rng() % 2000);
    r.request_metadata = {{"run", "r" + std::to_string(i % 4)}};
    r.tags = {{"team", profile == 0 ? "ml" : "search"}};
    r.cost_micro_usd = static_cast<int64_t>(rng() % 50'000);
    r.price_version = "p1";
    r.tokens_estimated = i % 11 == 2;
    out.push_back(std::move(r));
  }
  return out;
}

void Write(const std::filesystem::path& dir, const std::vector<UsageRecord>& records,
           LedgerOptions options) {
  auto ledger = SqliteLedger::Open(dir, options);
  ASSERT_OK(ledger);
  for (const UsageRecord& r : records) (*ledger)->Record(r);
  ASSERT_OK((*ledger)->Flush());
}

void WriteAtVersion(const std::filesystem::path& dir, const std::vector<UsageRecord>& records,
                    int version) {
  ASSERT_GE(version, kLedgerRollupVersion);
  auto db = Database::Open(dir / SqliteLedger::kFileName, std::chrono::seconds(5));
  ASSERT_OK(db);
  ASSERT_OK(ApplyMigrations(**db, LedgerMigrations().first(static_cast<size_t>(version))));
  auto txn = Transaction::Begin(**db, Transaction::Kind::kWrite);
  ASSERT_OK(txn);
  RollupSums hours(metering::kHourMs);
  RollupSums minutes(metering::kMinuteMs);
  for (const UsageRecord& r : records) {
    ASSERT_OK(InsertRecord(**db, r, version));
    hours.Add(r);
    minutes.Add(r);
  }
  for (const auto& [key, rollup] : hours.rollups()) {
    ASSERT_OK(UpsertRollup(**db, kHourlyRollups, rollup, version));
  }
  if (version >= kLedgerMinuteVersion) {
    for (const auto& [key, rollup] : minutes.rollups()) {
      ASSERT_OK(UpsertRollup(**db, kMinuteRollups, rollup, version));
    }
  }
  ASSERT_OK(txn->Commit());
}

int VersionOf(const std::filesystem::path& dir) {
  auto db = Database::Open(dir / SqliteLedger::kFileName, std::chrono::seconds(5));
  EXPECT_OK(db);
  if (!db.ok()) return -1;
  auto version = CurrentSchemaVersion(**db);
  EXPECT_OK(version);
  return version.ok() ? *version : -1;
}

std::vector<UsageRollup> Scan(const std::filesystem::path& dir, RollupGrain grain, int64_t from,
                              int64_t to, std::string_view principal) {
  std::vector<UsageRollup> out;
  EXPECT_OK(ScanUsageRollups(dir, grain, from, to, principal,
                             [&](const UsageRollup& u) { out.push_back(u); }));
  return out;
}

std::map<metering::UsageRollupKey, UsageRollup> Expected(const std::vector<UsageRecord>& records,
                                                         int64_t width_ms, int64_t from,
                                                         int64_t to) {
  RollupSums sums(width_ms);
  for (const UsageRecord& r : records) {
    const int64_t start = metering::BucketStart(r.time_ms, width_ms);
    if (start >= from && start < to) sums.Add(r);
  }
  return sums.rollups();
}

void ExpectSame(const std::vector<UsageRollup>& got,
                const std::map<metering::UsageRollupKey, UsageRollup>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const UsageRollup& g : got) {
    auto it = want.find(g.key);
    ASSERT_NE(it, want.end()) << g.key.start_ms << " " << g.key.principal;
    EXPECT_TRUE(g == it->second) << "the roll-up at " << g.key.start_ms << " of " << g.key.principal
                                 << " (" << g.key.profile_name << "): " << g.requests
                                 << " call(s), want " << it->second.requests;
  }
}

void ExpectOldestFirst(const std::vector<UsageRollup>& rollups) {
  EXPECT_TRUE(std::is_sorted(
      rollups.begin(), rollups.end(),
      [](const UsageRollup& a, const UsageRollup& b) { return a.key.start_ms < b.key.start_ms; }));
}

}  // namespace bp::storage::sqlite::ledger_test
