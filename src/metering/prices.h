#pragma once
// Prices and the cost of one call (issue 15): per foundation model, what a
// million tokens of each kind cost in US dollars, and the optional
// multipliers per region and per service tier. Plain data with no config
// types: the composition root (server/) builds a PriceTable from the config's
// `prices` and `price_multipliers` sections.
//
// Units. A price is kept as an integer count of micro-USD per million tokens,
// which is the same number as pico-USD per token ($1.25 / MTok = 1'250'000).
// A multiplier is kept in parts per million (1.75 = 1'750'000). A cost is in
// micro-USD (millionths of a dollar), as UsageRecord::cost_micro_usd.
//
// Cost of a call (CostMicroUsd):
//   sum over input, output, cache_read, cache_write_5m, cache_write_1h of
//       tokens * price                                   (pico-USD, exact)
//   * region multiplier * tier multiplier                (exact, ppm each)
//   / 10^18, rounded half up                             (micro-USD)
// in 128-bit integers, each step overflow-checked: one rounding, at the end.
// Negative token counts count as 0, so a cost is never negative. Bedrock
// prices cross-region inference by the source region (the endpoint the call
// was made to), so pass UsageRecord::source_region as `region`.
//
// Version. version() is a short hex digest of a canonical rendering of every
// price and multiplier: equal tables have equal versions, and any change to
// any figure changes it. A usage record keeps it beside its cost.
//
// Thread-safety: immutable after Create(); share as
// std::shared_ptr<const PriceTable> and call from any thread. Public header
// of bp_metering.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "metering/usage_record.h"

namespace bp::metering {

// What a model's tokens cost, in micro-USD per million tokens (= pico-USD per
// token). Bedrock (as Anthropic) prices a 1-hour cache write differently from
// a 5-minute one (2x and 1.25x the input price for Claude).
struct ModelPrice {
  int64_t input = 0;
  int64_t output = 0;
  int64_t cache_read = 0;
  int64_t cache_write_5m = 0;
  int64_t cache_write_1h = 0;
  bool operator==(const ModelPrice&) const = default;
};

// The largest price Create() accepts: $1,000,000 per million tokens.
inline constexpr int64_t kMaxPricePerMTok = 1'000'000'000'000;
// Multipliers, in parts per million: more than 0, at most 1000x.
inline constexpr int64_t kMultiplierOne = 1'000'000;
inline constexpr int64_t kMaxMultiplierPpm = 1'000 * kMultiplierOne;

// The four service tiers of Bedrock's wire ("default" is the Standard tier).
// A call that asked for no tier is priced as "default".
inline constexpr std::string_view kPriceTiers[] = {"default", "priority", "flex", "reserved"};

class PriceTable {
 public:
  using PriceMap = std::map<std::string, ModelPrice, std::less<>>;
  using MultiplierMap = std::map<std::string, int64_t, std::less<>>;  // name -> ppm

  // `prices`: model id -> price. `regions`, `tiers`: name -> multiplier in
  // ppm; a region or tier not listed has multiplier 1. Errors (kValidation):
  // an empty model id, a negative price or one above kMaxPricePerMTok, a
  // multiplier not in (0, kMaxMultiplierPpm], a tier not in kPriceTiers.
  static Result<PriceTable> Create(PriceMap prices, MultiplierMap regions = {},
                                   MultiplierMap tiers = {});

  // The cost of `tokens` on `model_id` (a foundation model id), served for a
  // call made in `region` at `tier` ("" = "default"), in micro-USD, >= 0.
  // Errors: kResourceNotFound when the model has no price (never $0);
  // kInternal when the figure does not fit (absurd token counts).
  Result<int64_t> CostMicroUsd(std::string_view model_id, std::string_view region,
                               std::string_view tier, const TokenCounts& tokens) const;

  // nullptr when the model has no price.
  const ModelPrice* Find(std::string_view model_id) const;
  // The multiplier in ppm (kMultiplierOne when not listed).
  int64_t RegionMultiplier(std::string_view region) const;
  int64_t TierMultiplier(std::string_view tier) const;

  const PriceMap& prices() const { return prices_; }
  // 16 lower-case hex digits.
  const std::string& version() const { return version_; }

 private:
  PriceTable() = default;

  PriceMap prices_;
  MultiplierMap regions_;
  MultiplierMap tiers_;
  std::string version_;
};

}  // namespace bp::metering
