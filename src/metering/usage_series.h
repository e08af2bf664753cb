#pragma once
// Usage over time (the dashboard's charts, docs/dashboard.md): roll-ups
// (usage_rollup.h; hourly or by the minute) summed into fixed buckets of a
// window and into one line per value of a dimension, the busiest lines kept
// and the rest summed as "(other)"; plus the ranking of every value with its
// figures in the period before, for the change. Pure: the caller reads the
// ledger. Public header of bp_metering.
//
// A roll-up counts in the bucket holding its key's start (start_ms, which
// for a minute roll-up is the minute's start); one outside [from, to) is
// ignored. Lines and ranking are sorted by cost, then requests (both
// descending), then key. Thread-compatible.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "metering/usage_report.h"
#include "metering/usage_rollup.h"

namespace bp::metering {

inline constexpr std::string_view kOtherSeries = "(other)";

struct SeriesFigures {
  int64_t requests = 0;
  int64_t errors = 0;
  int64_t throttles = 0;
  TokenCounts tokens;
  int64_t cost_micro_usd = 0;

  void Add(const UsageRollup& r);
  void Add(const SeriesFigures& f);
  // Input, output, cache read and cache write tokens together.
  int64_t AllTokens() const;
};

struct SeriesOptions {
  Dimension by;
  int64_t from_ms = 0;  // window start, a multiple of bucket_ms
  int64_t to_ms = 0;    // window end, exclusive
  int64_t bucket_ms = kHourMs;
  size_t top = 8;  // lines kept; the rest become kOtherSeries
};

struct UsageSeries {
  std::vector<int64_t> buckets;  // each bucket's start
  struct Line {
    std::string key;
    std::vector<SeriesFigures> points;  // one per bucket
  };
  std::vector<Line> lines;
  struct Rank {
    std::string key;
    SeriesFigures current;
    SeriesFigures previous;  // the same key in the period before
  };
  std::vector<Rank> ranking;  // every key of the window (none only in the previous period)
  SeriesFigures total;
  SeriesFigures previous_total;
};

class SeriesAggregator final {
 public:
  // REQUIRES: bucket_ms > 0, from_ms < to_ms.
  explicit SeriesAggregator(SeriesOptions options);
  // A roll-up of the window.
  void Add(const UsageRollup& rollup);
  // A roll-up of the period before the window (its ranking's `previous`).
  void AddPrevious(const UsageRollup& rollup);
  UsageSeries Finish() &&;

 private:
  struct Acc {
    SeriesFigures total;
    SeriesFigures previous;
    std::vector<SeriesFigures> points;
  };
  Acc& AccOf(const UsageRollupKey& key);

  const SeriesOptions options_;
  const size_t bucket_count_;
  std::map<std::string, Acc> by_key_;
  SeriesFigures previous_total_;
};

// The bucket width the dashboard charts a window of `window_ms` with: a
// minute up to 3 hours, an hour up to 7 days, a day beyond (so that no
// window reads more than about a week of hourly or 3 hours of minute
// roll-ups, docs/performance.md "Dashboard reads").
int64_t BucketFor(int64_t window_ms);

}  // namespace bp::metering
