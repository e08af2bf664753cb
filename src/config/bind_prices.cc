// prices = { MODEL_ID = { input, output, cache_read, cache_write_5m,
// cache_write_1h } } and price_multipliers = { regions = {..}, service_tiers =
// {..} }: the built-in price list (config/model-prices.hcl) with the config's
// entries over it, and the check that every profile's model has a price.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "config/binder.h"
#include "config/hcl_parser.h"
#include "config/source_text.h"
#include "config/validate.h"
#include "core/arn.h"

namespace bp::config {

namespace {

constexpr std::string_view kPriceKeys[] = {"input", "output", "cache_read", "cache_write_5m",
                                           "cache_write_1h"};
constexpr std::string_view kMultiplierKeys[] = {"regions", "service_tiers"};
constexpr std::string_view kPricesFileKeys[] = {"prices", "price_multipliers"};
constexpr double kMaxPriceUsd = 1'000'000;  // per million tokens (metering::kMaxPricePerMTok)
constexpr double kMinMultiplier = 0.000001;
constexpr double kMaxMultiplier = 1000;

// What binding one file's two sections gives, keyed for the merge.
struct PriceEntries {
  std::map<std::string, ModelPriceConfig, std::less<>> models;
  std::map<std::string, int64_t, std::less<>> regions;
  std::map<std::string, int64_t, std::less<>> tiers;
};

// `v` (USD, or a multiplier) in millionths, when it has at most 6 decimals.
std::optional<int64_t> Millionths(double v, const ast::Value& value, std::string_view path,
                                  DiagnosticSink& sink) {
  double scaled = v * 1e6;
  double rounded = std::round(scaled);
  if (std::fabs(scaled - rounded) > 1e-3) {
    sink.Error(value.location, std::string(path) + ": " + value.text +
                                   " has more than 6 decimal places (prices are kept in "
                                   "millionths of a dollar per million tokens)");
    return std::nullopt;
  }
  return static_cast<int64_t>(rounded);
}

std::optional<int64_t> PriceMember(const ast::Entry& model, std::string_view key,
                                   const std::string& path, DiagnosticSink& sink) {
  const ast::Entry* entry = FindSet(model.value.entries, key);
  if (entry == nullptr) {
    sink.Error(model.key_location,
               path + ": missing required key '" + std::string(key) + "' (USD per million tokens)");
    return std::nullopt;
  }
  std::string child = ChildPath(path, key);
  std::optional<double> v = NumberValue(entry->value, child, 0, kMaxPriceUsd, false, sink);
  if (!v) return std::nullopt;
  return Millionths(*v, entry->value, child, sink);
}

// "unknown model 'x'", with the closest catalog model id, or the hint that a
// system profile id names the model behind it.
std::string UnknownModel(std::string_view id, const catalog::Catalog& catalog) {
  std::string message = "unknown model '" + std::string(id) + "'";
  if (const catalog::SystemProfile* sp = catalog.FindSystemProfile(id)) {
    return message + "; '" + std::string(id) +
           "' is a system-defined inference profile: price its model, '" + sp->model_id + "'";
  }
  std::vector<std::string_view> ids;
  for (const catalog::FoundationModel& m : catalog.models()) ids.push_back(m.model_id);
  if (auto match = ClosestMatch(id, ids)) {
    return message + "; did you mean '" + std::string(*match) + "'?";
  }
  return message + "; prices name foundation models of the catalog (`catalog` lists them)";
}

void BindModelPrices(const ast::Value& value, const catalog::Catalog& catalog, PriceEntries& out,
                     DiagnosticSink& sink) {
  if (!ExpectKind(value, ast::Kind::kObject, "prices", sink)) return;
  for (const ast::Entry& entry : value.entries) {
    size_t errors_before = sink.error_count();
    std::string path = ChildPath("prices", entry.key);
    if (catalog.FindModel(entry.key) == nullptr) {
      sink.Error(entry.key_location, "prices: " + UnknownModel(entry.key, catalog));
    }
    if (!ExpectKind(entry.value, ast::Kind::kObject, path, sink)) continue;
    CheckKeys(entry.value.entries, kPriceKeys, path, sink);
    ModelPriceConfig price;
    price.model_id = entry.key;
    price.location = entry.key_location;
    int64_t* fields[] = {&price.input, &price.output, &price.cache_read, &price.cache_write_5m,
                         &price.cache_write_1h};
    for (size_t i = 0; i < std::size(kPriceKeys); ++i) {
      if (auto v = PriceMember(entry, kPriceKeys[i], path, sink)) *fields[i] = *v;
    }
    if (sink.error_count() == errors_before) out.models[entry.key] = std::move(price);
  }
}

// NAME = multiplier, more than 0 and at most 1000; `check` vets each name.
template <class CheckName>
void BindMultiplierMap(const ast::Value& value, const std::string& path,
                       std::map<std::string, int64_t, std::less<>>& out, CheckName check,
                       DiagnosticSink& sink) {
  if (!ExpectKind(value, ast::Kind::kObject, path, sink)) return;
  for (const ast::Entry& entry : value.entries) {
    if (!check(entry)) continue;
    std::string child = ChildPath(path, entry.key);
    std::optional<double> v =
        NumberValue(entry.value, child, kMinMultiplier, kMaxMultiplier, false, sink);
    if (!v) continue;
    if (auto ppm = Millionths(*v, entry.value, child, sink)) out[entry.key] = *ppm;
  }
}

void BindMultipliers(const ast::Value& value, const catalog::Catalog& catalog, PriceEntries& out,
                     DiagnosticSink& sink) {
  if (!ExpectKind(value, ast::Kind::kObject, "price_multipliers", sink)) return;
  CheckKeys(value.entries, kMultiplierKeys, "price_multipliers", sink);
  if (const ast::Entry* regions = FindSet(value.entries, "regions")) {
    BindMultiplierMap(
        regions->value, "price_multipliers.regions", out.regions,
        [&](const ast::Entry& e) {
          return sink.Check(CheckRegion(e.key, catalog), e.key_location,
                            "price_multipliers.regions");
        },
        sink);
  }
  if (const ast::Entry* tiers = FindSet(value.entries, "service_tiers")) {
    BindMultiplierMap(
        tiers->value, "price_multipliers.service_tiers", out.tiers,
        [&](const ast::Entry& e) {
          if (std::find(std::begin(kServiceTiers), std::end(kServiceTiers), e.key) !=
              std::end(kServiceTiers)) {
            return true;
          }
          std::string message =
              "price_multipliers.service_tiers: unknown service tier '" + e.key + "'";
          if (e.key == "standard") {
            message += "; Bedrock's Standard tier is named 'default' on the wire";
          } else if (auto match = ClosestMatch(e.key, kServiceTiers)) {
            message += "; did you mean '" + std::string(*match) + "'?";
          } else {
            message += "; expected one of: default, priority, flex, reserved";
          }
          sink.Error(e.key_location, std::move(message));
          return false;
        },
        sink);
  }
}

void BindPriceSections(const std::vector<ast::Entry>& attributes, const catalog::Catalog& catalog,
                       PriceEntries& out, DiagnosticSink& sink) {
  if (const ast::Entry* prices = FindSet(attributes, "prices")) {
    BindModelPrices(prices->value, catalog, out, sink);
  }
  if (const ast::Entry* multipliers = FindSet(attributes, "price_multipliers")) {
    BindMultipliers(multipliers->value, catalog, out, sink);
  }
}

// The built-in list, bound against `catalog` (which holds every built-in
// model: a catalog file may add models, never remove one). Its errors can
// only come from a broken build; they are reported as they are.
PriceEntries BuiltinEntries(const catalog::Catalog& catalog, DiagnosticSink& sink) {
  PriceEntries out;
  ParseOutput parsed = ParseHcl(BuiltinPricesText(), std::string(kBuiltinPricesName));
  for (Diagnostic& d : parsed.errors) sink.Error(d.location, std::move(d.message));
  if (!parsed.body) return out;
  CheckKeys(parsed.body->attributes, kPricesFileKeys, "", sink);
  BindPriceSections(parsed.body->attributes, catalog, out, sink);
  return out;
}

// The foundation model a profile's calls are served by ("" when unknown:
// reported at model_arn).
std::string ProfileModel(const ProfileConfig& profile, const catalog::Catalog& catalog) {
  auto arn = Arn::Parse(profile.model_arn);
  if (!arn.ok()) return "";
  switch (ClassifyBedrockArn(*arn)) {
    case BedrockResourceKind::kSystemProfile:
      if (const catalog::SystemProfile* sp = catalog.FindSystemProfile(arn->ResourceId())) {
        return sp->model_id;
      }
      return "";
    case BedrockResourceKind::kFoundationModel:
      return std::string(arn->ResourceId());
    default:
      return "";
  }
}

}  // namespace

void BindPrices(const ast::Body& body, const BindContext& context, Config& config,
                DiagnosticSink& sink) {
  PriceEntries merged = BuiltinEntries(context.catalog, sink);
  PriceEntries own;
  BindPriceSections(body.attributes, context.catalog, own, sink);
  for (auto& [id, price] : own.models) merged.models[id] = std::move(price);
  for (auto& [name, ppm] : own.regions) merged.regions[name] = ppm;
  for (auto& [name, ppm] : own.tiers) merged.tiers[name] = ppm;

  // A config's own entry with an error is not in `own`: the built-in price
  // would stand in silently, so the coverage check below skips those models.
  std::set<std::string, std::less<>> written;
  if (const ast::Entry* prices = FindSet(body.attributes, "prices")) {
    for (const ast::Entry& e : prices->value.entries) written.insert(e.key);
  }
  for (const ProfileConfig& p : config.profiles) {
    std::string model = ProfileModel(p, context.catalog);
    if (model.empty() || merged.models.count(model) != 0 || written.count(model) != 0) continue;
    sink.Error(p.location, ChildPath("inference_profiles", p.name) + ": its model '" + model +
                               "' has no price; add it to prices = { \"" + model +
                               "\" = { input, output, cache_read, cache_write_5m, cache_write_1h "
                               "} } (USD per million tokens)");
  }
  // Catalog models no profile of the file uses: a profile may still be
  // created for one at runtime, and its calls could not be costed.
  for (const catalog::FoundationModel& m : context.catalog.models()) {
    if (merged.models.count(m.model_id) != 0 || written.count(m.model_id) != 0) continue;
    bool used = std::any_of(config.profiles.begin(), config.profiles.end(), [&](const auto& p) {
      return ProfileModel(p, context.catalog) == m.model_id;
    });
    if (used) continue;
    const ast::Entry* file = FindSet(body.attributes, "catalog_file");
    sink.Warning(file ? file->key_location : At(body.file, 0, 0),
                 "catalog model '" + m.model_id +
                     "' has no price: calls through a profile created for it at runtime "
                     "cannot be costed; add it to prices");
  }

  for (auto& [id, price] : merged.models) config.prices.models.push_back(std::move(price));
  config.prices.region_multipliers.assign(merged.regions.begin(), merged.regions.end());
  config.prices.tier_multipliers.assign(merged.tiers.begin(), merged.tiers.end());
}

}  // namespace bp::config
