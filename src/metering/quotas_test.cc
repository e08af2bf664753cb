#include "metering/quotas.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::metering {
namespace {

using ::testing::HasSubstr;

QuotaSettings ProfileLimits(QuotaLimits limits) {
  QuotaSettings s;
  s.profiles["rd-haiku-45"] = limits;
  return s;
}

TEST(QuotasTest, NoLimitConfiguredAdmitsEverythingAndCountsNothing) {
  testing::FakeClock clock;
  Quotas quotas(ProfileLimits({.requests_per_minute = 1}), clock);
  EXPECT_FALSE(quotas.Applies("rd-e2e", "other"));
  for (int i = 0; i < 10; ++i) {
    Result<Quotas::Reservation> r = quotas.Admit("rd-e2e", "other", 1000);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->empty());
  }
}

TEST(QuotasTest, ThrottlesAtTheRequestRateAndRecoversAfterTheWindow) {
  testing::FakeClock clock;  // starts on a minute boundary
  Quotas quotas(ProfileLimits({.requests_per_minute = 3}), clock);
  ASSERT_TRUE(quotas.Applies("anyone", "rd-haiku-45"));
  clock.Advance(std::chrono::milliseconds(48'000));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(quotas.Admit("rd-e2e", "rd-haiku-45", 0).ok()) << i;
  Result<Quotas::Reservation> fourth = quotas.Admit("rd-e2e", "rd-haiku-45", 0);
  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.status().code(), ErrorCode::kThrottling);
  EXPECT_EQ(fourth.status().message(),
            "Rate exceeded: profile rd-haiku-45 allows 3 requests per minute; try again in 12 s.");
  // Another principal shares the profile's limit.
  EXPECT_FALSE(quotas.Admit("someone-else", "rd-haiku-45", 0).ok());
  EXPECT_EQ(quotas.ProfileUsage("rd-haiku-45").requests, 3);  // refusals are not counted
  clock.Advance(std::chrono::milliseconds(11'999));
  EXPECT_FALSE(quotas.Admit("rd-e2e", "rd-haiku-45", 0).ok());
  clock.Advance(std::chrono::milliseconds(1));  // the next minute
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(quotas.Admit("rd-e2e", "rd-haiku-45", 0).ok()) << i;
  EXPECT_FALSE(quotas.Admit("rd-e2e", "rd-haiku-45", 0).ok());
}

TEST(QuotasTest, PrincipalAndPairLimitsApplyOnlyToTheirCalls) {
  testing::FakeClock clock;
  QuotaSettings s;
  s.principals["rd-e2e"] = {.requests_per_minute = 2};
  s.pairs["rd-ci"]["rd-haiku-45"] = {.requests_per_minute = 1};
  Quotas quotas(s, clock);
  EXPECT_TRUE(quotas.Admit("rd-e2e", "a", 0).ok());
  EXPECT_TRUE(quotas.Admit("rd-e2e", "b", 0).ok());
  Result<Quotas::Reservation> third = quotas.Admit("rd-e2e", "c", 0);
  ASSERT_FALSE(third.ok());
  EXPECT_THAT(third.status().message(), HasSubstr("principal rd-e2e allows 2 requests per minute"));

  EXPECT_TRUE(quotas.Admit("rd-ci", "rd-haiku-45", 0).ok());
  Result<Quotas::Reservation> pair = quotas.Admit("rd-ci", "rd-haiku-45", 0);
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(),
              HasSubstr("principal rd-ci on profile rd-haiku-45 allows 1 requests per minute"));
  EXPECT_TRUE(quotas.Admit("rd-ci", "rd-sonnet-45", 0).ok());  // other profile: no pair limit
}

TEST(QuotasTest, ARefusalByOneLimitReservesNothingInTheOthers) {
  testing::FakeClock clock;
  QuotaSettings s;
  s.profiles["p"] = {.tokens_per_minute = 1000};
  s.principals["u"] = {.requests_per_minute = 1};
  Quotas quotas(s, clock);
  ASSERT_TRUE(quotas.Admit("u", "p", 100).ok());
  EXPECT_FALSE(quotas.Admit("u", "p", 100).ok());  // the principal's RPM
  EXPECT_EQ(quotas.ProfileUsage("p").minute_tokens, 100);
  EXPECT_EQ(quotas.ProfileUsage("p").requests, 1);
}

TEST(QuotasTest, TokensAreReservedAtAdmissionAndSettledToTheActualCount) {
  testing::FakeClock clock;
  Quotas quotas(ProfileLimits({.tokens_per_minute = 1000, .tokens_per_day = 5000}), clock);
  Result<Quotas::Reservation> a = quotas.Admit("u", "rd-haiku-45", 600);
  ASSERT_TRUE(a.ok());
  // The reservation holds: 600 + 600 does not fit.
  Result<Quotas::Reservation> b = quotas.Admit("u", "rd-haiku-45", 600);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(),
            "Rate exceeded: profile rd-haiku-45 allows 1000 tokens per minute (this call reserves "
            "600); try again in 60 s.");
  // The call used 150: the oversized reservation is returned.
  quotas.Settle(*a, 150);
  EXPECT_EQ(quotas.ProfileUsage("rd-haiku-45").minute_tokens, 150);
  EXPECT_EQ(quotas.ProfileUsage("rd-haiku-45").day_tokens, 150);
  quotas.Settle(*a, 150);  // idempotent
  EXPECT_EQ(quotas.ProfileUsage("rd-haiku-45").minute_tokens, 150);
  Result<Quotas::Reservation> c = quotas.Admit("u", "rd-haiku-45", 600);
  ASSERT_TRUE(c.ok());
  // An overrun is charged.
  quotas.Settle(*c, 800);
  EXPECT_EQ(quotas.ProfileUsage("rd-haiku-45").minute_tokens, 950);
  EXPECT_FALSE(quotas.Admit("u", "rd-haiku-45", 51).ok());
  EXPECT_TRUE(quotas.Admit("u", "rd-haiku-45", 50).ok());
}

TEST(QuotasTest, SettlementAfterTheWindowClosedLeavesTheNewWindowAlone) {
  testing::FakeClock clock;
  Quotas quotas(ProfileLimits({.tokens_per_minute = 1000}), clock);
  Result<Quotas::Reservation> a = quotas.Admit("u", "rd-haiku-45", 900);
  ASSERT_TRUE(a.ok());
  clock.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(quotas.Admit("u", "rd-haiku-45", 900).ok());
  quotas.Settle(*a, 0);  // would free 900 of the old minute, not the new one
  EXPECT_EQ(quotas.ProfileUsage("rd-haiku-45").minute_tokens, 900);
}

TEST(QuotasTest, DailyTokensFreeAtUtcMidnight) {
  testing::FakeClock clock;  // 2026-01-01T00:00:00Z
  Quotas quotas(ProfileLimits({.tokens_per_day = 1000}), clock);
  clock.Advance(std::chrono::hours(23));
  ASSERT_TRUE(quotas.Admit("u", "rd-haiku-45", 1000).ok());
  Result<Quotas::Reservation> more = quotas.Admit("u", "rd-haiku-45", 1);
  ASSERT_FALSE(more.ok());
  EXPECT_THAT(more.status().message(), HasSubstr("allows 1000 tokens per day"));
  EXPECT_THAT(more.status().message(), HasSubstr("try again in 3600 s."));
  clock.Advance(std::chrono::hours(1));
  EXPECT_TRUE(quotas.Admit("u", "rd-haiku-45", 1000).ok());
}

TEST(QuotasTest, AReservationLargerThanTheLimitIsRefusedWithoutATimeToRetry) {
  testing::FakeClock clock;
  Quotas quotas(ProfileLimits({.tokens_per_minute = 1000}), clock);
  Result<Quotas::Reservation> r = quotas.Admit("u", "rd-haiku-45", 1001);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Rate exceeded: profile rd-haiku-45 allows 1000 tokens per minute and this call "
            "reserves 1001 (its input and maxTokens); lower maxTokens.");
}

TEST(QuotasTest, QuotaTokensExcludeCacheReads) {
  EXPECT_EQ(QuotaTokens({.input = 10,
                         .output = 20,
                         .cache_read = 1000,
                         .cache_write_5m = 3,
                         .cache_write_1h = 4}),
            37);
  EXPECT_EQ(QuotaTokens({.input = -5}), 0);
}

TEST(QuotasTest, CountsCarryOverAReload) {
  testing::FakeClock clock;
  Quotas old_quotas(ProfileLimits({.requests_per_minute = 2}), clock);
  ASSERT_TRUE(old_quotas.Admit("u", "rd-haiku-45", 0).ok());
  ASSERT_TRUE(old_quotas.Admit("u", "rd-haiku-45", 0).ok());
  Quotas raised(ProfileLimits({.requests_per_minute = 3}), clock, &old_quotas);
  EXPECT_EQ(raised.ProfileUsage("rd-haiku-45").requests, 2);
  EXPECT_TRUE(raised.Admit("u", "rd-haiku-45", 0).ok());
  EXPECT_FALSE(raised.Admit("u", "rd-haiku-45", 0).ok());
}

TEST(QuotasTest, ConcurrentCallsNeverExceedTheLimits) {
  testing::FakeClock clock;
  QuotaSettings s;
  s.profiles["p"] = {.requests_per_minute = 500, .tokens_per_minute = 30'000};
  s.principals["u"] = {.requests_per_minute = 1'000'000};
  s.pairs["u"]["p"] = {.tokens_per_day = 1'000'000};
  Quotas quotas(s, clock);
  std::atomic<int64_t> admitted{0};
  std::atomic<int64_t> settled_tokens{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        Result<Quotas::Reservation> r = quotas.Admit("u", "p", 100);
        if (!r.ok()) continue;
        ++admitted;
        quotas.Settle(*r, 40);  // returns 60 of the 100 reserved
        settled_tokens += 40;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  // RPM binds before TPM can (500 * 40 < 30000 once settled).
  EXPECT_EQ(admitted.load(), 500);
  EXPECT_EQ(quotas.ProfileUsage("p").requests, 500);
  EXPECT_EQ(quotas.ProfileUsage("p").minute_tokens, settled_tokens.load());
  EXPECT_EQ(quotas.PairUsage("u", "p").day_tokens, settled_tokens.load());
  EXPECT_EQ(quotas.PrincipalUsage("u").requests, 500);
}

TEST(QuotasTest, ConcurrentReservationsNeverOvershootTheTokenLimit) {
  testing::FakeClock clock;
  Quotas quotas(ProfileLimits({.tokens_per_minute = 10'000}), clock);
  std::atomic<int64_t> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (quotas.Admit("u", "rd-haiku-45", 100).ok()) ++admitted;  // held, never settled
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 100);
  EXPECT_EQ(quotas.ProfileUsage("rd-haiku-45").minute_tokens, 10'000);
}

}  // namespace
}  // namespace bp::metering
