#pragma once
// The usage of one runtime call as its access-log line carries it
// (docs/metering.md "The access log"), and the seam an operation hands it
// through. bp_api knows no metering types: api/runtime fills an AccessUsage
// in from the call's metering::UsageRecord, the same record the ledger keeps,
// so the line and the ledger agree field for field. Public header of bp_api.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/tags.h"

namespace bp::api {

struct AccessUsage {
  std::string profile_name;  // "" when the call never resolved a profile
  std::string profile_arn;
  std::string model_id;        // foundation model
  std::string source_region;   // the endpoint's own region
  std::string serving_region;  // the region that answered ("" when none did)
  int32_t attempts = 0;        // regions tried
  std::string error_code;      // wire error type, "ClientDisconnected"; "" on success
  bool cut_short = false;      // a stream that ended early
  int64_t input_tokens = 0;    // excludes cache reads and writes, as Bedrock's inputTokens
  int64_t output_tokens = 0;
  int64_t cache_read_tokens = 0;
  int64_t cache_write_tokens = 0;  // 5-minute + 1-hour writes
  bool tokens_estimated = false;   // the token counts are the endpoint's local estimate
  int64_t ttft_ms = -1;            // arrival to the first token; -1: none came
  std::string service_tier;        // "" when the call asked for none
  int64_t cost_micro_usd = 0;
  std::string price_version;  // "" (no tokens), "unpriced", or the price table's version
  std::vector<std::pair<std::string, std::string>> request_metadata;  // <= 16 pairs
  Tags tags;  // the profile's merged tags when the call was admitted
};

// Where an operation hands its call's usage (ApiCall::access). The request's
// access line is written once its answer is complete AND the usage arrived
// (or, failing that, when the request ends), so it is one line with both.
// Call Attach at most once, on the loop thread of the request.
class AccessNote {
 public:
  virtual void Attach(AccessUsage&& usage) = 0;

 protected:
  ~AccessNote() = default;
};

}  // namespace bp::api
