#pragma once
// ApiHandler: the http::Handler of the Bedrock endpoint. It owns the route
// table that the API modules (api/control, api/runtime) register their
// operations in, and runs every request through the same steps
// (auth.md: authenticate -> route -> ... -> serve):
//
//   1. Public routes (GET /healthz, GET /readyz, and any route registered
//      with `authenticate = false`) are matched on the raw path and answered
//      without authentication.
//   2. Every other request is authenticated through auth::Authenticator. A
//      failure answers the authenticator's error (403/400) before anything
//      about routes is revealed.
//   3. The RAW path (target up to '?') is split on '/' and each segment is
//      percent-decoded (core/uri.h), so an ARN sent as one encoded segment
//      stays one segment whatever the client's encoding. A bad escape is
//      400 ValidationException.
//   4. The segments are matched against the route table: (method, pattern)
//      where a pattern segment is a literal or a `{param}` capture matching
//      one non-empty segment. No pattern matches the path: 404
//      UnknownOperationException naming method and path. A pattern matches but
//      not for this method: 405 UnknownOperationException with `allow`.
//   5. A body larger than the route's limit: 413 ValidationException.
//   6. The operation runs inside exactly one catch-all: any exception becomes
//      500 InternalServerException (detail logged). Operations return
//      Result<http::Response>; a failed Result becomes ErrorResponse().
//   7. One access-log line per request at info level: request id, principal,
//      method, path, operation, status, latency in µs; for a route that
//      reports usage, also the call's usage (api/access_usage.h), the line
//      being written once both the answer and the usage are there.
//
// Each ApiCall carries the facts authorization reads (source address,
// transport, arrival time by the handler's clock), gathered once per request
// before authentication, so every decision of one request sees the same time.
//
// Thread-safety: register every route before the server starts; afterwards
// Handle() and ErrorResponse() only read the table and may run on any number
// of loop threads at once. Public header of bp_api.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "api/access_usage.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "core/clock.h"
#include "core/status.h"
#include "http/message.h"
#include "json/json.h"

namespace bp::api {

struct AccessEntry;  // api/access_log.h (private)

// One routed request, as operations see it.
struct ApiCall {
  http::Request request;            // the whole request, owned
  std::vector<std::string> params;  // decoded `{param}` captures, in pattern order
  auth::Principal principal;        // who is calling (authenticated)
  std::string_view operation;       // "GetInferenceProfile"; lives as long as the handler
  auth::RequestFacts facts;         // for the Authorizer: peer address, transport, arrival time
  // Whatever the handler's dependencies live in (serve: the config snapshot
  // the request started with), or null. Set for async operations only (a sync
  // one runs inside Handle(), which holds it); an AsyncOperation that works on
  // after returning must hold it until it last touches those dependencies.
  std::shared_ptr<const void> keep_alive;
  // Where the operation attaches its call's usage for the access line
  // (api/access_usage.h): set when the route reports usage
  // (RouteOptions::reports_usage) and the access log is on, else null.
  // Valid while the stream an async operation got lives (a sync one: until
  // it returns).
  AccessNote* access = nullptr;
};

// An operation that answers at once. A failed Result is turned into the
// error response of its Status (api/errors.h).
using SyncOperation = std::function<Result<http::Response>(const ApiCall& call)>;

// An operation that answers later or streams (InvokeModelWithResponseStream,
// ConverseStream). It owns `call` and must eventually answer `stream` exactly
// once (Respond(), or StartStream()..Finish()) on the stream's loop. The
// stream it gets writes the access-log line when the answer is complete.
// Work that outlives the call to the operation keeps `call.keep_alive`.
using AsyncOperation =
    std::function<void(ApiCall&& call, std::shared_ptr<http::ResponseStream> stream)>;

struct RouteOptions {
  // Requests whose body is larger answer 413 ValidationException.
  size_t max_body_bytes = size_t{1024} * 1024;
  // false only for public routes (health, metrics); they must reveal no secret.
  bool authenticate = true;
  // Set: the route authenticates with this instead of the handler's
  // authenticator (the dashboard's session cookie, api/dashboard). Such a
  // route is matched on its exact raw path, as a public one, and takes no
  // `{param}`; its failure answers the authenticator's error. Must outlive
  // the handler.
  const auth::Authenticator* authenticator = nullptr;
  // The operation attaches every call's usage to ApiCall::access (the
  // runtime's metered calls): the access line waits for it, so it is one
  // line with the answer's and the usage's fields.
  bool reports_usage = false;
};

struct ApiHandlerOptions {
  // /readyz answers 200 when this returns OK, else 503 with its message.
  // Empty means always ready.
  std::function<Status()> readiness;
  // When set, a ready /readyz answer carries what this returns as its
  // "details" member ({"status":"ready","details":{...}}). A public route:
  // the details must reveal no secret and nothing a denied caller may not
  // learn (serve gives counts, never names). Called on the loop thread, so
  // it must be cheap and never block.
  std::function<json::Object()> ready_details;
};

class ApiHandler final : public http::Handler {
 public:
  // `authenticator` and `clock` (latency for the access log) must outlive the
  // handler. Registers GET /healthz and GET /readyz.
  ApiHandler(const auth::Authenticator& authenticator, const Clock& clock,
             ApiHandlerOptions options = {});
  ApiHandler(const ApiHandler&) = delete;
  ApiHandler& operator=(const ApiHandler&) = delete;

  // Registers `operation` (its name, e.g. "CreateInferenceProfile") at
  // `method` + `pattern` ("/inference-profiles/{inferenceProfileIdentifier}").
  // Errors (kInternal; programming errors in the table): a malformed pattern,
  // a public route with `{param}`s, or a (method, pattern) already taken.
  Status Register(std::string_view method, std::string_view pattern, std::string operation,
                  SyncOperation fn, RouteOptions options = {});
  Status RegisterAsync(std::string_view method, std::string_view pattern, std::string operation,
                       AsyncOperation fn, RouteOptions options = {});

  // http::Handler
  void Handle(http::Request&& request, std::shared_ptr<http::ResponseStream> stream) override;
  // The same, with `keep_alive` (ApiCall::keep_alive) held until Handle()
  // returns and handed to an async operation: when the handler itself lives
  // in a snapshot that a reload may drop meanwhile, this is the reference
  // that keeps it (and what its routes use) alive for the whole request.
  // Costs no allocation; an async route adds one reference count.
  void Handle(http::Request&& request, std::shared_ptr<http::ResponseStream> stream,
              std::shared_ptr<const void> keep_alive);
  http::Response ErrorResponse(const Status& status, std::string_view request_id) override;

 private:
  struct Segment {
    std::string literal;  // empty for a capture
    bool capture = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    std::string operation;
    SyncOperation sync;  // exactly one of sync/async is set
    AsyncOperation async;
    RouteOptions options;
  };
  struct Match;
  struct InFlight;

  Status AddRoute(Route route);
  const Route* FindPublic(std::string_view method, std::string_view raw_path) const;
  Result<Match> Resolve(std::string_view method, std::string_view raw_path) const;
  void Dispatch(http::Request&& request, const std::shared_ptr<http::ResponseStream>& stream,
                InFlight& flight);
  // The route to serve `call` with (principal, params and operation filled
  // in), or the refusal to send: auth failure, 404, 405, 413.
  std::variant<const Route*, http::Response> Admit(ApiCall& call, AccessEntry& entry) const;
  void Answer(http::ResponseStream& stream, http::Response&& response, const AccessEntry& entry,
              const AccessUsage* usage = nullptr);
  http::Response Health() const;
  http::Response Ready() const;

  const ApiHandlerOptions options_;
  const auth::Authenticator& authenticator_;
  const Clock& clock_;
  std::vector<Route> routes_;  // written only before serving
  // The routes matched on their raw path (MatchedOnRawPath), by that path:
  // indices into routes_.
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<size_t>, PathHash, std::equal_to<>> raw_path_routes_;
};

}  // namespace bp::api
