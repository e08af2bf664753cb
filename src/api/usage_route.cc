#include "api/usage_route.h"

#include <memory>
#include <utility>

#include "api/errors.h"
#include "api/worker_answer.h"
#include "core/uri.h"

namespace bp::api {

namespace {

constexpr std::string_view kDefaultWindow = "24h";

bool IsPresignParameter(std::string_view name) {
  constexpr std::string_view kPrefix = "x-amz-";
  if (name.size() < kPrefix.size()) return false;
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kPrefix[i]) return false;
  }
  return true;
}

struct RawParameters {
  std::vector<std::string> by;
  std::optional<std::string> since;
  std::optional<std::string> from;
  std::optional<std::string> to;
};

Result<RawParameters> CollectParameters(std::string_view raw_query) {
  auto pairs = ParseQuery(raw_query);
  if (!pairs.ok()) return ValidationError("Malformed query string: " + pairs.status().message());
  RawParameters raw;
  for (auto& [name, value] : *pairs) {
    if (IsPresignParameter(name)) continue;
    if (name == "by") {
      if (raw.by.size() == kMaxUsageDimensions) {
        return ValidationError("At most " + std::to_string(kMaxUsageDimensions) +
                               " by parameters are allowed");
      }
      raw.by.push_back(std::move(value));
      continue;
    }
    std::optional<std::string>* slot = name == "since"  ? &raw.since
                                       : name == "from" ? &raw.from
                                       : name == "to"   ? &raw.to
                                                        : nullptr;
    if (slot == nullptr) {
      return ValidationError("Unknown query parameter '" + name +
                             "': GET /usage takes by, since, from and to");
    }
    if (slot->has_value()) return ValidationError("Query parameter '" + name + "' is repeated");
    *slot = std::move(value);
  }
  return raw;
}

Result<int64_t> TimeMs(std::string_view name, const std::string& text,
                       const TimeParser& parse_time) {
  std::optional<int64_t> micros = parse_time(text);
  if (!micros) {
    return ValidationError(std::string(name) + " '" + text +
                           "' is not a time: use ISO 8601, e.g. 2026-12-01 or "
                           "2026-12-01T10:00:00Z");
  }
  return *micros / 1000;
}

http::Response ReportResponse(std::string&& body) {
  http::Response response;
  response.status = 200;
  response.headers.push_back({"content-type", "application/json"});
  response.headers.push_back({"cache-control", "no-store"});
  response.body = std::move(body);
  return response;
}

// The worker's side of one request: the ledger's report as the response to
// send.
http::Response Answer(const UsageSource& source, UsageQuery&& query, std::string_view request_id) {
  Result<metering::UsageReport> report = source(query);
  if (!report.ok() && report.status().code() == ErrorCode::kResourceNotFound) {
    // No ledger yet: nothing was metered, which is a report too.
    report =
        metering::UsageAggregator(std::move(query.dimensions)).Finish(query.from_ms, query.to_ms);
  }
  if (!report.ok()) return ErrorResponse(report.status(), request_id);
  return ReportResponse(metering::RenderJson(*report));
}

}  // namespace

std::string UsageResourceArn(std::string_view region, std::string_view account_id) {
  return "arn:aws:bedrock-profiles:" + std::string(region) + ":" + std::string(account_id) +
         ":usage";
}

Result<UsageQuery> ParseUsageQuery(std::string_view raw_query, int64_t now_ms,
                                   const TimeParser& parse_time) {
  BP_ASSIGN_OR_RETURN(RawParameters raw, CollectParameters(raw_query));
  UsageQuery query;
  for (const std::string& text : raw.by) {
    Result<metering::Dimension> d = metering::ParseDimension(text);
    if (!d.ok()) {
      // ParseDimension speaks of the CLI's flag; here it is a parameter.
      std::string message = d.status().message();
      if (message.starts_with("--by ")) message = "by=" + message.substr(5);
      return ValidationError(std::move(message));
    }
    query.dimensions.push_back(std::move(d).value());
  }
  if (raw.since && (raw.from || raw.to)) return ValidationError("since excludes from and to");
  query.to_ms = now_ms + 1;
  if (raw.from || raw.to) {
    if (raw.from) {
      BP_ASSIGN_OR_RETURN(query.from_ms, TimeMs("from", *raw.from, parse_time));
    }
    if (raw.to) {
      BP_ASSIGN_OR_RETURN(query.to_ms, TimeMs("to", *raw.to, parse_time));
    }
    if (query.to_ms <= query.from_ms) return ValidationError("to must be later than from");
    return query;
  }
  Result<int64_t> since =
      metering::ParseDurationMs(raw.since.value_or(std::string(kDefaultWindow)));
  if (!since.ok()) return ValidationError("since " + since.status().message());
  query.from_ms = now_ms - *since;
  return query;
}

Status RegisterUsageRoute(ApiHandler& handler, UsageRouteOptions options, UsageRouteDeps deps) {
  auto route = [options = std::move(options), deps = std::move(deps)](
                   ApiCall&& call, std::shared_ptr<http::ResponseStream> stream) {
    const std::string request_id = call.request.request_id;
    Result<UsageQuery> query =
        ParseUsageQuery(call.request.query(), ToUnixMillis(call.facts.time), options.parse_time);
    if (!query.ok()) return stream->Respond(ErrorResponse(query.status(), request_id));
    auth::ContextEntry dimensions{
        .key = std::string(kUsageDimensionsKey), .values = {}, .multi = true};
    for (const metering::Dimension& d : query->dimensions) dimensions.values.push_back(d.Name());
    Status allowed = deps.authorizer.Authorize(call.principal, call.facts,
                                               {.action = kGetUsageAction,
                                                .resource = options.resource_arn,
                                                .context = {std::move(dimensions)}});
    if (!allowed.ok()) return stream->Respond(ErrorResponse(allowed, request_id));
    // The source lives in the handler, which `keep_alive` keeps.
    AnswerOnWorker(deps.worker, std::move(stream), std::move(call.keep_alive), request_id,
                   "usage query",
                   [&source = deps.source, query = std::move(query).value(), request_id]() mutable {
                     return Answer(source, std::move(query), request_id);
                   });
  };
  return handler.RegisterAsync("GET", "/usage", "GetUsage", std::move(route),
                               RouteOptions{.max_body_bytes = 0, .authenticate = true});
}

}  // namespace bp::api
