#pragma once
// The dashboard served under /ui/ (docs/dashboard.md): the embedded pages
// and their data API. Public header of bp_api_dashboard.
//
// Every data route is authorized with the Bedrock API's IAM policies, for
// read-only actions (docs/dashboard.md "Pages"): Profiles
// bedrock:ListInferenceProfiles on "*"; Usage and Requests
// bedrock-profiles:GetUsage on the usage ARN (every call) or, failing that,
// kGetOwnUsageAction there (the caller's own calls only); Health
// kGetHealthAction on HealthResourceArn; Access kSimulateAction on the
// simulated principal's ARN.
//
// The ledger's reads are blocking: they run on `worker` (api/worker_answer.h)
// through the functions serve hands in (LedgerReads), never on a loop. The
// in-memory answers (profiles, sessions, access) run on the loop.
//
// Thread-safety: Register before serving; the routes then run on any loop.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/dashboard/session_auth.h"
#include "api/dashboard/session_store.h"
#include "api/router.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "core/clock.h"
#include "core/status.h"
#include "core/worker_pool.h"
#include "metering/budgets.h"
#include "metering/usage_record.h"
#include "metering/usage_rollup.h"
#include "routing/router.h"
#include "storage/caching_store.h"

namespace bp::api::dashboard {

inline constexpr std::string_view kListProfilesAction = "bedrock:ListInferenceProfiles";
inline constexpr std::string_view kGetOwnUsageAction = "bedrock-profiles:GetOwnUsage";
inline constexpr std::string_view kGetHealthAction = "bedrock-profiles:GetHealth";
inline constexpr std::string_view kSimulateAction = "bedrock-profiles:SimulatePrincipalPolicy";

// "arn:aws:bedrock-profiles:<region>:<account>:health".
std::string HealthResourceArn(std::string_view region, std::string_view account_id);

// The sessions and the two authenticators of the data routes: made once by
// serve (sessions outlive config reloads), lent to every snapshot's routes.
class DashboardSessions final {
 public:
  DashboardSessions(SessionOptions options, const Clock& clock)
      : store_(options, clock), with_csrf_(store_, true), without_csrf_(store_, false) {}
  SessionStore& store() { return store_; }
  const auth::Authenticator& with_csrf() const { return with_csrf_; }
  const auth::Authenticator& without_csrf() const { return without_csrf_; }

 private:
  SessionStore store_;
  SessionAuthenticator with_csrf_;
  SessionAuthenticator without_csrf_;
};

enum class RollupGrain : uint8_t { kMinute, kHour, kDay };

// Which of the ledger's latest calls the Requests page asks for.
struct RecordFilter {
  std::string profile_name;  // empty: any
  std::string principal_arn;
  std::string serving_region;
  enum class Outcome : uint8_t { kAny, kOk, kError, kThrottled };
  Outcome outcome = Outcome::kAny;
};

// The ledger's reads (blocking; called on the worker only, from several of
// its threads at once). kResourceNotFound: no ledger yet (an empty answer).
struct LedgerReads {
  // Every roll-up of `grain` starting in [from_ms, to_ms); `principal_arn`
  // non-empty: that principal's only.
  std::function<Status(RollupGrain grain, int64_t from_ms, int64_t to_ms,
                       std::string_view principal_arn,
                       const std::function<void(const metering::UsageRollup&)>& fn)>
      rollups;
  // At most `limit` matching calls, newest first.
  std::function<Result<std::vector<metering::UsageRecord>>(const RecordFilter& filter,
                                                           size_t limit)>
      latest;
  // How long minute roll-ups are kept (older windows use hourly ones).
  int64_t minute_rollups_kept_ms = 48 * metering::kHourMs;
};

struct PrincipalEntry {
  std::string name;
  std::string arn;
};

struct DashboardOptions {
  std::string region;
  std::string account_id;
  std::vector<PrincipalEntry> principals;  // as configured (Access page)
  std::string usage_arn;                   // api::UsageResourceArn
};

// Everything must outlive the handler.
struct DashboardDeps {
  DashboardSessions& sessions;
  const auth::Authenticator& authenticator;  // the Bedrock API's: sign-in
  const auth::Authorizer& authorizer;
  const storage::CachingProfileStore& profiles;
  const routing::Router& router;
  const metering::Budgets* budgets = nullptr;  // null: none configured
  const Clock& clock;
  LedgerReads ledger;            // unset functions: no ledger (usage answers are empty)
  WorkerPool* worker = nullptr;  // null: the ledger's pages answer 503
};

// Registers GET /ui, the pages and assets, and /ui/api/*.
Status RegisterDashboard(ApiHandler& handler, DashboardOptions options, DashboardDeps deps);

}  // namespace bp::api::dashboard
