#include "routing/router.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::routing {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::Optional;

const std::string kCentral = "eu-central-1";
const std::string kWest1 = "eu-west-1";
const std::string kWest3 = "eu-west-3";

// The configured regions, deliberately in a different order from the
// profile's, so tests can tell "profile order" from "configured order".
std::vector<std::string> Configured() { return {kWest3, kWest1, kCentral}; }

// The profile's regions, in the profile's order.
const std::vector<std::string> kProfile = {kCentral, kWest1, kWest3};
const std::vector<std::string> kNone = {};

Options HomeFirst() {
  return Options{
      .policy = Policy::kHomeFirst,
      .home_region = kCentral,
      .overflow_outstanding = 2,
      .failure_threshold = 3,
      .open_for = milliseconds(10'000),
      .max_open_for = milliseconds(35'000),
      .max_attempts = 3,
  };
}

Options LeastOutstanding() {
  Options options = HomeFirst();
  options.policy = Policy::kLeastOutstanding;
  options.home_region.clear();
  return options;
}

class RouterTest : public ::testing::Test {
 protected:
  void Make(Options options) {
    router_ = std::make_unique<Router>(std::move(options), Configured(), clock_);
  }

  std::optional<std::string> Pick(const std::vector<std::string>& tried = {}) const {
    return router_->Pick(kProfile, tried);
  }

  // Ends `n` attempts on `region` with `outcome`, each bracketed by Begin.
  void Run(const std::string& region, Outcome outcome, int n = 1) {
    for (int i = 0; i < n; ++i) {
      router_->Begin(region);
      router_->End(region, outcome);
    }
  }

  void OpenCircuit(const std::string& region) {
    Run(region, Outcome::kFailure, static_cast<int>(router_->options().failure_threshold));
  }

  RegionHealth HealthOf(const std::string& region) const {
    for (const RegionHealth& h : router_->Health()) {
      if (h.region == region) return h;
    }
    ADD_FAILURE() << "no health for " << region;
    return {};
  }

  testing::FakeClock clock_;
  std::unique_ptr<Router> router_;
};

TEST(PolicyTest, NamesRoundTrip) {
  EXPECT_EQ(PolicyName(Policy::kHomeFirst), "home-first");
  EXPECT_EQ(PolicyName(Policy::kLeastOutstanding), "least-outstanding");
  EXPECT_THAT(ParsePolicy("home-first"), Optional(Policy::kHomeFirst));
  EXPECT_THAT(ParsePolicy("least-outstanding"), Optional(Policy::kLeastOutstanding));
  EXPECT_EQ(ParsePolicy("Home-First"), std::nullopt);
  EXPECT_EQ(ParsePolicy(""), std::nullopt);
  EXPECT_EQ(ParsePolicy("round-robin"), std::nullopt);
}

// --- home-first ---

TEST_F(RouterTest, HomeFirstPicksConfiguredHome) {
  Options options = HomeFirst();
  options.home_region = kWest3;
  Make(options);
  EXPECT_THAT(Pick(), Optional(Eq(kWest3)));
}

TEST_F(RouterTest, HomeFirstWithoutHomeUsesProfilesFirstRegion) {
  Options options = HomeFirst();
  options.home_region.clear();
  Make(options);
  // Load the first region below the overflow limit; home still wins.
  router_->Begin(kCentral);
  router_->Begin(kWest1);
  router_->Begin(kWest1);
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
  const std::vector<std::string> reordered = {kWest1, kCentral, kWest3};
  router_->End(kWest1, Outcome::kSuccess);
  EXPECT_THAT(router_->Pick(reordered, kNone), Optional(Eq(kWest1)));
}

TEST_F(RouterTest, HomeFirstOverflowsToLeastLoadedOther) {
  Make(HomeFirst());  // overflow_outstanding = 2
  router_->Begin(kCentral);
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
  router_->Begin(kCentral);
  // Home is full: the others are tied at 0, so profile order decides.
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
  router_->Begin(kWest1);
  EXPECT_THAT(Pick(), Optional(Eq(kWest3)));
  router_->Begin(kWest3);
  router_->Begin(kWest3);
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
  // Home drains below the limit: back home.
  router_->End(kCentral, Outcome::kSuccess);
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
}

TEST_F(RouterTest, HomeFirstOverloadedHomeIsUsedWhenNothingElseIsHealthy) {
  Make(HomeFirst());
  OpenCircuit(kWest1);
  OpenCircuit(kWest3);
  for (int i = 0; i < 5; ++i) router_->Begin(kCentral);
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
}

TEST_F(RouterTest, HomeFirstSkipsUnhealthyHome) {
  Make(HomeFirst());
  OpenCircuit(kCentral);
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
  router_->Begin(kWest1);
  EXPECT_THAT(Pick(), Optional(Eq(kWest3)));
}

TEST_F(RouterTest, HomeFirstWithHomeOutsideTheProfileBalances) {
  Options options = HomeFirst();
  options.home_region = "eu-north-1";
  Make(options);
  const std::vector<std::string> profile = {kWest1, kWest3};
  EXPECT_THAT(router_->Pick(profile, kNone), Optional(Eq(kWest1)));
  router_->Begin(kWest1);
  EXPECT_THAT(router_->Pick(profile, kNone), Optional(Eq(kWest3)));
}

// --- least-outstanding ---

TEST_F(RouterTest, LeastOutstandingBalancesInProfileOrder) {
  Make(LeastOutstanding());
  std::vector<std::string> picks;
  for (int i = 0; i < 6; ++i) {
    std::optional<std::string> region = Pick();
    ASSERT_TRUE(region.has_value());
    router_->Begin(*region);
    picks.push_back(*region);
  }
  EXPECT_THAT(picks, ElementsAre(kCentral, kWest1, kWest3, kCentral, kWest1, kWest3));
  for (const RegionHealth& h : router_->Health()) EXPECT_EQ(h.outstanding, 2u) << h.region;
}

TEST_F(RouterTest, LeastOutstandingPrefersFewestInFlight) {
  Make(LeastOutstanding());
  router_->Begin(kCentral);
  router_->Begin(kCentral);
  router_->Begin(kWest1);
  router_->Begin(kWest3);
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));  // tie 1:1, profile order
  router_->End(kWest3, Outcome::kSuccess);
  EXPECT_THAT(Pick(), Optional(Eq(kWest3)));
}

TEST_F(RouterTest, LeastOutstandingSkipsOpenRegions) {
  Make(LeastOutstanding());
  OpenCircuit(kCentral);
  router_->Begin(kWest1);
  EXPECT_THAT(Pick(), Optional(Eq(kWest3)));
  router_->Begin(kWest3);
  router_->Begin(kWest3);
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
}

// --- tried, attempts, unknown regions ---

TEST_F(RouterTest, TriedRegionsAreSkipped) {
  Make(HomeFirst());
  EXPECT_THAT(Pick({kCentral}), Optional(Eq(kWest1)));
  EXPECT_THAT(Pick({kCentral, kWest1}), Optional(Eq(kWest3)));
  EXPECT_THAT(Pick({kWest1}), Optional(Eq(kCentral)));
  EXPECT_EQ(Pick({kCentral, kWest1, kWest3}), std::nullopt);
}

TEST_F(RouterTest, MaxAttemptsLimitsRegionsTried) {
  Options options = HomeFirst();
  options.max_attempts = 2;
  Make(options);
  EXPECT_THAT(Pick({kCentral}), Optional(Eq(kWest1)));
  EXPECT_EQ(Pick({kCentral, kWest1}), std::nullopt);  // kWest3 is untried but over budget
}

TEST_F(RouterTest, MaxAttemptsZeroStillAllowsOneAttempt) {
  Options options = HomeFirst();
  options.max_attempts = 0;
  Make(options);
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
  EXPECT_EQ(Pick({kCentral}), std::nullopt);
}

TEST_F(RouterTest, UnknownRegionsAreIgnored) {
  Make(LeastOutstanding());
  const std::vector<std::string> candidates = {"us-east-1", kWest3, "", kWest1};
  EXPECT_THAT(router_->Pick(candidates, kNone), Optional(Eq(kWest3)));
  EXPECT_EQ(router_->Pick(std::vector<std::string>{"us-east-1", "eu-north-1"}, kNone),
            std::nullopt);
  EXPECT_EQ(router_->Pick(kNone, kNone), std::nullopt);

  router_->Begin("us-east-1");
  router_->End("us-east-1", Outcome::kFailure);
  router_->End("", Outcome::kSuccess);
  std::vector<std::string> names;
  for (const RegionHealth& h : router_->Health()) {
    names.push_back(h.region);
    EXPECT_EQ(h.outstanding, 0u);
    EXPECT_EQ(h.successes + h.failures, 0u);
  }
  EXPECT_THAT(names, ElementsAre(kWest3, kWest1, kCentral));  // configured order
}

TEST_F(RouterTest, DuplicateConfiguredRegionsCollapse) {
  router_ = std::make_unique<Router>(LeastOutstanding(),
                                     std::vector<std::string>{kWest1, kCentral, kWest1}, clock_);
  router_->Begin(kWest1);
  const std::vector<RegionHealth> health = router_->Health();
  ASSERT_EQ(health.size(), 2u);
  EXPECT_EQ(health[0].region, kWest1);
  EXPECT_EQ(health[0].outstanding, 1u);
  EXPECT_EQ(health[1].region, kCentral);
}

TEST_F(RouterTest, EndWithoutBeginDoesNotUnderflow) {
  Make(HomeFirst());
  router_->End(kCentral, Outcome::kSuccess);
  EXPECT_EQ(HealthOf(kCentral).outstanding, 0u);
  router_->Begin(kCentral);
  EXPECT_EQ(HealthOf(kCentral).outstanding, 1u);
}

// --- health and circuit ---

TEST_F(RouterTest, CircuitOpensAtThresholdAndIsSkipped) {
  Make(HomeFirst());
  Run(kCentral, Outcome::kFailure, 2);
  EXPECT_FALSE(HealthOf(kCentral).open);
  EXPECT_EQ(HealthOf(kCentral).consecutive_failures, 2u);
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
  Run(kCentral, Outcome::kFailure);
  const RegionHealth h = HealthOf(kCentral);
  EXPECT_TRUE(h.open);
  EXPECT_EQ(h.consecutive_failures, 3u);
  EXPECT_EQ(h.failures, 3u);
  EXPECT_EQ(h.outstanding, 0u);
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
  clock_.Advance(milliseconds(9'999));
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
}

TEST_F(RouterTest, ARouterBuiltFromAnotherSharesTheHealthOfTheRegionsBothRoute) {
  Make(HomeFirst());
  OpenCircuit(kCentral);
  router_->Begin(kWest1);  // a call still running on the old router

  // The replacement routes to eu-central-1 and eu-west-1 (shared) and to a
  // region the old one did not know (fresh), with other options.
  Options options = LeastOutstanding();
  options.failure_threshold = 5;
  Router next(options, {kCentral, kWest1, "eu-north-1"}, clock_, router_.get());
  auto health_of = [&next](const std::string& region) {
    for (const RegionHealth& h : next.Health()) {
      if (h.region == region) return h;
    }
    ADD_FAILURE() << "no health for " << region;
    return RegionHealth{};
  };
  EXPECT_TRUE(health_of(kCentral).open);
  EXPECT_EQ(health_of(kCentral).failures, 3u);
  EXPECT_EQ(health_of(kWest1).outstanding, 1u);
  EXPECT_FALSE(health_of("eu-north-1").open);
  EXPECT_EQ(next.Pick(kProfile, kNone), std::optional<std::string>(kWest1));  // open one skipped

  // The straggler ends on the old router; the new one sees it, and outlives it.
  router_->End(kWest1, Outcome::kSuccess);
  router_.reset();
  EXPECT_EQ(health_of(kWest1).outstanding, 0u);
  EXPECT_EQ(health_of(kWest1).successes, 1u);
  EXPECT_THAT(next.Health(), ::testing::SizeIs(3));
}

TEST_F(RouterTest, WithoutAPreviousRouterEveryRegionStartsClosed) {
  Make(HomeFirst());
  OpenCircuit(kCentral);
  Router fresh(HomeFirst(), Configured(), clock_);
  for (const RegionHealth& h : fresh.Health()) {
    EXPECT_FALSE(h.open) << h.region;
    EXPECT_EQ(h.failures, 0u) << h.region;
  }
}

TEST_F(RouterTest, SuccessResetsConsecutiveFailures) {
  Make(HomeFirst());
  Run(kCentral, Outcome::kFailure, 2);
  Run(kCentral, Outcome::kSuccess);
  EXPECT_EQ(HealthOf(kCentral).consecutive_failures, 0u);
  Run(kCentral, Outcome::kFailure, 2);
  EXPECT_FALSE(HealthOf(kCentral).open);
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
  const RegionHealth h = HealthOf(kCentral);
  EXPECT_EQ(h.successes, 1u);
  EXPECT_EQ(h.failures, 4u);
}

TEST_F(RouterTest, ClientErrorsChangeOnlyTheOutstandingCount) {
  Make(HomeFirst());
  Run(kCentral, Outcome::kFailure, 2);
  router_->Begin(kCentral);
  EXPECT_EQ(HealthOf(kCentral).outstanding, 1u);
  router_->End(kCentral, Outcome::kClientError);
  RegionHealth h = HealthOf(kCentral);
  EXPECT_EQ(h.outstanding, 0u);
  EXPECT_EQ(h.consecutive_failures, 2u);  // neither reset nor advanced
  EXPECT_EQ(h.successes, 0u);
  EXPECT_EQ(h.failures, 2u);
  Run(kCentral, Outcome::kFailure);
  EXPECT_TRUE(HealthOf(kCentral).open);
}

TEST_F(RouterTest, HalfOpenAdmitsExactlyOneProbe) {
  Make(HomeFirst());
  OpenCircuit(kCentral);
  clock_.Advance(milliseconds(9'999));
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
  clock_.Advance(milliseconds(1));
  EXPECT_FALSE(HealthOf(kCentral).open);  // half-open, no probe out
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
  router_->Begin(kCentral);  // the probe
  EXPECT_TRUE(HealthOf(kCentral).open);
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
  EXPECT_THAT(Pick({kWest1}), Optional(Eq(kWest3)));
  router_->End(kCentral, Outcome::kSuccess);
  const RegionHealth h = HealthOf(kCentral);
  EXPECT_FALSE(h.open);
  EXPECT_EQ(h.consecutive_failures, 0u);
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
}

TEST_F(RouterTest, ProbeEndingInClientErrorFreesTheProbeSlot) {
  Make(HomeFirst());
  OpenCircuit(kCentral);
  clock_.Advance(milliseconds(10'000));
  router_->Begin(kCentral);
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
  router_->End(kCentral, Outcome::kClientError);
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));  // half-open again
  EXPECT_EQ(HealthOf(kCentral).consecutive_failures, 3u);
}

TEST_F(RouterTest, FailedProbesDoubleTheOpenPeriodUpToTheCap) {
  Make(HomeFirst());  // 10 s, capped at 35 s
  OpenCircuit(kCentral);
  // Each step: wait out the period, probe, fail; expect the next period.
  for (const int64_t period_ms : {10'000, 20'000, 35'000, 35'000}) {
    clock_.Advance(milliseconds(period_ms - 1));
    ASSERT_THAT(Pick(), Optional(Eq(kWest1))) << period_ms;
    clock_.Advance(milliseconds(1));
    ASSERT_THAT(Pick(), Optional(Eq(kCentral))) << period_ms;
    Run(kCentral, Outcome::kFailure);
    EXPECT_TRUE(HealthOf(kCentral).open);
  }
  // The next period is 35 s as well; a successful probe then resets it.
  clock_.Advance(milliseconds(35'000));
  Run(kCentral, Outcome::kSuccess);
  EXPECT_FALSE(HealthOf(kCentral).open);
  OpenCircuit(kCentral);
  clock_.Advance(milliseconds(9'999));
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
  clock_.Advance(milliseconds(1));
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
}

TEST_F(RouterTest, StragglerFailuresWhileOpenDoNotExtendIt) {
  Make(HomeFirst());
  for (int i = 0; i < 5; ++i) router_->Begin(kCentral);
  for (int i = 0; i < 3; ++i) router_->End(kCentral, Outcome::kFailure);
  EXPECT_TRUE(HealthOf(kCentral).open);
  clock_.Advance(milliseconds(4'000));
  router_->End(kCentral, Outcome::kFailure);  // began before the circuit opened
  router_->End(kCentral, Outcome::kFailure);
  EXPECT_EQ(HealthOf(kCentral).failures, 5u);
  clock_.Advance(milliseconds(6'000));  // 10 s after opening, not after the stragglers
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
}

TEST_F(RouterTest, AllOpenReturnsTheEarliestToReopen) {
  Make(LeastOutstanding());
  OpenCircuit(kWest1);  // reopens at 10 s
  clock_.Advance(milliseconds(1'000));
  OpenCircuit(kCentral);  // reopens at 11 s
  OpenCircuit(kWest3);    // reopens at 11 s
  EXPECT_THAT(Pick(), Optional(Eq(kWest1)));
  EXPECT_THAT(Pick({kWest1}), Optional(Eq(kCentral)));  // tie: profile order
  EXPECT_THAT(Pick({kWest1, kCentral}), Optional(Eq(kWest3)));

  // Taking it anyway makes that call the probe: its failure doubles the period.
  router_->Begin(kWest1);
  EXPECT_TRUE(HealthOf(kWest1).open);
  router_->End(kWest1, Outcome::kFailure);  // now reopens at 1 s + 20 s
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
  clock_.Advance(milliseconds(10'000));  // 11 s: central and west-3 half-open
  EXPECT_THAT(Pick(), Optional(Eq(kCentral)));
  clock_.Advance(milliseconds(9'999));  // 20.999 s: only west-1 is untried, still open
  EXPECT_THAT(Pick({kCentral, kWest3}), Optional(Eq(kWest1)));
  EXPECT_EQ(Pick({kCentral, kWest3, kWest1}), std::nullopt);
}

TEST_F(RouterTest, AllOpenSuccessfulProbeCloses) {
  Make(HomeFirst());
  OpenCircuit(kCentral);
  OpenCircuit(kWest1);
  OpenCircuit(kWest3);
  const std::optional<std::string> region = Pick();
  ASSERT_THAT(region, Optional(Eq(kCentral)));
  router_->Begin(*region);
  router_->End(*region, Outcome::kSuccess);
  EXPECT_FALSE(HealthOf(kCentral).open);
  EXPECT_TRUE(HealthOf(kWest1).open);
  EXPECT_THAT(Pick({kCentral}), Optional(Eq(kWest1)));  // still all open beyond home
}

TEST_F(RouterTest, HealthIsPerRegionAcrossProfiles) {
  Make(HomeFirst());
  OpenCircuit(kWest1);
  const std::vector<std::string> other_profile = {kWest1, kWest3};
  EXPECT_THAT(router_->Pick(other_profile, kNone), Optional(Eq(kWest3)));
}

// --- concurrency ---

TEST_F(RouterTest, ConcurrentPickBeginEndLeavesNothingOutstanding) {
  Options options = LeastOutstanding();
  options.failure_threshold = 2;
  options.open_for = milliseconds(5);
  Make(options);
  constexpr int kIterations = 20'000;
  auto hammer = [this](uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < kIterations; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::vector<std::string> tried;
      std::optional<std::string> region = router_->Pick(kProfile, tried);
      if (!region) region = kWest1;  // keep the call count exact
      router_->Begin(*region);
      const std::array<Outcome, 4> outcomes = {Outcome::kSuccess, Outcome::kFailure,
                                               Outcome::kFailure, Outcome::kClientError};
      router_->End(*region, outcomes[x % outcomes.size()]);
      if (x % 64 == 0) clock_.Advance(milliseconds(1));
    }
  };
  std::thread a(hammer, 0x9e3779b97f4a7c15u);
  std::thread b(hammer, 0x2545f4914f6cdd1du);
  a.join();
  b.join();
  uint64_t settled = 0;
  for (const RegionHealth& h : router_->Health()) {
    EXPECT_EQ(h.outstanding, 0u) << h.region;
    settled += h.successes + h.failures;
  }
  EXPECT_GT(settled, 0u);
  EXPECT_LE(settled, 2u * kIterations);
}

}  // namespace
}  // namespace bp::routing
