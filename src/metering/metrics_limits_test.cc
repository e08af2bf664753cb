#include "metering/metrics_limits.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::metering {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kDollar = 1'000'000;

// "scope=pair,profile=p,principal=u,limit=tpm" -> value, for exact checks.
std::map<std::string, double> ByLabels(const std::vector<Sample>& samples) {
  std::map<std::string, double> out;
  for (const Sample& s : samples) {
    std::string key;
    for (const auto& [name, value] : s.labels) {
      if (!key.empty()) key += ',';
      key += name + "=" + value;
    }
    EXPECT_FALSE(out.contains(key)) << "duplicate series " << key;
    out[key] = s.value;
  }
  return out;
}

QuotaSettings ThreeScopes() {
  QuotaSettings s;
  s.profiles["rd-haiku-45"] = {.requests_per_minute = 10, .tokens_per_minute = 1000};
  s.principals["rd-e2e"] = {.tokens_per_day = 5000};
  s.pairs["rd-e2e"]["rd-haiku-45"] = {.requests_per_minute = 4};
  return s;
}

TEST(MetricsLimitsTest, QuotaGaugesHaveOneSamplePerConfiguredLimitKind) {
  testing::FakeClock clock;
  Quotas quotas(ThreeScopes(), clock);
  EXPECT_EQ(ByLabels(QuotaLimitSamples(quotas)),
            (std::map<std::string, double>{
                {"scope=profile,profile=rd-haiku-45,limit=rpm", 10},
                {"scope=profile,profile=rd-haiku-45,limit=tpm", 1000},
                {"scope=principal,principal=rd-e2e,limit=tpd", 5000},
                {"scope=pair,profile=rd-haiku-45,principal=rd-e2e,limit=rpm", 4},
            }));
  EXPECT_EQ(ByLabels(QuotaRemainingSamples(quotas)), ByLabels(QuotaLimitSamples(quotas)));
}

TEST(MetricsLimitsTest, QuotaRemainingMovesWithReservationsAndSettlementAndWindows) {
  testing::FakeClock clock;
  Quotas quotas(ThreeScopes(), clock);
  Result<Quotas::Reservation> r = quotas.Admit("rd-e2e", "rd-haiku-45", 300);
  ASSERT_TRUE(r.ok());
  auto remaining = ByLabels(QuotaRemainingSamples(quotas));
  EXPECT_EQ(remaining["scope=profile,profile=rd-haiku-45,limit=rpm"], 9);
  EXPECT_EQ(remaining["scope=profile,profile=rd-haiku-45,limit=tpm"], 700);  // reserved
  EXPECT_EQ(remaining["scope=principal,principal=rd-e2e,limit=tpd"], 4700);
  EXPECT_EQ(remaining["scope=pair,profile=rd-haiku-45,principal=rd-e2e,limit=rpm"], 3);

  quotas.Settle(*r, 120);  // the call produced less than it reserved
  remaining = ByLabels(QuotaRemainingSamples(quotas));
  EXPECT_EQ(remaining["scope=profile,profile=rd-haiku-45,limit=tpm"], 880);
  EXPECT_EQ(remaining["scope=principal,principal=rd-e2e,limit=tpd"], 4880);

  // Another principal on the profile: only the profile's figures move.
  ASSERT_TRUE(quotas.Admit("someone", "rd-haiku-45", 0).ok());
  remaining = ByLabels(QuotaRemainingSamples(quotas));
  EXPECT_EQ(remaining["scope=profile,profile=rd-haiku-45,limit=rpm"], 8);
  EXPECT_EQ(remaining["scope=pair,profile=rd-haiku-45,principal=rd-e2e,limit=rpm"], 3);

  clock.Advance(std::chrono::minutes(1));  // the minute windows reopen; the day's stays
  remaining = ByLabels(QuotaRemainingSamples(quotas));
  EXPECT_EQ(remaining["scope=profile,profile=rd-haiku-45,limit=rpm"], 10);
  EXPECT_EQ(remaining["scope=profile,profile=rd-haiku-45,limit=tpm"], 1000);
  EXPECT_EQ(remaining["scope=principal,principal=rd-e2e,limit=tpd"], 4880);
}

TEST(MetricsLimitsTest, QuotaRemainingNeverGoesBelowZero) {
  testing::FakeClock clock;
  QuotaSettings s;
  s.profiles["p"] = {.tokens_per_minute = 100};
  Quotas quotas(s, clock);
  Result<Quotas::Reservation> r = quotas.Admit("u", "p", 50);
  ASSERT_TRUE(r.ok());
  quotas.Settle(*r, 400);  // an overrun is charged
  EXPECT_EQ(QuotaRemainingSamples(quotas).at(0).value, 0);
}

BudgetSettings AllScopes() {
  BudgetSettings s;
  s.profiles["rd-haiku-45"] = {.monthly_micro_usd = 10 * kDollar, .warn_ppm = 500'000};
  s.principals["rd-e2e"] = {.monthly_micro_usd = 2 * kDollar};
  s.tags["billing-mode"]["rd"] = {.monthly_micro_usd = 100 * kDollar};
  return s;
}

TEST(MetricsLimitsTest, BudgetGaugesFollowReservationSettlementAndWarning) {
  testing::FakeClock clock;
  Budgets budgets(AllScopes(), clock);
  const Tags tags{{"billing-mode", "rd"}};
  EXPECT_EQ(ByLabels(BudgetSamples(budgets, BudgetFigure::kLimit)),
            (std::map<std::string, double>{{"scope=profile,profile=rd-haiku-45", 10},
                                           {"scope=principal,principal=rd-e2e", 2},
                                           {"scope=tag,tag_key=billing-mode,tag_value=rd", 100}}));
  Result<Budgets::Reservation> r = budgets.Admit("rd-e2e", "rd-haiku-45", tags, 1'500'000);
  ASSERT_TRUE(r.ok());
  auto reserved = ByLabels(BudgetSamples(budgets, BudgetFigure::kReserved));
  EXPECT_EQ(reserved["scope=profile,profile=rd-haiku-45"], 1.5);
  EXPECT_EQ(reserved["scope=tag,tag_key=billing-mode,tag_value=rd"], 1.5);
  auto remaining = ByLabels(BudgetSamples(budgets, BudgetFigure::kRemaining));
  EXPECT_EQ(remaining["scope=profile,profile=rd-haiku-45"], 8.5);
  EXPECT_EQ(remaining["scope=principal,principal=rd-e2e"], 0.5);

  budgets.Settle(*r, 1'700'000);
  EXPECT_EQ(
      ByLabels(BudgetSamples(budgets, BudgetFigure::kReserved))["scope=principal,principal=rd-e2e"],
      0);
  auto spent = ByLabels(BudgetSamples(budgets, BudgetFigure::kSpent));
  EXPECT_DOUBLE_EQ(spent["scope=principal,principal=rd-e2e"], 1.7);
  remaining = ByLabels(BudgetSamples(budgets, BudgetFigure::kRemaining));
  EXPECT_DOUBLE_EQ(remaining["scope=principal,principal=rd-e2e"], 0.3);
  EXPECT_DOUBLE_EQ(remaining["scope=tag,tag_key=billing-mode,tag_value=rd"], 98.3);
  auto warned = ByLabels(BudgetSamples(budgets, BudgetFigure::kWarned));
  EXPECT_EQ(warned["scope=principal,principal=rd-e2e"], 1);   // 85 % >= the default 80 %
  EXPECT_EQ(warned["scope=profile,profile=rd-haiku-45"], 0);  // 17 % < 50 %
  EXPECT_EQ(warned["scope=tag,tag_key=billing-mode,tag_value=rd"], 0);
}

TEST(MetricsLimitsTest, BudgetFiguresStartAtZeroInANewMonth) {
  testing::FakeClock clock;
  Budgets budgets(AllScopes(), clock);
  Result<Budgets::Reservation> r = budgets.Admit("rd-e2e", "rd-haiku-45", {}, kDollar);
  ASSERT_TRUE(r.ok());
  budgets.Settle(*r, kDollar);
  clock.Advance(std::chrono::days(32));
  for (const Sample& s : BudgetSamples(budgets, BudgetFigure::kSpent)) EXPECT_EQ(s.value, 0);
  EXPECT_EQ(ByLabels(BudgetSamples(budgets, BudgetFigure::kRemaining)),
            ByLabels(BudgetSamples(budgets, BudgetFigure::kLimit)));
}

TEST(MetricsLimitsTest, RegisteredFamiliesRenderAndReadTheCurrentSource) {
  testing::FakeClock clock;
  auto quotas = std::make_shared<Quotas>(ThreeScopes(), clock);
  Metrics metrics;
  std::atomic<int> reads{0};
  ASSERT_TRUE(AddLimitMetrics(metrics, [&] {
                ++reads;
                return LimitsView{.quotas = quotas.get(), .keep_alive = quotas};
              }).ok());
  ASSERT_TRUE(quotas->Admit("rd-e2e", "rd-haiku-45", 10).ok());
  const std::string text = metrics.RenderText();
  EXPECT_THAT(text, HasSubstr("# TYPE bedrock_profiles_quota_remaining gauge\n"));
  EXPECT_THAT(text, HasSubstr("bedrock_profiles_quota_remaining{scope=\"profile\",profile=\"rd-"
                              "haiku-45\",limit=\"rpm\"} 9\n"));
  EXPECT_THAT(text, HasSubstr("bedrock_profiles_quota_limit{scope=\"principal\",principal=\"rd-"
                              "e2e\",limit=\"tpd\"} 5000\n"));
  // No budgets configured: the families are there, without samples.
  EXPECT_THAT(text, HasSubstr("# TYPE bedrock_profiles_budget_remaining_usd gauge\n"));
  EXPECT_THAT(text, Not(HasSubstr("bedrock_profiles_budget_remaining_usd{")));
  EXPECT_EQ(reads.load(), 7);
  // Registering twice is a programming error.
  EXPECT_FALSE(AddLimitMetrics(metrics, [] { return LimitsView{}; }).ok());
}

// Scrapes racing admissions: every admission is counted, the gauges stay
// within [0, limit] (TSan build: no data race).
TEST(MetricsLimitsTest, ScrapesWhileCallsAreAdmitted) {
  testing::FakeClock clock;
  QuotaSettings s;
  s.profiles["p"] = {.requests_per_minute = 100'000};
  Quotas quotas(s, clock);
  BudgetSettings b;
  b.profiles["p"] = {.monthly_micro_usd = 1'000 * kDollar};
  Budgets budgets(b, clock);
  std::atomic<bool> stop{false};
  std::thread scraper([&] {
    while (!stop.load()) {
      for (const Sample& sample : QuotaRemainingSamples(quotas)) {
        EXPECT_GE(sample.value, 0);
        EXPECT_LE(sample.value, 100'000);
      }
      for (const Sample& sample : BudgetSamples(budgets, BudgetFigure::kRemaining)) {
        EXPECT_GE(sample.value, 0);
      }
    }
  });
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 2'000; ++i) {
        ASSERT_TRUE(quotas.Admit("u", "p", 0).ok());
        Result<Budgets::Reservation> r = budgets.Admit("u", "p", {}, 10);
        ASSERT_TRUE(r.ok());
        budgets.Settle(*r, 5);
      }
    });
  }
  for (std::thread& t : callers) t.join();
  stop = true;
  scraper.join();
  EXPECT_EQ(QuotaRemainingSamples(quotas).at(0).value, 100'000 - 8'000);
  EXPECT_DOUBLE_EQ(BudgetSamples(budgets, BudgetFigure::kSpent).at(0).value, 8'000 * 5 / 1e6);
}

}  // namespace
}  // namespace bp::metering
