#pragma once
// The `usage` report (issue 15): usage records grouped by any mix of
// dimensions, with requests, errors, throttles, the four token counts,
// latency and time-to-first-token percentiles and cost per group, plus a
// totals row; rendered as an aligned table, JSON or CSV. Pure: the caller
// feeds records (from the ledger) and prints the text. Public header of
// bp_metering.
//
// Dimensions (`--by`): profile, principal, model, region (the serving
// region; "-" for a call no region served), operation, tag:KEY (the
// profile's tag KEY as it was when the call ran; "-" when absent) and
// metadata:KEY (the caller's requestMetadata KEY; "-" when absent). Groups
// are sorted by cost, then requests (both descending), then keys.
// Percentiles are nearest-rank over the group's calls; TTFT only over calls
// that produced a first token. A group that counts hourly roll-ups
// (usage_rollup.h) has its percentiles estimated from the roll-ups'
// histograms (with its raw records added to them): within 1/32 of the
// nearest-rank value, exact below 16 ms; the report says so
// (percentiles_estimated). Counts, tokens and cost are exact either way. Errors count calls
// answered with an error (any error code, throttles included); throttles count ThrottlingException.
// Estimated counts calls whose token counts are the endpoint's local estimate
// (the upstream reported no usage). Cost sums the records' cost_micro_usd.
//
// Thread-compatible: one aggregator per report.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "metering/usage_record.h"
#include "metering/usage_rollup.h"

namespace bp::metering {

struct Dimension {
  enum class Kind : uint8_t { kProfile, kPrincipal, kModel, kRegion, kOperation, kTag, kMetadata };
  Kind kind = Kind::kProfile;
  std::string key;  // kTag, kMetadata

  // "profile", "tag:team", ... as given to --by.
  std::string Name() const;
};

// "profile" | "principal" | "model" | "region" | "operation" | "tag:KEY" |
// "metadata:KEY". kValidation naming the choices otherwise.
Result<Dimension> ParseDimension(std::string_view text);

// The group `d` puts a record or a roll-up in: its value of the dimension,
// "-" when it has none (a roll-up has no metadata: always "-").
std::string DimensionValue(const Dimension& d, const UsageRecord& record);
std::string DimensionValue(const Dimension& d, const UsageRollupKey& key);

struct UsageGroup {
  std::vector<std::string> keys;  // one per dimension, in --by order
  int64_t requests = 0;
  int64_t errors = 0;
  int64_t throttles = 0;
  int64_t estimated = 0;  // calls whose tokens are local estimates (UsageRecord::tokens_estimated)
  TokenCounts tokens;
  int64_t cost_micro_usd = 0;
  int64_t latency_p50_ms = 0;
  int64_t latency_p99_ms = 0;
  int64_t ttft_p50_ms = -1;  // -1: no call produced a token
  int64_t ttft_p99_ms = -1;
};

struct UsageReport {
  std::vector<Dimension> dimensions;
  std::vector<UsageGroup> groups;
  UsageGroup total;  // keys empty
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  // Some group counts hourly roll-ups, so its p50/p99 are estimates (see
  // above); false when every figure came from raw records.
  bool percentiles_estimated = false;
  // Raw records (the only source of metadata:KEY and of exact percentiles)
  // exist from this time on; older ones expired (raw retention). 0: none
  // has expired.
  int64_t raw_from_ms = 0;
  // What the report could not answer from the data kept, in words (e.g. a
  // metadata:KEY window reaching past the raw records); empty when whole.
  std::vector<std::string> notes;
};

class UsageAggregator final {
 public:
  explicit UsageAggregator(std::vector<Dimension> dimensions);
  void Add(const UsageRecord& record);
  // Adds an hour's roll-up: its figures go to the group of its key, its
  // histograms make that group's percentiles estimates. A metadata:KEY
  // dimension reads "-" for it (roll-ups keep no metadata; the ledger never
  // mixes them into such a report).
  void AddRollup(const UsageRollup& rollup);
  UsageReport Finish(int64_t from_ms, int64_t to_ms) &&;

 private:
  struct Acc {
    UsageGroup group;
    std::vector<int64_t> latencies;
    std::vector<int64_t> ttfts;
    HistogramAccumulator latency_histogram;  // used once `estimated`
    HistogramAccumulator ttft_histogram;
    bool estimated = false;
  };
  static void AddTo(Acc& acc, const UsageRecord& record);
  static void AddTo(Acc& acc, const UsageRollup& rollup);
  static void Close(Acc& acc);

  std::vector<Dimension> dimensions_;
  std::map<std::vector<std::string>, Acc> groups_;
  Acc total_;
};

// An aligned text table with a header row, one row per group and a TOTAL row;
// a line below says how many calls were counted with local token estimates
// (when any were; no column, as most reports have none), and a last line
// when the percentiles are estimates. (Notes are the caller's to print, e.g.
// on stderr.)
std::string RenderTable(const UsageReport& report);
// {"from","to","by":[..],"groups":[{"keys":{dim: value},...figures}],"total":{...},
// (figures include "estimated", the count of calls with estimated tokens)
// "percentiles":"exact"|"estimated","raw_from":T|null,"notes":[..]} with cost
// as a decimal USD number ("cost_usd").
std::string RenderJson(const UsageReport& report);
// RFC 4180 CSV: a header row, the groups, then a TOTAL row; the table's
// figures, then an "estimated" column (last, so older column positions hold).
std::string RenderCsv(const UsageReport& report);

// A duration such as "90d", "24h", "30m", "45s" or "2w" (one positive
// integer and a unit), in milliseconds. kValidation otherwise.
Result<int64_t> ParseDurationMs(std::string_view text);

// "12.345678": micro-USD as USD with six decimals.
std::string FormatUsd(int64_t micro_usd);

}  // namespace bp::metering

namespace bp::metering {

// The inverse of RenderJson: the report a `RenderJson` document describes
// (GET /usage answers one; `usage --endpoint` renders it locally, so every
// format prints byte for byte what `usage --state` prints for the same
// report). "from"/"to" in RenderJson's form (seconds: from_ms and to_ms come
// back as whole seconds), "by" names each a dimension as ParseDimension
// takes it, each group has a "keys" member with every dimension's name (a
// repeated dimension shares its one key) and every figure RenderJson writes
// ("latency_p50_ms" ... null for none; "estimated" optional, 0 when absent,
// as from an endpoint older than the field; "cache_write_tokens" equal to the
// 5m and 1h parts, "cost_usd" equal to FormatUsd(cost_micro_usd)). Members
// it does not know are ignored. Errors: kValidation naming the JSON path
// ("$.groups[2].requests: expected an integer").
Result<UsageReport> ParseUsageReportJson(std::string_view text);

}  // namespace bp::metering
