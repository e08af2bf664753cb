#pragma once
// GET /metrics: the process's metering::Metrics in the Prometheus text format
// (docs/metrics.md). Registered as a public route of ApiHandler (no SigV4
// demanded up front) that makes its own access decision, so that a local
// scraper needs no credentials while nobody else reads it unauthorised:
//
//   1. The endpoint listens on a loopback address and the peer is loopback
//      (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104): allowed, no signature.
//      A non-loopback listener never opens by peer address alone: a reverse
//      proxy on the same host would make every outside caller look local.
//   2. `Authorization: Bearer <token>` equal (constant-time) to the
//      configured metrics token (config `metrics.bearer_token[_env]`):
//      allowed.
//   3. Otherwise the request is authenticated like any other (SigV4, or a
//      Bedrock API key as Bearer) and the principal must be allowed
//      `bedrock-profiles:GetMetrics` on resource "*" by IAM. Refusals are the
//      authenticator's (403 MissingAuthenticationToken, ...) or IAM's
//      AccessDenied, with the usual error body.
//
// The exposition holds counts, names from the config and catalog (profiles,
// models, regions) and error type names: no secret, no principal, no prompt.
// Public header of bp_api.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/router.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::api {

inline constexpr std::string_view kGetMetricsAction = "bedrock-profiles:GetMetrics";
// The Prometheus text exposition format, version 0.0.4.
inline constexpr std::string_view kPrometheusTextType = "text/plain; version=0.0.4; charset=utf-8";

struct MetricsAccess {
  bool loopback_listener = false;  // the endpoint listens on a loopback address only
  std::string bearer_token;        // "" when none is configured
  const auth::Authenticator& authenticator;
  const auth::Authorizer& authorizer;
};

// 127.0.0.0/8, ::1, and IPv4-mapped 127.0.0.0/8; false for anything unparsable.
bool IsLoopbackPeer(std::string_view address);

// Every error type of the wire's table (api/errors.h: "ValidationException",
// "ThrottlingException", ...): serve's metering::MetricsOptions::error_codes, so the
// metrics count these by name and anything else as "other".
std::vector<std::string> MetricsErrorCodes();

// The decision above for `request` (facts: its RequestFacts, as gathered by
// ApiHandler). OK: serve the metrics.
Status AuthorizeMetricsRequest(const http::Request& request, const auth::RequestFacts& facts,
                               const MetricsAccess& access);

// Registers GET /metrics on `handler`, answering what `render` returns
// (serve: metering::Metrics::RenderText of the process's metrics) as
// kPrometheusTextType. `render`, and `access`'s authenticator and authorizer,
// must outlive the handler; `render` runs on the loop thread.
Status RegisterMetricsRoute(ApiHandler& handler, std::function<std::string()> render,
                            MetricsAccess access);

}  // namespace bp::api
