#pragma once
// GET /usage: the usage report of the endpoint's ledger (docs/metering.md
// "The read API"), the JSON document `usage --json` prints
// (metering::RenderJson). Public header of bp_api.
//
//   GET /usage?by=profile&by=tag:team&since=7d
//   GET /usage?by=principal&from=2026-12-01&to=2026-12-02T00:00:00Z
//
// Parameters (names case-sensitive; values percent-decoded, '+' literal as
// SigV4 canonicalises it; SigV4 presigning's X-Amz-* are ignored):
//   by     repeatable, at most kMaxUsageDimensions: profile, principal,
//          model, region, operation, tag:KEY, metadata:KEY
//   since  a duration ending now (30m, 24h, 7d, 90d, 2w), or
//   from   window start, ISO 8601 as `usage --from` takes it
//   to     window end, exclusive (default: now); needs no `from`
// Default window: the last 24 hours. Anything else (an unknown or repeated
// parameter, since with from/to, to not after from) is 400
// ValidationException naming it.
//
// Authentication is ApiHandler's (SigV4 scoped to the endpoint's region and
// service "bedrock", or a Bedrock API key). Authorization: IAM must allow
// kGetUsageAction on the resource `UsageResourceArn(region, account)`, with
// the condition key kUsageDimensionsKey holding the `by` names asked for
// (multi-valued; empty without `by`), so a policy can limit what a caller may
// group by. The shipped `platform-admin` is allowed; `bedrock:*` does not
// cover it.
//
// The ledger is read on `worker` (WorkerPool: SQLite never runs on a loop
// thread); the answer is posted back to the request's loop
// (EventLoop::Post). A full queue answers 429 ThrottlingException at once; a
// client gone by then gets nothing (the answer is dropped on its loop); a
// pool that stops before the query ran answers 503 ServiceUnavailable.
// No ledger yet (the source fails kResourceNotFound) is an empty report.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/router.h"
#include "auth/authorizer.h"
#include "core/status.h"
#include "core/worker_pool.h"
#include "metering/usage_report.h"

namespace bp::api {

inline constexpr std::string_view kGetUsageAction = "bedrock-profiles:GetUsage";
inline constexpr std::string_view kUsageDimensionsKey = "bedrock-profiles:UsageDimensions";
inline constexpr size_t kMaxUsageDimensions = 16;

// "arn:aws:bedrock-profiles:<region>:<account>:usage": the one resource
// GetUsage is authorized on (this endpoint's ledger).
std::string UsageResourceArn(std::string_view region, std::string_view account_id);

// One report request, as the ledger is asked.
struct UsageQuery {
  std::vector<metering::Dimension> dimensions;  // in `by` order
  int64_t from_ms = 0;                          // inclusive, ms since the epoch
  int64_t to_ms = 0;                            // exclusive
};

// ISO 8601 text -> µs since the epoch, nullopt when it is not a time
// (serve: auth::iam::ParseTimestampMicros, the parser `usage --from` uses).
using TimeParser = std::function<std::optional<int64_t>(std::string_view)>;

// The parameters above, from the raw query (after '?'), the window's "now"
// being `now_ms`. kValidation as described above.
Result<UsageQuery> ParseUsageQuery(std::string_view raw_query, int64_t now_ms,
                                   const TimeParser& parse_time);

// Reads the ledger: blocking, called on the worker only (serve:
// storage::sqlite::QueryUsage of the state directory). kResourceNotFound
// when there is no ledger yet; any other failure is answered as its code
// (kIo: 500, message hidden).
using UsageSource = std::function<Result<metering::UsageReport>(const UsageQuery&)>;

struct UsageRouteOptions {
  std::string resource_arn;  // UsageResourceArn of the config's region and account
  TimeParser parse_time;
};

// Everything must outlive the handler; `source` must be thread-safe (the
// pool's threads call it at once).
struct UsageRouteDeps {
  UsageSource source;
  WorkerPool& worker;
  const auth::Authorizer& authorizer;
};

// Registers GET /usage on `handler` (operation "GetUsage", no body).
Status RegisterUsageRoute(ApiHandler& handler, UsageRouteOptions options, UsageRouteDeps deps);

}  // namespace bp::api
