#include "server/runtime_parts.h"

#include <string>

#include "config/load.h"
#include "testing/testing.h"

namespace bp::server {
namespace {

using ::bp::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kHaiku[] = "anthropic.claude-haiku-4-5-20251001-v1:0";

config::Config Load(const std::string& text) {
  Result<catalog::Catalog> catalog = catalog::Catalog::Builtin();
  EXPECT_OK(catalog);
  Result<config::Config> config =
      config::ToResult(config::LoadText(text, "t.hcl", *catalog, config::EnvLookup()));
  EXPECT_OK(config);
  return std::move(config).value();
}

std::string Shipped() { return std::string(config::BuiltinConfigText()); }

TEST(RuntimePartsTest, PricesTheShippedConfigsModels) {
  SystemClock clock;
  Result<RuntimeParts> parts = BuildRuntimeParts(Load(Shipped()), clock);
  ASSERT_OK(parts);
  ASSERT_NE(parts->prices, nullptr);
  const metering::PriceTable& prices = *parts->prices;
  // Every catalog model is priced: the built-in list.
  EXPECT_EQ(prices.prices().size(), catalog::Catalog::Builtin()->models().size());
  // Haiku 4.5 through its eu. profile: $1.10 per million input tokens,
  // $5.50 output; Flex at half price.
  EXPECT_EQ(prices.CostMicroUsd(kHaiku, "eu-central-1", "", {.input = 1'000'000}).value(),
            1'100'000);
  EXPECT_EQ(prices.CostMicroUsd(kHaiku, "eu-central-1", "flex", {.output = 1'000'000}).value(),
            2'750'000);
  EXPECT_THAT(prices.CostMicroUsd("anthropic.claude-opus-4-1-20250805-v1:0", "", "", {}),
              StatusIs(ErrorCode::kResourceNotFound));
}

TEST(RuntimePartsTest, TheConfigsPricesOverrideAndChangeTheVersion) {
  config::Config shipped = Load(Shipped());
  config::Config own = Load(Shipped() + R"(
prices = {
  "anthropic.claude-haiku-4-5-20251001-v1:0" = {
    input = 1, output = 5, cache_read = 0.1, cache_write_5m = 1.25, cache_write_1h = 2
  }
}
price_multipliers = { regions = { eu-west-1 = 1.5 } }
)");
  auto a = BuildPriceTable(shipped.prices);
  auto b = BuildPriceTable(own.prices);
  auto again = BuildPriceTable(Load(Shipped()).prices);
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(again);
  EXPECT_EQ((*a)->version(), (*again)->version());
  EXPECT_NE((*a)->version(), (*b)->version());
  EXPECT_EQ((*b)->CostMicroUsd(kHaiku, "eu-central-1", "", {.input = 1'000'000}).value(),
            1'000'000);
  EXPECT_EQ((*b)->CostMicroUsd(kHaiku, "eu-west-1", "", {.input = 1'000'000}).value(), 1'500'000);
}

TEST(RuntimePartsTest, AFigureMeteringRefusesIsAnError) {
  config::PricesConfig prices;
  prices.models.push_back(config::ModelPriceConfig{.model_id = kHaiku, .input = -1});
  EXPECT_THAT(BuildPriceTable(prices), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(BuildPriceTable(prices).status().message(), HasSubstr("prices: "));
}

}  // namespace
}  // namespace bp::server
