#include "metering/usage_series.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace bp::metering {

namespace {

bool Busier(const SeriesFigures& a, std::string_view a_key, const SeriesFigures& b,
            std::string_view b_key) {
  return std::tie(b.cost_micro_usd, b.requests, a_key) <
         std::tie(a.cost_micro_usd, a.requests, b_key);
}

}  // namespace

void SeriesFigures::Add(const UsageRollup& r) {
  requests += r.requests;
  errors += r.errors;
  throttles += r.throttles;
  tokens += r.tokens;
  cost_micro_usd += std::max<int64_t>(r.cost_micro_usd, 0);
}

void SeriesFigures::Add(const SeriesFigures& f) {
  requests += f.requests;
  errors += f.errors;
  throttles += f.throttles;
  tokens += f.tokens;
  cost_micro_usd += f.cost_micro_usd;
}

int64_t SeriesFigures::AllTokens() const {
  return tokens.input + tokens.output + tokens.cache_read + tokens.cache_write();
}

SeriesAggregator::SeriesAggregator(SeriesOptions options)
    : options_(std::move(options)),
      bucket_count_(static_cast<size_t>(
          (options_.to_ms - options_.from_ms + options_.bucket_ms - 1) / options_.bucket_ms)) {}

SeriesAggregator::Acc& SeriesAggregator::AccOf(const UsageRollupKey& key) {
  Acc& acc = by_key_[DimensionValue(options_.by, key)];
  if (acc.points.empty()) acc.points.resize(bucket_count_);
  return acc;
}

void SeriesAggregator::Add(const UsageRollup& rollup) {
  const int64_t t = rollup.key.start_ms;
  if (t < options_.from_ms || t >= options_.to_ms) return;
  Acc& acc = AccOf(rollup.key);
  acc.total.Add(rollup);
  acc.points[static_cast<size_t>((t - options_.from_ms) / options_.bucket_ms)].Add(rollup);
}

void SeriesAggregator::AddPrevious(const UsageRollup& rollup) {
  previous_total_.Add(rollup);
  auto it = by_key_.find(DimensionValue(options_.by, rollup.key));
  // A key seen only before the window has no row: the ranking is of the
  // window. (Previous roll-ups may come first: keep them for a later key.)
  if (it == by_key_.end()) {
    it = by_key_.emplace(DimensionValue(options_.by, rollup.key), Acc{}).first;
  }
  it->second.previous.Add(rollup);
}

UsageSeries SeriesAggregator::Finish() && {
  UsageSeries out;
  out.buckets.reserve(bucket_count_);
  for (size_t i = 0; i < bucket_count_; ++i) {
    out.buckets.push_back(options_.from_ms + static_cast<int64_t>(i) * options_.bucket_ms);
  }
  out.previous_total = previous_total_;
  std::vector<std::pair<std::string, Acc>> keys;
  for (auto& [key, acc] : by_key_) {
    if (acc.total.requests == 0 && acc.points.empty()) continue;  // only in the previous period
    out.total.Add(acc.total);
    keys.emplace_back(key, std::move(acc));
  }
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return Busier(a.second.total, a.first, b.second.total, b.first);
  });
  for (const auto& [key, acc] : keys) {
    out.ranking.push_back({.key = key, .current = acc.total, .previous = acc.previous});
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i < options_.top) {
      out.lines.push_back({.key = keys[i].first, .points = std::move(keys[i].second.points)});
      continue;
    }
    if (i == options_.top) {
      out.lines.push_back({.key = std::string(kOtherSeries), .points = {}});
      out.lines.back().points.resize(bucket_count_);
    }
    std::vector<SeriesFigures>& other = out.lines.back().points;
    for (size_t b = 0; b < bucket_count_; ++b) other[b].Add(keys[i].second.points[b]);
  }
  return out;
}

int64_t BucketFor(int64_t window_ms) {
  if (window_ms <= 3 * kHourMs) return kMinuteMs;
  if (window_ms <= 7 * kDayMs) return kHourMs;
  return kDayMs;
}

}  // namespace bp::metering
