#include "metering/prices.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "testing/testing.h"

namespace bp::metering {
namespace {

using ::bp::testing::StatusIs;

constexpr char kHaiku[] = "anthropic.claude-haiku-4-5-20251001-v1:0";

// Claude Haiku 4.5 at Anthropic's list price: $1 in, $5 out, $0.10 cache
// read, $1.25 5-minute and $2 1-hour cache write per million tokens.
ModelPrice HaikuPrice() {
  return ModelPrice{.input = 1'000'000,
                    .output = 5'000'000,
                    .cache_read = 100'000,
                    .cache_write_5m = 1'250'000,
                    .cache_write_1h = 2'000'000};
}

PriceTable Table(PriceTable::MultiplierMap regions = {}, PriceTable::MultiplierMap tiers = {}) {
  Result<PriceTable> t =
      PriceTable::Create({{kHaiku, HaikuPrice()}}, std::move(regions), std::move(tiers));
  EXPECT_OK(t);
  return std::move(t).value();
}

int64_t Cost(const PriceTable& t, const TokenCounts& tokens, std::string_view region = "",
             std::string_view tier = "") {
  Result<int64_t> c = t.CostMicroUsd(kHaiku, region, tier, tokens);
  EXPECT_OK(c);
  return c.ok() ? *c : -1;
}

TEST(PriceTableTest, EachTokenKindHasItsOwnPrice) {
  PriceTable t = Table();
  // One million of each kind costs its price in dollars.
  EXPECT_EQ(Cost(t, {.input = 1'000'000}), 1'000'000);
  EXPECT_EQ(Cost(t, {.output = 1'000'000}), 5'000'000);
  EXPECT_EQ(Cost(t, {.cache_read = 1'000'000}), 100'000);
  EXPECT_EQ(Cost(t, {.cache_write_5m = 1'000'000}), 1'250'000);
  EXPECT_EQ(Cost(t, {.cache_write_1h = 1'000'000}), 2'000'000);
  // A mixed call: 1200 in, 350 out, 4096 read, 800 5m writes, 100 1h writes
  // = 1200 + 1750 + 409.6 + 1000 + 200 = 4559.6 micro-USD -> 4560.
  EXPECT_EQ(Cost(t, {.input = 1200,
                     .output = 350,
                     .cache_read = 4096,
                     .cache_write_5m = 800,
                     .cache_write_1h = 100}),
            4560);
  EXPECT_EQ(Cost(t, {}), 0);
}

TEST(PriceTableTest, RoundsOnceHalfUp) {
  PriceTable t = Table();
  // 5 cache-read tokens: 0.5 micro-USD -> 1; 4: 0.4 -> 0.
  EXPECT_EQ(Cost(t, {.cache_read = 5}), 1);
  EXPECT_EQ(Cost(t, {.cache_read = 4}), 0);
  // Rounded once over the sum, not per kind: 0.4 + 0.4 = 0.8 -> 1, where
  // rounding each kind first would give 0.
  PriceTable two =
      PriceTable::Create(
          {{kHaiku,
            ModelPrice{.input = 0, .output = 0, .cache_read = 100'000, .cache_write_5m = 100'000}}})
          .value();
  EXPECT_EQ(Cost(two, {.cache_read = 4, .cache_write_5m = 4}), 1);
}

TEST(PriceTableTest, NegativeCountsCountAsZero) {
  PriceTable t = Table();
  EXPECT_EQ(Cost(t, {.input = -1'000'000, .output = 2}), 10);
  EXPECT_EQ(Cost(t, {.input = INT64_MIN, .cache_read = -5}), 0);
}

TEST(PriceTableTest, RegionAndTierMultipliersCompound) {
  PriceTable t = Table({{"eu-central-1", 1'100'000}},
                       {{"priority", 1'750'000}, {"flex", 500'000}, {"default", 1'000'000}});
  TokenCounts tokens{.input = 1'000'000, .output = 100'000};  // $1.50 at list price
  EXPECT_EQ(Cost(t, tokens), 1'500'000);
  EXPECT_EQ(Cost(t, tokens, "eu-west-1"), 1'500'000);  // not listed: 1x
  EXPECT_EQ(Cost(t, tokens, "eu-central-1"), 1'650'000);
  EXPECT_EQ(Cost(t, tokens, "", "priority"), 2'625'000);
  EXPECT_EQ(Cost(t, tokens, "eu-central-1", "flex"), 825'000);
  EXPECT_EQ(Cost(t, tokens, "eu-central-1", "priority"), 2'887'500);
  EXPECT_EQ(Cost(t, tokens, "", "default"), Cost(t, tokens, "", ""));
  EXPECT_EQ(t.TierMultiplier(""), 1'000'000);
  EXPECT_EQ(t.TierMultiplier("reserved"), 1'000'000);
  // The multipliers apply before the one rounding: 3 reads = 0.3 micro-USD,
  // x1.75 = 0.525 -> 1 (0.3 rounded first would give 0).
  EXPECT_EQ(Cost(t, {.cache_read = 3}, "", "priority"), 1);
}

TEST(PriceTableTest, UnknownModelIsNotFoundNeverZero) {
  PriceTable t = Table();
  Result<int64_t> c = t.CostMicroUsd("anthropic.claude-3-haiku-20240307-v1:0", "", "", {});
  EXPECT_THAT(c, StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(c.status().message(), ::testing::HasSubstr("anthropic.claude-3-haiku-20240307-v1:0"));
  EXPECT_EQ(t.Find("anthropic.claude-3-haiku-20240307-v1:0"), nullptr);
  ASSERT_NE(t.Find(kHaiku), nullptr);
  EXPECT_EQ(*t.Find(kHaiku), HaikuPrice());
}

TEST(PriceTableTest, OverflowIsAnErrorNotAWrap) {
  ModelPrice max{.input = kMaxPricePerMTok,
                 .output = kMaxPricePerMTok,
                 .cache_read = kMaxPricePerMTok,
                 .cache_write_5m = kMaxPricePerMTok,
                 .cache_write_1h = kMaxPricePerMTok};
  PriceTable t = PriceTable::Create({{kHaiku, max}}, {}, {{"priority", kMaxMultiplierPpm}}).value();
  TokenCounts huge{.input = INT64_MAX,
                   .output = INT64_MAX,
                   .cache_read = INT64_MAX,
                   .cache_write_5m = INT64_MAX,
                   .cache_write_1h = INT64_MAX};
  EXPECT_THAT(t.CostMicroUsd(kHaiku, "", "", huge), StatusIs(ErrorCode::kInternal));
  EXPECT_THAT(t.CostMicroUsd(kHaiku, "", "priority", huge), StatusIs(ErrorCode::kInternal));
  // The largest figure that fits is computed exactly: INT64_MAX tokens at
  // $1 / MTok cost INT64_MAX micro-USD.
  PriceTable one = Table();
  EXPECT_EQ(Cost(one, {.input = INT64_MAX}), INT64_MAX);
  EXPECT_THAT(one.CostMicroUsd(kHaiku, "", "", {.input = INT64_MAX, .output = 1'000'000}),
              StatusIs(ErrorCode::kInternal));
}

TEST(PriceTableTest, CreateRefusesBadFigures) {
  EXPECT_THAT(PriceTable::Create({{"", HaikuPrice()}}), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(PriceTable::Create({{kHaiku, ModelPrice{.input = -1}}}),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(PriceTable::Create({{kHaiku, ModelPrice{.cache_write_1h = kMaxPricePerMTok + 1}}}),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(PriceTable::Create({}, {{"eu-west-1", 0}}), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(PriceTable::Create({}, {{"eu-west-1", -5}}), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(PriceTable::Create({}, {}, {{"flex", kMaxMultiplierPpm + 1}}),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(PriceTable::Create({}, {}, {{"standard", 1'000'000}}),
              StatusIs(ErrorCode::kValidation));
  EXPECT_OK(PriceTable::Create({}, {}, {{"reserved", 1}}));
}

TEST(PriceTableTest, VersionFollowsEveryFigure) {
  PriceTable base = Table();
  EXPECT_EQ(base.version().size(), 16u);
  EXPECT_EQ(base.version(), Table().version());  // deterministic
  std::vector<std::string> versions = {base.version()};
  auto with = [](ModelPrice p, PriceTable::MultiplierMap r = {}, PriceTable::MultiplierMap t = {}) {
    return PriceTable::Create({{kHaiku, p}}, std::move(r), std::move(t)).value().version();
  };
  ModelPrice p = HaikuPrice();
  for (int64_t ModelPrice::*field :
       {&ModelPrice::input, &ModelPrice::output, &ModelPrice::cache_read,
        &ModelPrice::cache_write_5m, &ModelPrice::cache_write_1h}) {
    ModelPrice changed = p;
    changed.*field += 1;
    versions.push_back(with(changed));
  }
  versions.push_back(with(p, {{"eu-west-1", 1'000'001}}));
  versions.push_back(with(p, {}, {{"flex", 500'000}}));
  versions.push_back(with(p, {}, {{"flex", 500'001}}));
  versions.push_back(PriceTable::Create({{std::string(kHaiku) + "x", p}}).value().version());
  std::sort(versions.begin(), versions.end());
  EXPECT_EQ(std::unique(versions.begin(), versions.end()), versions.end());
}

TEST(PriceTableTest, SharedAcrossThreads) {
  const PriceTable t = Table({{"eu-west-3", 1'100'000}}, {{"flex", 500'000}});
  std::vector<std::thread> threads;
  std::vector<int64_t> sums(4, 0);
  for (size_t i = 0; i < sums.size(); ++i) {
    threads.emplace_back([&t, &sums, i] {
      for (int n = 0; n < 1000; ++n) {
        sums[i] += t.CostMicroUsd(kHaiku, "eu-west-3", "flex", {.output = 1000}).value();
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int64_t s : sums) EXPECT_EQ(s, 1000 * 2750);  // 1000 * $5/MTok * 1.1 * 0.5 = 2750
}

}  // namespace
}  // namespace bp::metering
