#pragma once
// The client side of GET /usage (api/usage_route.h): the usage report of a
// running bedrock-profiles endpoint, as the JSON text the endpoint answers
// (metering::RenderJson's document; the CLI parses it back with
// metering::ParseUsageReportJson, a module this one does not depend on).
// Public header of bp_api_client. Thread-safety: as BedrockClient.

#include <cstdint>
#include <string>
#include <vector>

#include "api/client/bedrock_client.h"
#include "core/status.h"

namespace bp::api::client {

struct UsageReportRequest {
  std::vector<std::string> by;  // dimension names as `--by` takes them, in order
  int64_t from_ms = 0;          // window start, ms since the epoch (inclusive)
  int64_t to_ms = 0;            // window end (exclusive)
};

// "by=profile&by=tag%3Ateam&from=2026-12-01T00%3A00%3A00.000Z&to=...": the
// window sent to the millisecond (RFC 3339 UTC), so the endpoint reports
// exactly the window the caller resolved.
std::string UsageReportQuery(const UsageReportRequest& request);

// GET /usage signed as `client` signs. A 2xx answer's body (the report's
// JSON text); any other answer is ServiceErrorStatus() ("AccessDeniedException:
// User: ... is not authorized to perform: bedrock-profiles:GetUsage ...");
// transport failures as BedrockClient::Send.
Result<std::string> FetchUsageReport(const BedrockClient& client,
                                     const UsageReportRequest& request);

}  // namespace bp::api::client
