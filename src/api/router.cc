#include "api/router.h"

#include <exception>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

#include "api/access_log.h"
#include "api/errors.h"
#include "core/uri.h"
#include "json/json.h"

namespace bp::api {

// The outcome of matching a decoded path: a route with its captures, or, when
// only the method is wrong, the methods the path allows.
struct ApiHandler::Match {
  const Route* route = nullptr;
  std::vector<std::string> params;
  std::vector<std::string> allowed;
};

namespace {

// Public routes and those with their own authenticator are found by their
// exact raw path, before (and instead of) the handler's authentication.
bool MatchedOnRawPath(const RouteOptions& options) {
  return !options.authenticate || options.authenticator != nullptr;
}

bool IsCaptureName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ApiHandler::ApiHandler(const auth::Authenticator& authenticator, const Clock& clock,
                       ApiHandlerOptions options)
    : options_(std::move(options)), authenticator_(authenticator), clock_(clock) {
  RouteOptions open{.max_body_bytes = 0, .authenticate = false};
  Status health = Register(
      "GET", "/healthz", "Health", [this](const ApiCall&) { return Result(Health()); }, open);
  Status ready = Register(
      "GET", "/readyz", "Ready", [this](const ApiCall&) { return Result(Ready()); }, open);
  BP_ASSERT(health.ok() && ready.ok());
  (void)health;
  (void)ready;
}

Status ApiHandler::Register(std::string_view method, std::string_view pattern,
                            std::string operation, SyncOperation fn, RouteOptions options) {
  Route route{.method = std::string(method),
              .pattern = std::string(pattern),
              .operation = std::move(operation),
              .sync = std::move(fn),
              .options = options};
  return AddRoute(std::move(route));
}

Status ApiHandler::RegisterAsync(std::string_view method, std::string_view pattern,
                                 std::string operation, AsyncOperation fn, RouteOptions options) {
  Route route{.method = std::string(method),
              .pattern = std::string(pattern),
              .operation = std::move(operation),
              .async = std::move(fn),
              .options = options};
  return AddRoute(std::move(route));
}

Status ApiHandler::AddRoute(Route route) {
  std::string_view p = route.pattern;
  if (route.method.empty() || p.size() < 2 || p.front() != '/') {
    return InternalError("route pattern '" + route.pattern +
                         "' must start with '/' and name a path");
  }
  p.remove_prefix(1);
  while (true) {
    size_t slash = p.find('/');
    std::string_view seg = p.substr(0, slash);
    Segment segment;
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      if (!IsCaptureName(seg.substr(1, seg.size() - 2))) {
        return InternalError("route pattern '" + route.pattern + "' has a bad capture");
      }
      segment.capture = true;
    } else if ((seg.empty() &&
                !(slash == std::string_view::npos && MatchedOnRawPath(route.options))) ||
               seg.find_first_of("{}%") != std::string_view::npos) {
      // (An empty last segment, "/ui/", only for a route matched on its
      // raw path: the segments of a request path are never empty.)
      return InternalError("route pattern '" + route.pattern + "' has a bad segment");
    } else {
      segment.literal = std::string(seg);
    }
    route.segments.push_back(std::move(segment));
    if (slash == std::string_view::npos) break;
    p.remove_prefix(slash + 1);
  }
  if (MatchedOnRawPath(route.options)) {
    for (const Segment& s : route.segments) {
      if (s.capture) return InternalError("public route '" + route.pattern + "' has a capture");
    }
  }
  for (const Route& other : routes_) {
    if (other.method != route.method || other.segments.size() != route.segments.size()) continue;
    bool same = true;
    for (size_t i = 0; i < other.segments.size() && same; ++i) {
      same = other.segments[i].capture == route.segments[i].capture &&
             other.segments[i].literal == route.segments[i].literal;
    }
    if (same) {
      return InternalError("route " + route.method + " " + route.pattern + " is already taken by " +
                           other.operation);
    }
  }
  if (MatchedOnRawPath(route.options)) {
    raw_path_routes_[route.pattern].push_back(routes_.size());
  }
  routes_.push_back(std::move(route));
  return Status::Ok();
}

const ApiHandler::Route* ApiHandler::FindPublic(std::string_view method,
                                                std::string_view raw_path) const {
  // One hash lookup, however many such routes (the dashboard has a dozen).
  auto it = raw_path_routes_.find(raw_path);
  if (it == raw_path_routes_.end()) return nullptr;
  for (size_t index : it->second) {
    if (routes_[index].method == method) return &routes_[index];
  }
  return nullptr;
}

Result<ApiHandler::Match> ApiHandler::Resolve(std::string_view method,
                                              std::string_view raw_path) const {
  auto decoded = SplitAndDecodePath(raw_path);
  if (!decoded.ok()) {
    return ValidationError("Malformed request path: " + decoded.status().message());
  }
  const std::vector<std::string>& segments = *decoded;
  Match match;
  for (const Route& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    bool fits = true;
    for (size_t i = 0; i < segments.size() && fits; ++i) {
      const Segment& s = r.segments[i];
      fits = s.capture ? !segments[i].empty() : s.literal == segments[i];
    }
    if (!fits) continue;
    if (r.method != method) {
      match.allowed.push_back(r.method);
      continue;
    }
    match.route = &r;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (r.segments[i].capture) match.params.push_back(segments[i]);
    }
    return match;
  }
  if (!match.allowed.empty()) return match;
  return Status(ErrorCode::kUnknownOperation,
                "No operation matches " + std::string(method) + " " + std::string(raw_path));
}

// The state of one request that the catch-all in Handle() needs.
struct ApiHandler::InFlight {
  std::shared_ptr<const void> keep_alive;  // until Handle() returns (may own this handler)
  AccessEntry entry;
  bool answered = false;                 // a response already left
  std::shared_ptr<LoggedStream> logged;  // set once an async operation owns the stream
  UsageSlot usage;                       // what a sync operation attached (ApiCall::access)
};

void ApiHandler::Handle(http::Request&& request, std::shared_ptr<http::ResponseStream> stream) {
  Handle(std::move(request), std::move(stream), nullptr);
}

void ApiHandler::Handle(http::Request&& request, std::shared_ptr<http::ResponseStream> stream,
                        std::shared_ptr<const void> keep_alive) {
  // Copied so the log line outlives the request, which moves into the call.
  InFlight flight{.keep_alive = std::move(keep_alive),
                  .entry = {.start = clock_.SteadyNow(),
                            .request_id = request.request_id,
                            .method = request.method,
                            .path = std::string(request.path())}};
  AccessEntry& entry = flight.entry;
  // The one catch-all of this entry point (STYLE.md D.16).
  try {
    Dispatch(std::move(request), stream, flight);
    return;
  } catch (const std::exception& e) {
    spdlog::error("request {}: {} {} ({}) threw: {}", entry.request_id, entry.method, entry.path,
                  entry.operation, e.what());
  } catch (...) {
    spdlog::error("request {}: {} {} ({}) threw a non-standard exception", entry.request_id,
                  entry.method, entry.path, entry.operation);
  }
  http::Response failure =
      api::ErrorResponse(InternalError("unhandled exception"), entry.request_id);
  if (flight.logged != nullptr) {
    if (!flight.logged->answered()) flight.logged->Respond(std::move(failure));
  } else if (!flight.answered) {
    Answer(*stream, std::move(failure), entry, flight.usage.get());
  }
}

void ApiHandler::Dispatch(http::Request&& request,
                          const std::shared_ptr<http::ResponseStream>& stream, InFlight& flight) {
  // The endpoint serves plain HTTP/1.1 and h2c only (http/server.h), never
  // TLS: aws:SecureTransport is false for every request.
  auth::RequestFacts facts{
      .source_ip = request.remote_address, .secure_transport = false, .time = clock_.Now()};
  ApiCall call{.request = std::move(request),
               .params = {},
               .principal = {},
               .operation = {},
               .facts = std::move(facts)};
  std::variant<const Route*, http::Response> admitted = Admit(call, flight.entry);
  if (auto* refusal = std::get_if<http::Response>(&admitted)) {
    flight.answered = true;
    return Answer(*stream, std::move(*refusal), flight.entry);
  }
  const Route& route = *std::get<const Route*>(admitted);
  const bool with_usage = route.options.reports_usage && AccessLogOn();
  if (route.async) {
    call.keep_alive = flight.keep_alive;
    flight.logged = std::make_shared<LoggedStream>(stream, flight.entry, clock_, with_usage);
    if (with_usage) call.access = flight.logged.get();
    route.async(std::move(call), flight.logged);
    return;
  }
  if (with_usage) call.access = &flight.usage;
  Result<http::Response> result = route.sync(call);
  flight.answered = true;
  Answer(*stream,
         result.ok() ? std::move(result).value()
                     : api::ErrorResponse(result.status(), flight.entry.request_id),
         flight.entry, flight.usage.get());
}

std::variant<const ApiHandler::Route*, http::Response> ApiHandler::Admit(ApiCall& call,
                                                                         AccessEntry& entry) const {
  const Route* route = FindPublic(entry.method, entry.path);
  if (route != nullptr && route->options.authenticator != nullptr) {
    Result<auth::Principal> principal = route->options.authenticator->Authenticate(call.request);
    if (!principal.ok()) return api::ErrorResponse(principal.status(), entry.request_id);
    call.principal = std::move(principal).value();
    entry.principal = call.principal.name;
  } else if (route == nullptr) {
    Result<auth::Principal> principal = authenticator_.Authenticate(call.request);
    if (!principal.ok()) return api::ErrorResponse(principal.status(), entry.request_id);
    call.principal = std::move(principal).value();
    entry.principal = call.principal.name;
    Result<Match> match = Resolve(entry.method, entry.path);
    if (!match.ok()) return api::ErrorResponse(match.status(), entry.request_id);
    if (match->route == nullptr) {
      return MethodNotAllowedResponse(entry.method, entry.path, match->allowed);
    }
    route = match->route;
    call.params = std::move(match->params);
  }
  call.operation = route->operation;
  entry.operation = route->operation;
  size_t size = call.request.body.size();
  if (route->options.authenticate && size > route->options.max_body_bytes) {
    return api::ErrorResponse(
        Status(ErrorCode::kPayloadTooLarge, "Request body of " + std::to_string(size) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(route->options.max_body_bytes) +
                                                " bytes for " + route->operation),
        entry.request_id);
  }
  return route;
}

void ApiHandler::Answer(http::ResponseStream& stream, http::Response&& response,
                        const AccessEntry& entry, const AccessUsage* usage) {
  unsigned status = response.status;
  std::string region(ServedRegion(response.headers));
  stream.Respond(std::move(response));
  LogAccess(entry, status, clock_.SteadyNow(), region, usage);
}

http::Response ApiHandler::ErrorResponse(const Status& status, std::string_view request_id) {
  spdlog::info("{} refused by the HTTP layer: {} {}", request_id.empty() ? "-" : request_id,
               ErrorCodeName(status.code()), status.message());
  return api::ErrorResponse(status, request_id);
}

http::Response ApiHandler::Health() const {
  json::Object body;
  body["status"] = "ok";
  return JsonResponse(200, body);
}

http::Response ApiHandler::Ready() const {
  Status ready = options_.readiness ? options_.readiness() : Status::Ok();
  if (!ready.ok()) {
    // An unauthenticated route: log the reason, answer a generic text.
    spdlog::warn("not ready: {}", ready.ToString());
    return api::ErrorResponse(Status(ErrorCode::kServiceUnavailable, "The service is not ready."));
  }
  json::Object body;
  body["status"] = "ready";
  if (options_.ready_details) body["details"] = options_.ready_details();
  return JsonResponse(200, body);
}

}  // namespace bp::api
