#include "storage/postgres/postgres_ledger.h"

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "storage/postgres/migrations.h"
#include "storage/postgres/pg_conn.h"
#include "storage/postgres/postgres_leases.h"
#include "testing/postgres_server.h"
#include "testing/testing.h"

namespace bp::storage {
namespace {

using ::bp::testing::PostgresServer;
using ::bp::testing::StatusIs;
using metering::Dimension;
using metering::UsageRecord;
using std::chrono::milliseconds;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Its own server (the store's tests share theirs and restart it): started
// on first use, stopped with the process.
PostgresServer& Server() {
  static PostgresServer* server = [] {
    auto started = PostgresServer::Start();
    EXPECT_OK(started);
    return started.ok() ? std::move(started).value().release() : nullptr;
  }();
  if (server == nullptr) std::abort();  // the failure is reported above
  return *server;
}

std::string FreshDatabase() {
  static int next = 0;
  auto url = Server().CreateDatabase("bp_ledger_" + std::to_string(next++));
  EXPECT_OK(url);
  auto conn = postgres::Connection::Open(*url);
  EXPECT_OK(conn);
  EXPECT_OK(postgres::ApplyMigrations(**conn, postgres::ProfileStoreMigrations()));
  return *url;
}

// A local ledger in memory, in the shape of sqlite::LedgerTail::Read: ids
// 1, 2, 3, ... in the order records were added. The shipper reads it on
// its thread while the test adds.
class LocalLedger {
 public:
  void Add(UsageRecord r) {
    MutexLock lock(mu_);
    records_.push_back(std::move(r));
  }
  LocalLedgerReader Reader() {
    return [this](int64_t after, size_t limit,
                  const std::function<void(int64_t, const UsageRecord&)>& fn) -> Result<size_t> {
      MutexLock lock(mu_);
      size_t n = 0;
      for (int64_t id = after + 1; id <= static_cast<int64_t>(records_.size()) && n < limit;
           ++id, ++n) {
        fn(id, records_[static_cast<size_t>(id - 1)]);
      }
      return n;
    };
  }

 private:
  Mutex mu_;
  std::vector<UsageRecord> records_ BP_GUARDED_BY(mu_);
};

UsageRecord Call(int i, std::string profile = "rd-haiku-45") {
  UsageRecord r;
  r.time_ms = 1'767'225'600'000 + i;
  r.request_id = "req-" + std::to_string(i);
  r.principal = "arn:aws:iam::123456789012:user/rd-e2e";
  r.profile_name = std::move(profile);
  r.profile_arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abc";
  r.model_id = "anthropic.claude-haiku-4-5-20251001-v1:0";
  r.source_region = "eu-central-1";
  r.serving_region = "eu-west-1";
  r.attempts = 1;
  r.operation = metering::Operation::kConverse;
  r.status = 200;
  r.tokens = {.input = 10, .output = 20, .cache_read = 3, .cache_write_5m = 4, .cache_write_1h = 0};
  r.latency_ms = 100 + i;
  r.ttft_ms = 30;
  r.tags = {{"team", "ml"}};
  r.cost_micro_usd = 1000;
  r.price_version = "p1";
  return r;
}

int64_t Count(const std::string& url, const std::string& sql) {
  auto conn = postgres::Connection::Open(url);
  EXPECT_OK(conn);
  if (!conn.ok()) return -1;
  auto rows = (*conn)->Exec(sql, "counting");
  EXPECT_OK(rows);
  return rows.ok() ? rows->Int(0, 0) : -1;
}

int64_t Total(const std::string& url) {
  auto report = QueryPostgresUsage(url, {}, 0, INT64_MAX);
  EXPECT_OK(report);
  return report.ok() ? report->total.requests : -1;
}

// Drain until a pass succeeds (after a restart, the first finds the
// connection closed).
Status DrainWithin(PostgresLedgerShipper& shipper, milliseconds budget) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  Status last = Status::Ok();
  while (std::chrono::steady_clock::now() < deadline) {
    last = shipper.Drain(milliseconds(5000));
    if (last.ok()) return last;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return last;
}

TEST(PostgresLedgerTest, ShipsEveryRecordOnceAndMovesTheCursor) {
  const std::string url = FreshDatabase();
  LocalLedger local;
  for (int i = 0; i < 3; ++i) local.Add(Call(i));
  auto shipper = PostgresLedgerShipper::Start(url, "instance-a", local.Reader(),
                                              {.interval = milliseconds(50), .batch = 2});
  ASSERT_OK(shipper->Drain(milliseconds(10'000)));
  EXPECT_EQ(Total(url), 3);
  for (int i = 3; i < 8; ++i) local.Add(Call(i));
  ASSERT_OK(shipper->Drain(milliseconds(10'000)));
  EXPECT_EQ(Total(url), 8);
  EXPECT_EQ(Count(url, "SELECT shipped_id FROM ledger_cursors WHERE instance_id = 'instance-a'"),
            8);
  const LedgerShipperStats stats = shipper->stats();
  EXPECT_EQ(stats.shipped, 8u);
  EXPECT_EQ(stats.cursor, 8);
  EXPECT_TRUE(stats.connected);
  EXPECT_TRUE(stats.last_error.empty());
  EXPECT_GT(stats.caught_up_at_ms, 0);
}

// A restart of the instance (a new shipper over the same local ledger), and
// a commit whose answer was lost (the cursor set back behind the rows): no
// record is shipped twice.
TEST(PostgresLedgerTest, ARestartOrALostCommitAnswerShipsNothingTwice) {
  const std::string url = FreshDatabase();
  LocalLedger local;
  for (int i = 0; i < 5; ++i) local.Add(Call(i));
  {
    auto first = PostgresLedgerShipper::Start(url, "instance-a", local.Reader());
    ASSERT_OK(first->Drain(milliseconds(10'000)));
  }
  auto second = PostgresLedgerShipper::Start(url, "instance-a", local.Reader());
  ASSERT_OK(second->Drain(milliseconds(10'000)));
  EXPECT_EQ(second->stats().shipped, 0u);
  EXPECT_EQ(Total(url), 5);
  EXPECT_EQ(Count(url,
                  "SELECT count(*) FROM (SELECT 1 FROM ledger_cursors "
                  "WHERE instance_id = 'instance-a' AND shipped_id = 5) c"),
            1);
  // As if the commit of records 3..5 happened but its answer was lost.
  auto conn = postgres::Connection::Open(url);
  ASSERT_OK(conn);
  ASSERT_OK((*conn)->Exec("UPDATE ledger_cursors SET shipped_id = 2", "rewinding"));
  local.Add(Call(5));
  ASSERT_OK(second->Drain(milliseconds(10'000)));
  EXPECT_EQ(Total(url), 6);
  EXPECT_EQ(Count(url, "SELECT count(*) FROM usage_records"), 6);
  // The totals count what was inserted, not what was sent again.
  EXPECT_EQ(Count(url, "SELECT sum(requests)::bigint FROM usage_totals"), 6);
  const std::vector<UsageTotal> totals = second->Totals();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].requests, 6);
  EXPECT_EQ(totals[0].profile, "rd-haiku-45");
  EXPECT_EQ(totals[0].status_class, "2xx");
  EXPECT_EQ(totals[0].tokens.cache_write_5m, 6 * 4);
  EXPECT_EQ(totals[0].cost_micro_usd, 6 * 1000);
}

TEST(PostgresLedgerTest, TheReportCountsEveryInstanceAndKeepsEveryField) {
  const std::string url = FreshDatabase();
  LocalLedger a;
  LocalLedger b;
  for (int i = 0; i < 4; ++i) a.Add(Call(i, "rd-haiku-45"));
  for (int i = 0; i < 3; ++i) b.Add(Call(100 + i, "rd-sonnet-45"));
  UsageRecord odd = Call(200, "rd-sonnet-45");
  odd.request_metadata = {{"run", "e2e-7"}};
  odd.tags = {{"team", "search"}, {"nul", std::string("a\0b", 3)}};
  odd.service_tier = "flex\xff";  // not UTF-8: shipped as U+FFFD, not refused
  odd.error_code = "ThrottlingException";
  odd.status = 429;
  odd.cut_short = true;
  odd.tokens_estimated = true;
  b.Add(odd);
  auto sa = PostgresLedgerShipper::Start(url, "instance-a", a.Reader());
  auto sb = PostgresLedgerShipper::Start(url, "instance-b", b.Reader());
  ASSERT_OK(sa->Drain(milliseconds(10'000)));
  ASSERT_OK(sb->Drain(milliseconds(10'000)));

  auto by_profile = QueryPostgresUsage(url, {{.kind = Dimension::Kind::kProfile}}, 0, INT64_MAX);
  ASSERT_OK(by_profile);
  EXPECT_EQ(by_profile->total.requests, 8);
  EXPECT_EQ(by_profile->total.throttles, 1);
  EXPECT_EQ(by_profile->total.estimated, 1);
  EXPECT_EQ(by_profile->total.cost_micro_usd, 8000);
  EXPECT_EQ(by_profile->total.tokens.cache_read, 24);
  ASSERT_EQ(by_profile->groups.size(), 2u);
  EXPECT_EQ(by_profile->groups[0].keys, std::vector<std::string>{"rd-haiku-45"});
  EXPECT_EQ(by_profile->groups[0].requests, 4);
  EXPECT_EQ(by_profile->groups[0].latency_p50_ms, 101);  // exact: raw records
  EXPECT_FALSE(by_profile->percentiles_estimated);

  auto by_meta =
      QueryPostgresUsage(url, {{.kind = Dimension::Kind::kMetadata, .key = "run"}}, 0, INT64_MAX);
  ASSERT_OK(by_meta);
  bool found = false;
  for (const auto& g : by_meta->groups) found |= g.keys[0] == "e2e-7" && g.requests == 1;
  EXPECT_TRUE(found);
  auto by_tag =
      QueryPostgresUsage(url, {{.kind = Dimension::Kind::kTag, .key = "nul"}}, 0, INT64_MAX);
  ASSERT_OK(by_tag);
  found = false;
  for (const auto& g : by_tag->groups) {
    found |= g.keys[0] == std::string("a\0b", 3) && g.requests == 1;
  }
  EXPECT_TRUE(found) << "a tag value with a NUL reads back whole";
  EXPECT_EQ(Count(url,
                  "SELECT count(*) FROM usage_records WHERE service_tier = 'flex' || "
                  "chr(65533) AND cut_short AND tokens_estimated"),
            1);

  // The window: [from, to) on the call's time.
  auto window = QueryPostgresUsage(url, {}, Call(1).time_ms, Call(3).time_ms);
  ASSERT_OK(window);
  EXPECT_EQ(window->total.requests, 2);
}

TEST(PostgresLedgerTest, PagesThroughLargeWindows) {
  const std::string url = FreshDatabase();
  LocalLedger local;
  // More than one page (10'000) with equal times across pages.
  for (int i = 0; i < 10'050; ++i) local.Add(Call(i % 7));
  auto shipper = PostgresLedgerShipper::Start(url, "instance-a", local.Reader());
  ASSERT_OK(shipper->Drain(milliseconds(60'000)));
  EXPECT_EQ(Total(url), 10'050);
}

TEST(PostgresLedgerTest, AnUnreachableDatabaseIsSaidWithoutThePassword) {
  const std::string url = "postgresql://alice:s3cret-pw@127.0.0.1:" +
                          std::to_string(::bp::testing::ClosedLoopbackPort()) + "/bp";
  LocalLedger local;
  local.Add(Call(0));
  auto shipper = PostgresLedgerShipper::Start(url, "instance-a", local.Reader());
  Status drained = shipper->Drain(milliseconds(10'000));
  EXPECT_FALSE(drained.ok());
  EXPECT_THAT(drained.message(), AllOf(HasSubstr("127.0.0.1"), Not(HasSubstr("s3cret"))));
  const LedgerShipperStats stats = shipper->stats();
  EXPECT_FALSE(stats.connected);
  EXPECT_GE(stats.failed_batches, 1u);
  EXPECT_THAT(stats.last_error, Not(HasSubstr("s3cret")));
  EXPECT_EQ(stats.cursor, 0);
  auto report = QueryPostgresUsage(url, {}, 0, INT64_MAX);
  EXPECT_THAT(report, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(report.status().message(), Not(HasSubstr("s3cret")));
}

// The database restarts while records keep coming: they wait locally and
// are all shipped, once, when it is back.
TEST(PostgresLedgerTest, RecordsWaitThroughARestartAndShipOnce) {
  const std::string url = FreshDatabase();
  LocalLedger local;
  for (int i = 0; i < 3; ++i) local.Add(Call(i));
  auto shipper = PostgresLedgerShipper::Start(url, "instance-a", local.Reader(),
                                              {.interval = milliseconds(20)});
  ASSERT_OK(shipper->Drain(milliseconds(10'000)));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 3; !stop.load(); ++i) {
      local.Add(Call(i));
      std::this_thread::sleep_for(milliseconds(2));
    }
  });
  ASSERT_OK(Server().Restart());
  std::this_thread::sleep_for(milliseconds(200));
  stop.store(true);
  writer.join();
  ASSERT_OK(DrainWithin(*shipper, milliseconds(20'000)));
  const int64_t cursor = shipper->stats().cursor;
  EXPECT_GT(cursor, 3);
  EXPECT_EQ(Total(url), cursor);
  EXPECT_EQ(Count(url, "SELECT count(DISTINCT local_id) FROM usage_records"), cursor);
}

// The shared budgets' leases (postgres_budget_leases.h): spend plus live
// leases never exceed the budget, whatever the instances ask.
metering::LeaseRequest Ask(std::string key, int64_t report, int64_t keep, int64_t want) {
  return {.slot = 0,
          .key = std::move(key),
          .period = 24'323,
          .limit = 10'000,
          .report = report,
          .keep = keep,
          .want = want};
}

TEST(PostgresLeasesTest, LeasesComeOnlyFromWhatNoOneHolds) {
  const std::string url = FreshDatabase();
  PostgresLeases a(url, "instance-a");
  PostgresLeases b(url, "instance-b");
  auto first = a.Exchange({Ask("profile/p", 0, 0, 6'000)});
  ASSERT_OK(first);
  EXPECT_EQ((*first)[0].granted, 6'000);
  auto second = b.Exchange({Ask("profile/p", 0, 0, 6'000), Ask("tag/team/ml", 0, 0, 500)});
  ASSERT_OK(second);
  EXPECT_EQ((*second)[0].granted, 4'000);  // what a does not hold
  EXPECT_EQ((*second)[1].granted, 500);    // another budget, its own rows
  // a spent 5'000 of its lease and keeps 1'000: b may grow into nothing more
  // until a reports; after that, 10'000 - 5'000 spent - 1'000 (a) = 4'000 for b.
  auto reported = a.Exchange({Ask("profile/p", 5'000, 1'000, 1'000)});
  ASSERT_OK(reported);
  EXPECT_EQ((*reported)[0].granted, 1'000);
  EXPECT_EQ((*reported)[0].shared_used, 5'000);
  auto grown = b.Exchange({Ask("profile/p", 0, 4'000, 9'000), Ask("tag/team/ml", 0, 500, 500)});
  ASSERT_OK(grown);
  EXPECT_EQ((*grown)[0].granted, 4'000);
  EXPECT_EQ((*grown)[0].shared_used, 5'000);
  EXPECT_EQ(Count(url, "SELECT sum(granted)::bigint FROM limit_leases WHERE key = 'profile/p'") +
                Count(url, "SELECT used FROM limit_usage WHERE key = 'profile/p'"),
            10'000);
  // An expired lease is free again (as the database's clock says).
  auto conn = postgres::Connection::Open(url);
  ASSERT_OK(conn);
  ASSERT_OK(
      (*conn)->Exec("UPDATE limit_leases SET expires_at_ms = 0 WHERE instance_id = "
                    "'instance-b' AND key = 'profile/p'",
                    "expiring"));
  auto taken = a.Exchange({Ask("profile/p", 0, 1'000, 9'000)});
  ASSERT_OK(taken);
  EXPECT_EQ((*taken)[0].granted, 5'000);
}

TEST(PostgresLeasesTest, AnUnreachableDatabaseIsUnavailable) {
  PostgresLeases leases("postgresql://alice:s3cret-pw@127.0.0.1:" +
                            std::to_string(::bp::testing::ClosedLoopbackPort()) + "/bp",
                        "i");
  auto r = leases.Exchange({Ask("profile/p", 0, 0, 1)});
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("s3cret")));
}

}  // namespace
}  // namespace bp::storage
