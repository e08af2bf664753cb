#include "metering/leaser.h"

#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metering/budgets.h"
#include "metering/quotas.h"
#include "testing/testing.h"

namespace bp::metering {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr int64_t kLimit = 10'000;  // micro-USD: ten calls of kCall
constexpr int64_t kCall = 1'000;

BudgetSettings Shared() {
  BudgetSettings s;
  s.profiles["rd-haiku-45"] = {.monthly_micro_usd = kLimit, .warn_ppm = 0};
  s.shared = true;
  return s;
}

// The database's side in memory, by the same arithmetic the PostgreSQL
// store runs (GrantLease), one exchange at a time as its row lock
// makes it. Leases never expire here.
class FakeLeaseDb {
 public:
  Leaser::Exchange For(int instance) {
    return
        [this, instance](const std::vector<LeaseRequest>& requests) -> Result<std::vector<Lease>> {
          MutexLock lock(mu_);
          if (down_) return Status(ErrorCode::kServiceUnavailable, "database down");
          std::vector<Lease> out;
          for (const LeaseRequest& q : requests) {
            Row& row = rows_[{q.key, q.period}];
            row.spent += q.report;
            int64_t others = 0;
            for (const auto& [who, lease] : row.leases) others += who == instance ? 0 : lease;
            const int64_t granted = GrantLease(q.limit, row.spent, others, q.keep, q.want);
            row.leases[instance] = granted;
            out.push_back({.granted = granted, .shared_used = row.spent});
          }
          return out;
        };
  }
  void SetDown(bool down) {
    MutexLock lock(mu_);
    down_ = down;
  }
  // Spend plus live leases: never above the limit.
  int64_t Committed() {
    MutexLock lock(mu_);
    int64_t total = 0;
    for (const auto& [key, row] : rows_) {
      total += row.spent;
      for (const auto& [who, lease] : row.leases) total += lease;
    }
    return total;
  }

 private:
  struct Row {
    int64_t spent = 0;
    std::map<int, int64_t> leases;
  };
  Mutex mu_;
  std::map<std::pair<std::string, int64_t>, Row> rows_ BP_GUARDED_BY(mu_);
  bool down_ BP_GUARDED_BY(mu_) = false;
};

struct Instance {
  Instance(FakeLeaseDb& db, int id, const Clock& clock)
      : budgets(std::make_unique<Budgets>(Shared(), clock)),
        leaser(db.For(id), [this] { return LimitsView{.budgets = budgets.get()}; }, clock,
               {.interval = milliseconds(5), .poll = milliseconds(1)}) {}
  std::unique_ptr<Budgets> budgets;
  Leaser leaser;
};

TEST(LeaseTest, GrantsOnlyWhatNoOneHolds) {
  EXPECT_EQ(GrantLease(100, 0, 0, 0, 30), 30);
  EXPECT_EQ(GrantLease(100, 50, 40, 0, 30), 10);   // 10 free
  EXPECT_EQ(GrantLease(100, 50, 40, 5, 30), 10);   // keeps 5, grows by the 5 free
  EXPECT_EQ(GrantLease(100, 90, 40, 20, 30), 20);  // over-committed: keeps, never grows
  EXPECT_EQ(GrantLease(100, 0, 0, 20, 10), 20);    // want below keep: keep
}

TEST(LeaseTest, AnInstanceWithoutALeaseSaysBusyAndAsksForOne) {
  testing::FakeClock clock;
  FakeLeaseDb db;
  Budgets budgets(Shared(), clock);
  Result<Budgets::Reservation> refused = budgets.Admit("u", "rd-haiku-45", {}, kCall);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kThrottling);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("Budget busy: profile rd-haiku-45 ($0.01 per month) is shared by several "
                        "instances and this one's share is in use"));
  EXPECT_TRUE(budgets.TakeLeaseWanted());
  EXPECT_FALSE(budgets.TakeLeaseWanted());  // once
  // One exchange: the refused call's size is granted, and then it fits.
  Leaser leaser(db.For(1), [&] { return LimitsView{.budgets = &budgets}; }, clock,
                {.interval = std::chrono::hours(1), .poll = std::chrono::hours(1)});
  ASSERT_OK(leaser.ExchangeNow());
  Result<Budgets::Reservation> admitted = budgets.Admit("u", "rd-haiku-45", {}, kCall);
  ASSERT_OK(admitted);
  budgets.Settle(*admitted, kCall);
  ASSERT_OK(leaser.ExchangeNow());
  EXPECT_EQ(budgets.ProfileUsage("rd-haiku-45").spent, kCall);
}

TEST(LeaseTest, ThreeInstancesNeverAdmitMoreThanTheBudget) {
  testing::FakeClock clock;
  FakeLeaseDb db;
  std::vector<std::unique_ptr<Instance>> instances;
  for (int i = 0; i < 3; ++i) instances.push_back(std::make_unique<Instance>(db, i, clock));
  std::atomic<int64_t> admitted{0};
  std::atomic<int64_t> exhausted{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 6; ++t) {
    callers.emplace_back([&, t] {
      Budgets& b = *instances[static_cast<size_t>(t % 3)]->budgets;
      // Retried on "busy", as the SDKs do, until the budget says exhausted.
      for (int attempt = 0; attempt < 20'000; ++attempt) {
        Result<Budgets::Reservation> r = b.Admit("u", "rd-haiku-45", {}, kCall);
        if (r.ok()) {
          admitted.fetch_add(1);
          b.Settle(*r, kCall);
          continue;
        }
        if (r.status().code() == ErrorCode::kServiceQuotaExceeded) {
          exhausted.fetch_add(1);
          return;
        }
        std::this_thread::sleep_for(milliseconds(1));
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_LE(admitted.load() * kCall, kLimit) << "admitted " << admitted.load();
  EXPECT_GE(admitted.load(), 8) << "the leases starved the calls";
  EXPECT_EQ(exhausted.load(), 6);
  EXPECT_LE(db.Committed(), kLimit);
}

TEST(LeaseTest, ALeaseNotRenewedAdmitsNothingMore) {
  testing::FakeClock clock;
  FakeLeaseDb db;
  Budgets budgets(Shared(), clock);
  Leaser leaser(db.For(1), [&] { return LimitsView{.budgets = &budgets}; }, clock,
                {.interval = std::chrono::hours(1), .poll = std::chrono::hours(1)});
  (void)budgets.Admit("u", "rd-haiku-45", {}, kCall);  // asks for a call's lease
  ASSERT_OK(leaser.ExchangeNow());
  // The same lease, as if exchanged longer ago than its validity.
  const std::vector<LeaseRequest> requests = budgets.BeginLeaseExchange();
  ASSERT_EQ(requests.size(), 1u);
  budgets.EndLeaseExchange(requests[0], Lease{.granted = kCall, .shared_used = 0},
                           -kLeaseValidityMs - 1);
  Result<Budgets::Reservation> lapsed = budgets.Admit("u", "rd-haiku-45", {}, kCall);
  ASSERT_FALSE(lapsed.ok());
  EXPECT_EQ(lapsed.status().code(), ErrorCode::kThrottling);
  EXPECT_THAT(lapsed.status().message(), HasSubstr("its lease lapsed"));
  // A failed exchange keeps the unreported spend for the next one.
  db.SetDown(true);
  EXPECT_THAT(leaser.ExchangeNow(), testing::StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(leaser.stats().failures, 1u);
  db.SetDown(false);
  ASSERT_OK(leaser.ExchangeNow());
  EXPECT_OK(budgets.Admit("u", "rd-haiku-45", {}, kCall));
}

TEST(LeaseTest, ThreeInstancesShareARequestsPerMinuteQuota) {
  // A fixed wall time: the whole test is one minute window.
  testing::FakeClock clock(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'767'225'600'000)));
  FakeLeaseDb db;
  QuotaSettings settings;
  settings.profiles["rd-haiku-45"] = {.requests_per_minute = 30, .tokens_per_minute = 0};
  settings.shared = true;
  struct Node {
    Node(FakeLeaseDb& db, int id, const QuotaSettings& s, const Clock& clock)
        : quotas(s, clock),
          leaser(db.For(id), [this] { return LimitsView{.quotas = &quotas}; }, clock,
                 {.interval = milliseconds(5), .poll = milliseconds(1)}) {}
    Quotas quotas;
    Leaser leaser;
  };
  std::vector<std::unique_ptr<Node>> nodes;
  for (int i = 0; i < 3; ++i) nodes.push_back(std::make_unique<Node>(db, i, settings, clock));
  std::atomic<int> admitted{0};
  std::atomic<int> exceeded{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 6; ++t) {
    callers.emplace_back([&, t] {
      const Quotas& q = nodes[static_cast<size_t>(t % 3)]->quotas;
      for (int attempt = 0; attempt < 5'000; ++attempt) {
        Result<Quotas::Reservation> r = q.Admit("u", "rd-haiku-45", 10);
        if (r.ok()) {
          admitted.fetch_add(1);
          continue;
        }
        EXPECT_EQ(r.status().code(), ErrorCode::kThrottling);
        if (r.status().message().find("across the instances") != std::string::npos) {
          exceeded.fetch_add(1);
          return;
        }
        std::this_thread::sleep_for(milliseconds(1));
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_LE(admitted.load(), 30);
  EXPECT_GE(admitted.load(), 24) << "the leases starved the calls";
  EXPECT_EQ(exceeded.load(), 6);
  EXPECT_LE(db.Committed(), 30);
}

}  // namespace
}  // namespace bp::metering
