#include "storage/sqlite/sqlite_ledger.h"

#include <atomic>
#include <sys/wait.h>
#include <thread>
#include <vector>

#include <signal.h>
#include <unistd.h>

#include "testing/testing.h"

namespace bp::storage::sqlite {
namespace {

using ::bp::testing::StatusIs;
using metering::UsageRecord;

UsageRecord Sample(int i) {
  UsageRecord r;
  r.time_ms = 1'767'225'600'000 + i;
  r.request_id = "req-" + std::to_string(i);
  r.principal = "arn:aws:iam::123456789012:user/rd-e2e";
  r.profile_name = "rd-haiku-45";
  r.profile_arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abc";
  r.model_id = "anthropic.claude-haiku-4-5-20251001-v1:0";
  r.source_region = "eu-central-1";
  r.serving_region = "eu-west-1";
  r.attempts = 2;
  r.operation = metering::Operation::kConverseStream;
  r.status = 200;
  r.cut_short = i % 2 == 1;
  r.tokens_estimated = i % 3 == 1;
  r.tokens = {
      .input = 10 + i, .output = 20, .cache_read = 3, .cache_write_5m = 4, .cache_write_1h = 5};
  r.latency_ms = 120;
  r.ttft_ms = 30;
  r.service_tier = "priority";
  r.request_metadata = {{"team", "search"}, {"run", "e2e-1"}};
  r.tags = {
      {"billing-mode", "rd"}, {"team", "ml"}, {"quote\"back\\slash", "line\nbreak \xc3\xa9\t"}};
  r.cost_micro_usd = 1234;
  r.price_version = "p1";
  return r;
}

std::vector<UsageRecord> ReadAll(const std::filesystem::path& dir) {
  std::vector<UsageRecord> out;
  Status s = ScanUsage(dir, 0, INT64_MAX, [&](const UsageRecord& r) { out.push_back(r); });
  EXPECT_OK(s);
  return out;
}

TEST(SqliteLedgerTest, RecordsRoundTripWholeAfterFlush) {
  bp::testing::TempDir dir;
  auto ledger = SqliteLedger::Open(dir.path());
  ASSERT_OK(ledger);
  (*ledger)->Record(Sample(0));
  (*ledger)->Record(Sample(1));
  ASSERT_OK((*ledger)->Flush());
  std::vector<UsageRecord> rows = ReadAll(dir.path());  // while the writer is open
  ASSERT_EQ(rows.size(), 2u);
  const UsageRecord want = Sample(1);
  const UsageRecord& got = rows[1];
  EXPECT_EQ(got.time_ms, want.time_ms);
  EXPECT_EQ(got.request_id, want.request_id);
  EXPECT_EQ(got.principal, want.principal);
  EXPECT_EQ(got.profile_name, want.profile_name);
  EXPECT_EQ(got.profile_arn, want.profile_arn);
  EXPECT_EQ(got.model_id, want.model_id);
  EXPECT_EQ(got.serving_region, want.serving_region);
  EXPECT_EQ(got.attempts, 2);
  EXPECT_EQ(got.operation, metering::Operation::kConverseStream);
  EXPECT_TRUE(got.cut_short);
  EXPECT_TRUE(got.tokens_estimated);
  EXPECT_FALSE(rows[0].tokens_estimated);
  EXPECT_EQ(got.tokens.input, 11);
  EXPECT_EQ(got.tokens.cache_write_1h, 5);
  EXPECT_EQ(got.ttft_ms, 30);
  EXPECT_EQ(got.service_tier, "priority");
  EXPECT_EQ(got.request_metadata, want.request_metadata);  // order kept
  EXPECT_EQ(got.tags, want.tags);
  EXPECT_EQ(got.cost_micro_usd, 1234);
  EXPECT_EQ(got.price_version, "p1");
  LedgerStats stats = (*ledger)->stats();
  EXPECT_EQ(stats.recorded, 2u);
  EXPECT_EQ(stats.written, 2u);
  EXPECT_EQ(stats.queued, 0u);
}

TEST(SqliteLedgerTest, ScanSelectsTheTimeWindow) {
  bp::testing::TempDir dir;
  {
    auto ledger = SqliteLedger::Open(dir.path());
    ASSERT_OK(ledger);
    for (int i = 0; i < 10; ++i) (*ledger)->Record(Sample(i));
  }  // the destructor writes what is queued
  int n = 0;
  ASSERT_OK(ScanUsage(dir.path(), Sample(3).time_ms, Sample(7).time_ms, [&](const UsageRecord& r) {
    EXPECT_EQ(r.request_id, "req-" + std::to_string(3 + n++));
  }));
  EXPECT_EQ(n, 4);
}

TEST(SqliteLedgerTest, TheInstanceIdIsMadeOnceAndKept) {
  bp::testing::TempDir dir;
  bp::testing::TempDir other;
  std::string id;
  {
    auto ledger = SqliteLedger::Open(dir.path());
    ASSERT_OK(ledger);
    id = (*ledger)->instance_id();
  }
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  auto reopened = SqliteLedger::Open(dir.path());
  ASSERT_OK(reopened);
  EXPECT_EQ((*reopened)->instance_id(), id);
  auto fresh = SqliteLedger::Open(other.path());
  ASSERT_OK(fresh);
  EXPECT_NE((*fresh)->instance_id(), id);
  auto tail = LedgerTail::Open(dir.path());
  ASSERT_OK(tail);
  EXPECT_EQ((*tail)->instance_id(), id);
}

TEST(SqliteLedgerTest, TheTailReadsFromACursorInWriteOrder) {
  bp::testing::TempDir dir;
  auto ledger = SqliteLedger::Open(dir.path());
  ASSERT_OK(ledger);
  auto tail = LedgerTail::Open(dir.path());
  ASSERT_OK(tail);
  EXPECT_EQ(*(*tail)->MaxId(), 0);
  for (int i = 0; i < 7; ++i) (*ledger)->Record(Sample(6 - i));  // newest call first
  ASSERT_OK((*ledger)->Flush());
  std::vector<std::pair<int64_t, std::string>> seen;
  auto collect = [&](int64_t id, const UsageRecord& r) { seen.emplace_back(id, r.request_id); };
  Result<size_t> first = (*tail)->Read(0, 3, collect);
  ASSERT_OK(first);
  EXPECT_EQ(*first, 3u);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].second, "req-6");  // write order, not time order
  EXPECT_EQ(seen[2].second, "req-4");
  Result<size_t> rest = (*tail)->Read(seen.back().first, 100, collect);
  ASSERT_OK(rest);
  EXPECT_EQ(*rest, 4u);
  ASSERT_EQ(seen.size(), 7u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i].first, seen[i - 1].first);
  EXPECT_EQ(*(*tail)->MaxId(), seen.back().first);
  Result<size_t> none = (*tail)->Read(seen.back().first, 100, collect);
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0u);
}

// SQLite gives a new row the largest id + 1: were the retention to delete
// every row, ids would start again at 1, under a shipper's cursor.
TEST(SqliteLedgerTest, TheRetentionNeverLetsAnIdRepeat) {
  bp::testing::TempDir dir;
  // "Now" is a day after the samples: all of them have expired.
  bp::testing::FakeClock clock(std::chrono::system_clock::time_point(
      std::chrono::milliseconds(Sample(0).time_ms + 24 * 3'600'000)));
  auto ledger = SqliteLedger::Open(dir.path(), {.raw_retention = std::chrono::hours(1),
                                                .rollup_retention = std::chrono::hours(1),
                                                .clock = &clock});
  ASSERT_OK(ledger);
  for (int i = 0; i < 5; ++i) (*ledger)->Record(Sample(i));
  ASSERT_OK((*ledger)->Flush());
  auto tail = LedgerTail::Open(dir.path());
  ASSERT_OK(tail);
  const int64_t last = *(*tail)->MaxId();
  ASSERT_OK((*ledger)->EnforceRetention());
  EXPECT_EQ((*ledger)->stats().raw_expired, 4u);  // all but the newest row
  (*ledger)->Record(Sample(9));
  ASSERT_OK((*ledger)->Flush());
  std::vector<int64_t> ids;
  ASSERT_OK((*tail)->Read(0, 100, [&](int64_t id, const UsageRecord&) { ids.push_back(id); }));
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], last);
  EXPECT_GT(ids[1], last);
}

TEST(SqliteLedgerTest, TheTailNeedsALedger) {
  bp::testing::TempDir dir;
  EXPECT_THAT(LedgerTail::Open(dir.path()), StatusIs(ErrorCode::kResourceNotFound));
}

TEST(SqliteLedgerTest, NoLedgerYetIsNotFound) {
  bp::testing::TempDir dir;
  EXPECT_THAT(ScanUsage(dir.path(), 0, 1, [](const UsageRecord&) {}),
              StatusIs(ErrorCode::kResourceNotFound));
}

TEST(SqliteLedgerTest, ConcurrentWritersLoseNothing) {
  bp::testing::TempDir dir;
  auto ledger = SqliteLedger::Open(
      dir.path(), {.flush_interval = std::chrono::milliseconds(5), .max_batch = 64});
  ASSERT_OK(ledger);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) (*ledger)->Record(Sample(t * 1000 + i));
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_OK((*ledger)->Flush());
  EXPECT_EQ(ReadAll(dir.path()).size(), 2000u);
  EXPECT_EQ((*ledger)->stats().written, 2000u);
}

TEST(SqliteLedgerTest, AFullQueueDropsAndCounts) {
  bp::testing::TempDir dir;
  // A writer that waits an hour unless a batch fills: everything stays queued.
  auto ledger = SqliteLedger::Open(
      dir.path(), {.flush_interval = std::chrono::hours(1), .max_batch = 1000, .max_queued = 3});
  ASSERT_OK(ledger);
  for (int i = 0; i < 5; ++i) (*ledger)->Record(Sample(i));
  LedgerStats stats = (*ledger)->stats();
  EXPECT_EQ(stats.recorded, 5u);
  EXPECT_EQ(stats.dropped, 2u);
  ASSERT_OK((*ledger)->Flush());
  EXPECT_EQ(ReadAll(dir.path()).size(), 3u);
}

// The write lag: the age of the oldest record not yet committed, growing
// while it waits, 0 once everything is written.
TEST(SqliteLedgerTest, WriteLagIsTheAgeOfTheOldestWaitingRecord) {
  bp::testing::TempDir dir;
  auto ledger = SqliteLedger::Open(dir.path(), {.flush_interval = std::chrono::hours(1)});
  ASSERT_OK(ledger);
  EXPECT_EQ((*ledger)->stats().oldest_pending_ms, 0);
  (*ledger)->Record(Sample(0));
  // Taken after Record: the ledger's own queue time is no later than this.
  const auto queued = std::chrono::steady_clock::now();
  // Await (not sleep) 5 ms of steady time past the record.
  while (std::chrono::steady_clock::now() - queued < std::chrono::milliseconds(5)) {
    std::this_thread::yield();
  }
  (*ledger)->Record(Sample(1));  // younger: the lag stays the first record's
  const LedgerStats waiting = (*ledger)->stats();
  EXPECT_EQ(waiting.queued, 2u);
  EXPECT_GE(waiting.oldest_pending_ms, 5);
  ASSERT_OK((*ledger)->Flush());
  EXPECT_EQ((*ledger)->stats().oldest_pending_ms, 0);
}

// kill -9 of a process that recorded: whatever was flushed before the kill
// is there, once, and the ledger opens again.
TEST(SqliteLedgerTest, SurvivesKillDashNineWithEverythingFlushed) {
  bp::testing::TempDir dir;
  int ack[2];
  ASSERT_EQ(pipe(ack), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ack[0]);
    auto ledger = SqliteLedger::Open(dir.path(), {.flush_interval = std::chrono::milliseconds(20)});
    if (!ledger.ok()) _exit(10);
    for (int i = 0; i < 100; ++i) (*ledger)->Record(Sample(i));
    if (!(*ledger)->Flush().ok()) _exit(11);
    const char a = 'A';
    if (write(ack[1], &a, 1) != 1) _exit(12);
    for (int i = 100;; ++i) {  // keeps writing until killed
      (*ledger)->Record(Sample(i));
      usleep(100);
    }
  }
  close(ack[1]);
  char a = 0;
  ASSERT_EQ(read(ack[0], &a, 1), 1);
  usleep(50'000);  // a few batches in flight
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  close(ack[0]);
  std::vector<UsageRecord> rows = ReadAll(dir.path());
  ASSERT_GE(rows.size(), 100u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].request_id, "req-" + std::to_string(i));  // in order, none twice
  }
  auto reopened = SqliteLedger::Open(dir.path());
  ASSERT_OK(reopened);
  (*reopened)->Record(Sample(100000));
  ASSERT_OK((*reopened)->Flush());
  EXPECT_EQ(ReadAll(dir.path()).size(), rows.size() + 1);
}

}  // namespace
}  // namespace bp::storage::sqlite
