#pragma once
// One runtime call as the usage ledger, the metrics and the budgets see it
// (issue 15): who called which profile, where it was served, what it
// produced and what it cost. Knows no wire format; the runtime service fills
// one in per call, whatever the outcome (success, error, throttle, a client
// that went away), and hands it to a UsageSink. No prompt or answer text is
// ever part of it. Public header of bp_metering.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/tags.h"

namespace bp::metering {

// The runtime operation a record is for.
enum class Operation : uint8_t {
  kInvokeModel,
  kInvokeModelWithResponseStream,
  kConverse,
  kConverseStream,
  kCountTokens,
};

// "InvokeModel", "InvokeModelWithResponseStream", "Converse",
// "ConverseStream", "CountTokens".
std::string_view OperationName(Operation op);
// The operation whose OperationName is `name`, if any.
std::optional<Operation> OperationFromName(std::string_view name);

// Token counts as Bedrock reports them: `input` excludes the cache reads and
// writes (the whole input is input + cache_read + cache_write).
struct TokenCounts {
  int64_t input = 0;
  int64_t output = 0;
  int64_t cache_read = 0;
  int64_t cache_write_5m = 0;
  int64_t cache_write_1h = 0;

  int64_t cache_write() const { return cache_write_5m + cache_write_1h; }
  TokenCounts& operator+=(const TokenCounts& other) {
    input += other.input;
    output += other.output;
    cache_read += other.cache_read;
    cache_write_5m += other.cache_write_5m;
    cache_write_1h += other.cache_write_1h;
    return *this;
  }
  bool operator==(const TokenCounts&) const = default;
};

struct UsageRecord {
  int64_t time_ms = 0;  // when the call arrived, ms since the Unix epoch
  std::string request_id;
  std::string principal;       // the caller's principal ARN ("" when unauthenticated)
  std::string profile_name;    // "" when the call never resolved a profile
  std::string profile_arn;     // as resolved (the application profile's ARN)
  std::string model_id;        // foundation model ("" when unresolved)
  std::string source_region;   // the endpoint's own region
  std::string serving_region;  // the region that answered ("" when none did)
  int32_t attempts = 0;        // regions tried
  Operation operation = Operation::kConverse;
  int32_t status = 0;      // HTTP status answered; 0: the client went away before any answer
  std::string error_code;  // "ThrottlingException", ...; "" on success
  // A stream whose client went away, or that failed after its first byte:
  // counted from what was actually produced.
  bool cut_short = false;
  TokenCounts tokens;
  // Some figure of `tokens` is the endpoint's local estimate, not the
  // model's report: an OpenAI-compatible upstream that sent no usage
  // (backends::Usage::estimated), or a stream cut short whose input count
  // such a backend estimated at its start. Figures the runtime counts itself
  // for a call cut short (one token per output delta) are marked by
  // cut_short, not by this.
  bool tokens_estimated = false;
  int64_t latency_ms = 0;    // arrival to the last byte
  int64_t ttft_ms = -1;      // arrival to the first token; -1 when none came
  std::string service_tier;  // "" when the call asked for none
  std::vector<std::pair<std::string, std::string>> request_metadata;  // <= 16 pairs
  Tags tags;  // the profile's merged tags when the call was admitted
  // Cost, computed once when the record is made (metering/prices.h), in
  // millionths of a US dollar, never negative; and the version of the price
  // table used ("" when the call costs nothing: no tokens; "unpriced" when
  // its model had no price, so the 0 is not mistaken for a real cost).
  int64_t cost_micro_usd = 0;
  std::string price_version;
};

// Where the runtime puts its records. Record() never blocks on I/O and may
// be called from any thread (every event loop) at once. It copies what it
// keeps: the caller's record stays the caller's (the runtime hands its
// strings on to the access line afterwards, api/access_usage.h).
class UsageSink {
 public:
  virtual ~UsageSink() = default;
  virtual void Record(const UsageRecord& record) = 0;
};

}  // namespace bp::metering
