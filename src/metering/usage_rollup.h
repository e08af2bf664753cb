#pragma once
// Roll-ups of usage records (issue 15): the figures of every call of one
// UTC hour (or minute, or day) that share a key, so that `usage --since 90d`
// reads a few rows per hour instead of every record, and the dashboard a few
// rows per minute or day. Pure values, no storage: the ledger
// (storage/sqlite) keeps them beside the raw records and the report
// (usage_report.h) adds them up. Public header of bp_metering.
//
// Key: the bucket's start (the hour's, the minute's or the day's) and every value `usage --by` can
// group on except the caller's requestMetadata: profile name, principal ARN, foundation model,
// serving region, operation and the profile's merged tag set as recorded. Figures: requests, errors
// (any error code), throttles (ThrottlingException), estimated (calls whose tokens are local
// estimates, UsageRecord::tokens_estimated), the five token counts, cost (micro-USD, as the report
// sums it: a negative record cost counts 0), and histograms of the latency and of the time to first
// token (calls that produced one).
//
// Thread-compatible values.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/tags.h"
#include "metering/usage_record.h"

namespace bp::metering {

inline constexpr int64_t kMinuteMs = 60'000;
inline constexpr int64_t kHourMs = 3'600'000;
// A UTC day: the epoch is a UTC midnight and Unix time has no leap seconds,
// so BucketStart(t, kDayMs) is the start of t's UTC day.
inline constexpr int64_t kDayMs = 86'400'000;

// The start of the bucket `width_ms` wide holding `time_ms`, buckets counted
// from the epoch (floor, also before 1970). REQUIRES: width_ms > 0.
int64_t BucketStart(int64_t time_ms, int64_t width_ms);
// The start of the UTC hour holding `time_ms`: BucketStart(time_ms, kHourMs).
int64_t HourStart(int64_t time_ms);

// A histogram of millisecond durations with fixed log-linear buckets:
// values 0..15 each have their own bucket; above, every power of two
// [2^e, 2^(e+1)) is split into 16 equal buckets, so a bucket is at most
// 1/16 of its lower bound wide and its midpoint is within 1/32 (3.125 %) of
// any value in it. 960 buckets cover every non-negative int64; a negative
// value counts as 0. Stored sparse: only the buckets in use.
class LatencyHistogram final {
 public:
  static constexpr int kBuckets = 960;
  // The worst relative error of an estimate, as documented (1/32).
  static constexpr double kRelativeError = 1.0 / 32;

  static int BucketOf(int64_t value);
  // The smallest value of bucket `index` and its width.
  static int64_t BucketLow(int index);
  static int64_t BucketWidth(int index);

  void Add(int64_t value, uint64_t count = 1);
  void Merge(const LatencyHistogram& other);
  uint64_t count() const { return total_; }
  bool empty() const { return total_ == 0; }

  // The nearest-rank p-th percentile (p in 0..100) as the midpoint of the
  // bucket holding it (exact below 16 ms); -1 when empty.
  int64_t Percentile(int p) const;

  // Compact encoding: varint(number of buckets in use), then per bucket in
  // increasing order varint(index - previous index) and varint(count).
  // An empty histogram encodes as one zero byte.
  std::string Encode() const;
  // nullopt for bytes Encode() cannot have produced (a damaged row).
  static std::optional<LatencyHistogram> Decode(std::string_view bytes);
  // As Decode, into `out` (reusing its memory: no allocation once it has
  // held a histogram as wide); false, with `out` emptied, for damaged bytes.
  static bool DecodeInto(std::string_view bytes, LatencyHistogram& out);

  bool operator==(const LatencyHistogram& other) const = default;

  // Calls fn(index, count) for each bucket in use, by increasing index.
  template <class Fn>
  void ForEachBucket(Fn&& fn) const {
    for (const Bucket& b : buckets_) fn(static_cast<int>(b.index), b.count);
  }

 private:
  struct Bucket {
    uint16_t index = 0;
    uint64_t count = 0;  // > 0
    bool operator==(const Bucket&) const = default;
  };
  // Increments bucket `index`, keeping buckets_ sorted.
  void AddToBucket(uint16_t index, uint64_t count);

  std::vector<Bucket> buckets_;  // the buckets in use, by increasing index
  uint64_t total_ = 0;
};

// Sums many histograms fast (one add per bucket in use, no search): a
// report's group. Dense up to the highest bucket seen.
class HistogramAccumulator final {
 public:
  void Add(int64_t value);
  void Merge(const LatencyHistogram& histogram);
  bool empty() const { return total_ == 0; }
  // As LatencyHistogram::Percentile.
  int64_t Percentile(int p) const;

 private:
  std::vector<uint64_t> counts_;  // by bucket index
  uint64_t total_ = 0;
};

struct UsageRollupKey {
  // The bucket's start: the UTC hour's for hourly roll-ups, the minute's for
  // minute ones, the UTC day's for daily ones (the width is the table's,
  // never part of the key).
  int64_t start_ms = 0;
  std::string profile_name;
  std::string principal;
  std::string model_id;
  std::string serving_region;
  Operation operation = Operation::kConverse;
  Tags tags;

  auto Tie() const {
    return std::tie(start_ms, profile_name, principal, model_id, serving_region, operation, tags);
  }
  bool operator<(const UsageRollupKey& other) const { return Tie() < other.Tie(); }
  bool operator==(const UsageRollupKey& other) const { return Tie() == other.Tie(); }
};

// The key of the roll-up `record` counts in, with buckets `width_ms` wide.
UsageRollupKey RollupKeyOf(const UsageRecord& record, int64_t width_ms = kHourMs);
// RollupKeyOf(record, width_ms) == key, without building the key.
bool RollupKeyMatches(const UsageRollupKey& key, const UsageRecord& record,
                      int64_t width_ms = kHourMs);

struct UsageRollup {
  UsageRollupKey key;
  int64_t requests = 0;
  int64_t errors = 0;
  int64_t throttles = 0;
  int64_t estimated = 0;  // calls with tokens_estimated
  TokenCounts tokens;
  int64_t cost_micro_usd = 0;
  LatencyHistogram latency;
  LatencyHistogram ttft;

  // Counts `record` (REQUIRES: RollupKeyOf(record, width) == key for the
  // roll-up's width).
  void Add(const UsageRecord& record);
  // Adds the figures of `other` (same key).
  void Merge(const UsageRollup& other);

  // The roll-up's spend as one record for Budgets::Restore(): the bucket's
  // start, its profile, principal and tags, its whole cost (tokens and
  // counts are not carried).
  UsageRecord SpendRecord() const;

  bool operator==(const UsageRollup& other) const = default;
};

// The roll-ups of many records at one bucket width, summed in memory before
// they are written: a ledger batch's (one per width the ledger keeps), a
// bucket's when a migration builds them from raw records or from narrower
// roll-ups. Records mostly come in runs of one key, so the last key is
// tried before a lookup.
class RollupSums final {
 public:
  using Map = std::map<UsageRollupKey, UsageRollup>;

  explicit RollupSums(int64_t width_ms) : width_ms_(width_ms) {}
  // Not copyable: it keeps an iterator into its own map.
  RollupSums(const RollupSums&) = delete;
  RollupSums& operator=(const RollupSums&) = delete;

  // Counts `record` in the roll-up of its key (creating it).
  void Add(const UsageRecord& record);
  // Adds the figures of `rollup`, a roll-up of a narrower width that divides
  // this one (an hour's into its day), to the roll-up of the same key whose
  // bucket holds rollup.key.start_ms (creating it): counts and tokens
  // summed, histograms merged.
  void Merge(const UsageRollup& rollup);
  void Clear();

  int64_t width_ms() const { return width_ms_; }
  bool empty() const { return rollups_.empty(); }
  // By key: by bucket start first.
  const Map& rollups() const { return rollups_; }

 private:
  // The roll-up of `key` (creating it with that key).
  Map::iterator Slot(UsageRollupKey key);

  const int64_t width_ms_;
  Map rollups_;
  Map::iterator last_ = rollups_.end();  // the roll-up Add() counted in last
};

}  // namespace bp::metering
