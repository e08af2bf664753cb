#pragma once
// Metrics: the process's counters and histograms of runtime calls, rendered
// in the Prometheus text exposition format (version 0.0.4) for GET /metrics.
// A UsageSink: the runtime hands it one UsageRecord per call, as it hands one
// to the ledger. Public header of bp_metering (docs/metrics.md lists every
// family, label and bucket).
//
// Series. Every record lands in the series of its key
//   (profile, model, operation, serving region, status class)
// where status class is "cancelled" (status 0: the client went away before
// any answer, or a stream cut short without an error code), else "2xx",
// "4xx" or "5xx" from the HTTP status answered (a stream that failed after
// its 200 stays "2xx"; its error code is counted in errors_total). Each
// series holds: calls, the four token counts, cost (micro-USD, exposed in
// USD), calls per error code, and histograms of latency, time to first token
// and tokens per call (input, output). Families rendered:
//   bedrock_profiles_requests_total, bedrock_profiles_tokens_total{type},
//   bedrock_profiles_cost_usd_total, bedrock_profiles_errors_total{code},
//   gen_ai_client_token_usage, gen_ai_server_request_duration_seconds,
//   gen_ai_server_time_to_first_token_seconds (OpenTelemetry GenAI semantic
//   conventions, their recommended buckets, gen_ai_provider_name
//   "aws.bedrock"; CountTokens is not a generation and is left out of the
//   gen_ai_* families), bedrock_profiles_metrics_overflow_total, and every
//   family registered with AddCallback (gauges and counters read at render
//   time: region circuits, ledger queue, quotas, budgets).
//
// Cardinality bound. Label values never come from a client: a profile,
// model or region label is "-" unless its name was passed to Allow() (serve:
// the config's profiles and regions, the catalog's models), an error code
// outside MetricsOptions::error_codes is "other", and operation and status
// class are closed sets. Allow() only adds (a reload may add names; existing
// series stay), each table holding at most kMaxLabelValues names. The number
// of series is at most
//   profiles x models x regions x 5 operations x 4 status classes
// and never more than MetricsOptions::max_series: once that many exist, a
// record with a new key is counted in the series whose profile, model and
// region are "-" (and in bedrock_profiles_metrics_overflow_total).
//
// Thread-safety: every method may run on any thread at once. Record() takes
// a shared lock on the label tables for three hash lookups and one of 16
// shard mutexes for one hash lookup (neither grows with the number of
// series), then updates the series with relaxed atomics; it allocates only
// when it creates a series. RenderText() locks each shard in turn and reads
// the atomics (a render racing a Record may see a call's count before its
// tokens). Callbacks run inside RenderText() under the callbacks' mutex and
// must not call back into Metrics.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "metering/usage_record.h"

namespace bp::metering {

// The OpenTelemetry GenAI conventions' recommended bucket boundaries
// (semantic-conventions gen-ai-metrics.md), in the recorded unit.
inline constexpr std::array<double, 14> kTokenBuckets = {
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
inline constexpr std::array<double, 14> kDurationBuckets = {  // seconds
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
inline constexpr std::array<double, 16> kTimeToFirstTokenBuckets = {  // seconds
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0};

// Most names one label table (profiles, models or regions) holds.
inline constexpr size_t kMaxLabelValues = 4096;

struct MetricsOptions {
  // Error codes counted under their own name (the wire's error types:
  // "ThrottlingException", ...); any other code is counted as "other".
  std::vector<std::string> error_codes;
  size_t max_series = 10'000;
};

// Label values allowed to appear (see "Cardinality bound").
struct AllowedLabels {
  std::vector<std::string> profiles;
  std::vector<std::string> models;
  std::vector<std::string> regions;
};

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  Labels labels;
  double value = 0;
};

enum class MetricType : uint8_t { kCounter, kGauge };

// Read at render time; returns the family's samples (may be empty).
using SampleSource = std::function<std::vector<Sample>()>;

// "2xx", "4xx", "5xx" or "cancelled" for `record` (see "Series").
std::string_view StatusClass(const UsageRecord& record);

class Metrics final : public UsageSink {
 public:
  explicit Metrics(MetricsOptions options = {});
  ~Metrics() override;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Adds names to the allowed label values (empty names are ignored).
  void Allow(const AllowedLabels& allowed);

  // The profile, model and region label values a call with these names is
  // counted under ("-" for a name not allowed): for families registered
  // with AddCallback that follow the per-call series' labels.
  struct SeriesNames {
    std::string profile;
    std::string model;
    std::string region;
  };
  SeriesNames LabelsFor(std::string_view profile, std::string_view model,
                        std::string_view region) const;

  // UsageSink: Observe(record).
  void Record(const UsageRecord& record) override;
  // Counts `record` (it is not kept): what a sink that also stores the
  // record elsewhere (the ledger) calls first.
  void Observe(const UsageRecord& record);

  // Registers a family read at render time. `name` must be a valid metric
  // name ([a-zA-Z_:][a-zA-Z0-9_:]*) not taken by another family, a counter's
  // ending in "_total"; every sample's label names must be valid
  // ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"; checked at render, a
  // bad sample is dropped). Errors: kInternal (a programming error).
  Status AddCallback(std::string name, std::string help, MetricType type, SampleSource source);
  Status AddGauge(std::string name, std::string help, SampleSource source) {
    return AddCallback(std::move(name), std::move(help), MetricType::kGauge, std::move(source));
  }

  // The whole exposition (text format 0.0.4): HELP and TYPE lines, one line per sample,
  // histograms as _bucket{le} (cumulative, ending in +Inf), _sum and _count.
  // Families in a fixed order, series sorted by their labels.
  std::string RenderText() const;

 private:
  struct Series;
  struct Shard;
  struct Callback;
  struct LabelTable {
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, uint16_t, Hash, std::equal_to<>> index;  // name -> 1..
    std::vector<std::string> names = {"-"};                                  // [0] = "-"
    uint16_t Find(std::string_view name) const;
    void Add(const std::string& name);
  };

  Series& SeriesFor(uint64_t key);

  const MetricsOptions options_;
  std::vector<std::string> error_codes_;  // options_.error_codes + "other" (last)
  std::unordered_map<std::string, uint16_t, LabelTable::Hash, std::equal_to<>> code_index_;

  mutable std::shared_mutex labels_mu_;
  LabelTable profiles_;
  LabelTable models_;
  LabelTable regions_;

  std::unique_ptr<Shard[]> shards_;
  std::atomic<size_t> series_count_{0};
  std::atomic<uint64_t> overflow_{0};

  mutable std::mutex callbacks_mu_;
  std::vector<Callback> callbacks_;
};

}  // namespace bp::metering
