#include "metering/prices.h"

#include <algorithm>
#include <utility>

#include "core/sha256.h"

namespace bp::metering {

namespace {

using Int128 = __int128;

constexpr Int128 kPicoPerMicro = 1'000'000;

bool KnownTier(std::string_view tier) {
  return std::find(std::begin(kPriceTiers), std::end(kPriceTiers), tier) != std::end(kPriceTiers);
}

Status CheckMultipliers(const PriceTable::MultiplierMap& map, std::string_view what) {
  for (const auto& [name, ppm] : map) {
    if (name.empty()) return ValidationError(std::string(what) + " multiplier with an empty name");
    if (ppm <= 0 || ppm > kMaxMultiplierPpm) {
      return ValidationError(std::string(what) + " multiplier of '" + name +
                             "' must be more than 0 and at most 1000 (ppm " + std::to_string(ppm) +
                             ")");
    }
  }
  return Status::Ok();
}

// One line per figure, in key order: what the version digests. The leading
// tag names the rendering, so a change of units would change every version.
std::string CanonicalRendering(const PriceTable::PriceMap& prices,
                               const PriceTable::MultiplierMap& regions,
                               const PriceTable::MultiplierMap& tiers) {
  std::string out = "bp-prices-v1 pico-usd-per-token multiplier-ppm\n";
  for (const auto& [model, p] : prices) {
    out += "model\t" + model + '\t' + std::to_string(p.input) + '\t' + std::to_string(p.output) +
           '\t' + std::to_string(p.cache_read) + '\t' + std::to_string(p.cache_write_5m) + '\t' +
           std::to_string(p.cache_write_1h) + '\n';
  }
  for (const auto& [name, ppm] : regions)
    out += "region\t" + name + '\t' + std::to_string(ppm) + '\n';
  for (const auto& [name, ppm] : tiers) out += "tier\t" + name + '\t' + std::to_string(ppm) + '\n';
  return out;
}

// a += b * c, false on overflow.
bool AddProduct(Int128& a, int64_t b, int64_t c) {
  Int128 product = 0;
  if (__builtin_mul_overflow(static_cast<Int128>(std::max<int64_t>(b, 0)), c, &product)) {
    return false;
  }
  return !__builtin_add_overflow(a, product, &a);
}

}  // namespace

Result<PriceTable> PriceTable::Create(PriceMap prices, MultiplierMap regions, MultiplierMap tiers) {
  for (const auto& [model, p] : prices) {
    if (model.empty()) return ValidationError("a price with an empty model id");
    for (int64_t v : {p.input, p.output, p.cache_read, p.cache_write_5m, p.cache_write_1h}) {
      if (v < 0 || v > kMaxPricePerMTok) {
        return ValidationError("price of '" + model + "' out of range (" + std::to_string(v) +
                               " micro-USD per million tokens)");
      }
    }
  }
  if (Status s = CheckMultipliers(regions, "region"); !s.ok()) return s;
  if (Status s = CheckMultipliers(tiers, "service tier"); !s.ok()) return s;
  for (const auto& [name, ppm] : tiers) {
    if (!KnownTier(name)) {
      return ValidationError("unknown service tier '" + name +
                             "'; expected one of: default, priority, flex, reserved");
    }
  }
  PriceTable table;
  table.version_ = Sha256Hex(CanonicalRendering(prices, regions, tiers)).substr(0, 16);
  table.prices_ = std::move(prices);
  table.regions_ = std::move(regions);
  table.tiers_ = std::move(tiers);
  return table;
}

const ModelPrice* PriceTable::Find(std::string_view model_id) const {
  auto it = prices_.find(model_id);
  return it == prices_.end() ? nullptr : &it->second;
}

int64_t PriceTable::RegionMultiplier(std::string_view region) const {
  auto it = regions_.find(region);
  return it == regions_.end() ? kMultiplierOne : it->second;
}

int64_t PriceTable::TierMultiplier(std::string_view tier) const {
  auto it = tiers_.find(tier.empty() ? std::string_view("default") : tier);
  return it == tiers_.end() ? kMultiplierOne : it->second;
}

Result<int64_t> PriceTable::CostMicroUsd(std::string_view model_id, std::string_view region,
                                         std::string_view tier, const TokenCounts& tokens) const {
  const ModelPrice* price = Find(model_id);
  if (price == nullptr) {
    return NotFoundError("no price for model '" + std::string(model_id) + "' (price table " +
                         version_ + ")");
  }
  Int128 pico = 0;  // pico-USD at list price
  bool ok = AddProduct(pico, tokens.input, price->input) &&
            AddProduct(pico, tokens.output, price->output) &&
            AddProduct(pico, tokens.cache_read, price->cache_read) &&
            AddProduct(pico, tokens.cache_write_5m, price->cache_write_5m) &&
            AddProduct(pico, tokens.cache_write_1h, price->cache_write_1h);
  Int128 scaled = 0;
  ok = ok && !__builtin_mul_overflow(pico, static_cast<Int128>(RegionMultiplier(region)), &scaled);
  ok = ok && !__builtin_mul_overflow(scaled, static_cast<Int128>(TierMultiplier(tier)), &scaled);
  // pico-USD * ppm * ppm -> micro-USD: divide by 10^6 * 10^6 * 10^6.
  constexpr Int128 kDivisor = kPicoPerMicro * kMultiplierOne * kMultiplierOne;
  ok = ok && !__builtin_add_overflow(scaled, kDivisor / 2, &scaled);
  Int128 micro = scaled / kDivisor;
  if (!ok || micro > static_cast<Int128>(INT64_MAX)) {
    return InternalError("the cost of a call on '" + std::string(model_id) +
                         "' does not fit in 64 bits of micro-USD");
  }
  return static_cast<int64_t>(micro);
}

}  // namespace bp::metering
