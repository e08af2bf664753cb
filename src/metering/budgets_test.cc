#include "metering/budgets.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::metering {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kDollar = 1'000'000;

BudgetSettings ProfileBudget(int64_t micro_usd, int64_t warn_ppm = 800'000) {
  BudgetSettings s;
  s.profiles["rd-haiku-45"] = {.monthly_micro_usd = micro_usd, .warn_ppm = warn_ppm};
  return s;
}

TEST(BudgetsTest, FormatDollarsRoundsUpToTheCent) {
  EXPECT_EQ(FormatDollars(0), "$0.00");
  EXPECT_EQ(FormatDollars(1), "$0.01");
  EXPECT_EQ(FormatDollars(100 * kDollar), "$100.00");
  EXPECT_EQ(FormatDollars(12'345'000), "$12.35");
}

TEST(BudgetsTest, ReservesWorstCaseRefusesWhenExhaustedAndReturnsTheDifference) {
  testing::FakeClock clock;
  Budgets budgets(ProfileBudget(1 * kDollar), clock);
  Result<Budgets::Reservation> a = budgets.Admit("u", "rd-haiku-45", {}, 600'000);
  ASSERT_TRUE(a.ok());
  Result<Budgets::Reservation> b = budgets.Admit("u", "rd-haiku-45", {}, 600'000);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), ErrorCode::kServiceQuotaExceeded);
  EXPECT_EQ(b.status().message(),
            "Budget exhausted: profile rd-haiku-45 allows $1.00 per month; $0.60 spent or "
            "reserved, this call may cost up to $0.60.");
  budgets.Settle(*a, 100'000);  // cost less than reserved: 500'000 returned
  EXPECT_EQ(budgets.ProfileUsage("rd-haiku-45").spent, 100'000);
  EXPECT_EQ(budgets.ProfileUsage("rd-haiku-45").reserved, 0);
  budgets.Settle(*a, 100'000);  // idempotent
  EXPECT_EQ(budgets.ProfileUsage("rd-haiku-45").spent, 100'000);
  EXPECT_TRUE(budgets.Admit("u", "rd-haiku-45", {}, 600'000).ok());
}

TEST(BudgetsTest, PrincipalAndTagBudgetsReadTheProfilesOwnTags) {
  testing::FakeClock clock;
  BudgetSettings s;
  s.principals["rd-e2e"] = {.monthly_micro_usd = 10 * kDollar};
  s.tags["billing-mode"]["rd"] = {.monthly_micro_usd = 1 * kDollar};
  Budgets budgets(s, clock);
  const Tags rd = {{"billing-mode", "rd"}, {"team", "x"}};
  const Tags prod = {{"billing-mode", "prod"}};
  EXPECT_TRUE(budgets.Applies("someone", "p", rd));
  EXPECT_FALSE(budgets.Applies("someone", "p", prod));
  ASSERT_TRUE(budgets.Admit("someone", "p", rd, 1 * kDollar).ok());
  Result<Budgets::Reservation> more = budgets.Admit("rd-e2e", "q", rd, 1);
  ASSERT_FALSE(more.ok());
  EXPECT_THAT(more.status().message(), HasSubstr("tag billing-mode = rd allows $1.00 per month"));
  EXPECT_EQ(budgets.PrincipalUsage("rd-e2e").reserved, 0);  // a refusal reserves nothing
  EXPECT_TRUE(budgets.Admit("rd-e2e", "q", prod, 1).ok());
  EXPECT_EQ(budgets.PrincipalUsage("rd-e2e").reserved, 1);
}

TEST(BudgetsTest, TheWarningThresholdIsReportedOncePerMonth) {
  testing::FakeClock clock;  // 2026-01-01
  Budgets budgets(ProfileBudget(10 * kDollar, 500'000), clock);
  auto spend = [&](int64_t usd) {
    Result<Budgets::Reservation> r = budgets.Admit("u", "rd-haiku-45", {}, usd * kDollar);
    EXPECT_TRUE(r.ok());
    return budgets.Settle(*r, usd * kDollar);
  };
  EXPECT_TRUE(spend(4).empty());
  EXPECT_THAT(spend(1), ElementsAre("profile rd-haiku-45 has spent $5.00 of its $10.00 monthly "
                                    "budget"));
  EXPECT_TRUE(spend(1).empty());
  clock.Advance(std::chrono::hours(24 * 31));  // February: a new month, a new budget
  EXPECT_EQ(budgets.ProfileUsage("rd-haiku-45").spent, 0);
  EXPECT_TRUE(spend(4).empty());
  EXPECT_EQ(spend(2).size(), 1u);
}

TEST(BudgetsTest, RestoreRebuildsThisMonthsSpendFromLedgerRecords) {
  testing::FakeClock clock;
  clock.Advance(std::chrono::hours(24 * 40));  // 2026-02-10
  BudgetSettings s = ProfileBudget(10 * kDollar);
  s.principals["rd-e2e"] = {.monthly_micro_usd = 10 * kDollar};
  s.principal_arns["rd-e2e"] = "arn:aws:iam::123456789012:role/rd-e2e";
  s.tags["billing-mode"]["rd"] = {.monthly_micro_usd = 10 * kDollar};
  Budgets budgets(s, clock);
  UsageRecord now;
  now.time_ms = ToUnixMillis(clock.Now()) - 3'600'000;
  now.profile_name = "rd-haiku-45";
  now.principal = "arn:aws:iam::123456789012:role/rd-e2e";
  now.tags = {{"billing-mode", "rd"}};
  now.cost_micro_usd = 2 * kDollar;
  UsageRecord january = now;
  january.time_ms = ToUnixMillis(clock.Now()) - 24LL * 3'600'000 * 15;
  budgets.Restore(now);
  budgets.Restore(january);  // last month: not this month's spend
  EXPECT_EQ(budgets.ProfileUsage("rd-haiku-45").spent, 2 * kDollar);
  EXPECT_EQ(budgets.PrincipalUsage("rd-e2e").spent, 2 * kDollar);
  EXPECT_EQ(budgets.TagUsage("billing-mode", "rd").spent, 2 * kDollar);
  EXPECT_FALSE(budgets.Admit("x", "rd-haiku-45", {}, 8 * kDollar + 1).ok());
}

TEST(BudgetsTest, SpendCarriesOverAReload) {
  testing::FakeClock clock;
  Budgets old_budgets(ProfileBudget(10 * kDollar), clock);
  Result<Budgets::Reservation> r = old_budgets.Admit("u", "rd-haiku-45", {}, 3 * kDollar);
  ASSERT_TRUE(r.ok());
  old_budgets.Settle(*r, 3 * kDollar);
  Budgets lowered(ProfileBudget(4 * kDollar), clock, &old_budgets);
  EXPECT_EQ(lowered.ProfileUsage("rd-haiku-45").spent, 3 * kDollar);
  EXPECT_FALSE(lowered.Admit("u", "rd-haiku-45", {}, 2 * kDollar).ok());
}

// The budget race of issue 15: 64 concurrent calls against a budget that
// fits 10 never exceed it by more than one reservation.
TEST(BudgetsTest, SixtyFourConcurrentCallsNeverOvershootByMoreThanOneReservation) {
  testing::FakeClock clock;
  constexpr int64_t kReservation = 100'000;
  BudgetSettings s = ProfileBudget(10 * kReservation);
  s.tags["billing-mode"]["rd"] = {.monthly_micro_usd = 10 * kReservation};
  Budgets budgets(s, clock);
  const Tags rd = {{"billing-mode", "rd"}};
  std::atomic<int> ready{0};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&, t] {
      ++ready;
      while (ready.load() < 64) std::this_thread::yield();
      Result<Budgets::Reservation> r = budgets.Admit("u", "rd-haiku-45", rd, kReservation);
      if (!r.ok()) return;
      ++admitted;
      budgets.Settle(*r, t % 2 == 0 ? kReservation : kReservation / 2);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_GE(admitted.load(), 10);
  const Budgets::Usage u = budgets.ProfileUsage("rd-haiku-45");
  EXPECT_EQ(u.reserved, 0);
  EXPECT_LE(u.spent, 10 * kReservation);  // actual <= reserved: never over
  EXPECT_EQ(budgets.TagUsage("billing-mode", "rd").spent, u.spent);
}

TEST(BudgetsTest, AnOverrunExceedsTheBudgetByAtMostOneCall) {
  testing::FakeClock clock;
  Budgets budgets(ProfileBudget(1 * kDollar), clock);
  Result<Budgets::Reservation> r = budgets.Admit("u", "rd-haiku-45", {}, 900'000);
  ASSERT_TRUE(r.ok());
  budgets.Settle(*r, 1'200'000);  // cost more than its worst case (should not happen)
  EXPECT_EQ(budgets.ProfileUsage("rd-haiku-45").spent, 1'200'000);
  EXPECT_FALSE(budgets.Admit("u", "rd-haiku-45", {}, 1).ok());
}

}  // namespace
}  // namespace bp::metering
