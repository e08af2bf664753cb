#pragma once
// What the dashboard's route files share. Private to bp_api_dashboard.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/dashboard/dashboard.h"
#include "http/message.h"
#include "json/json.h"

namespace bp::api::dashboard {

struct Context {
  DashboardOptions options;
  DashboardDeps deps;
};

// Whose calls a usage read may see.
struct Scope {
  bool all = false;
  std::string principal_arn;  // when !all: the caller's
};

// GetUsage, else GetOwnUsage on the usage ARN, else the GetUsage denial.
Result<Scope> UsageScope(const Context& ctx, const ApiCall& call);

// A 200 JSON answer with the dashboard's headers (no-store, nosniff).
http::Response JsonAnswer(const json::Value& body);
// The headers every dashboard answer carries (CSP, nosniff, framing).
void AddSecurityHeaders(http::Headers& headers);

// The query's parameters; kValidation for a malformed query, an unknown or
// a repeated name.
using QueryParams = std::vector<std::pair<std::string, std::string>>;
Result<QueryParams> ParseParams(std::string_view raw_query,
                                std::initializer_list<std::string_view> allowed);
std::optional<std::string_view> Param(const QueryParams& params, std::string_view name);

// USD as a JSON number from micro-USD.
double Usd(int64_t micro_usd);

// The ledger's routes (data_api.cc): usage, health, requests.
Status RegisterLedgerRoutes(ApiHandler& handler, const std::shared_ptr<const Context>& ctx);

}  // namespace bp::api::dashboard
