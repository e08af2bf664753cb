// The dashboard's ledger routes: usage over time, region health, the latest
// calls. Parameters are checked and the caller authorized on the loop; the
// ledger is read on the worker (api/worker_answer.h).

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>
#include <utility>

#include "api/dashboard/dashboard_internal.h"
#include "api/errors.h"
#include "api/worker_answer.h"
#include "auth/iam/values.h"
#include "metering/usage_report.h"
#include "metering/usage_series.h"

namespace bp::api::dashboard {

namespace {

using metering::kDayMs;
constexpr size_t kDefaultRequests = 100;
constexpr size_t kMaxRequests = 500;

// A chart's window: whole buckets, the last one holding `now`.
struct Window {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  int64_t bucket_ms = 0;
};

Window Aligned(int64_t from_ms, int64_t to_ms) {
  const int64_t bucket = metering::BucketFor(to_ms - from_ms);
  return Window{.from_ms = metering::BucketStart(from_ms, bucket),
                .to_ms = metering::BucketStart(to_ms - 1, bucket) + bucket,
                .bucket_ms = bucket};
}

// window=1h|24h|7d|30d (any duration `usage --since` takes), or from & to.
Result<Window> ParseWindow(const QueryParams& params, int64_t now_ms, std::string_view fallback) {
  std::optional<std::string_view> window = Param(params, "window");
  std::optional<std::string_view> from = Param(params, "from");
  std::optional<std::string_view> to = Param(params, "to");
  if (window && (from || to)) return ValidationError("window excludes from and to");
  if (from || to) {
    if (!from || !to) return ValidationError("from and to go together");
    std::optional<int64_t> f = auth::iam::ParseTimestampMicros(*from);
    std::optional<int64_t> t = auth::iam::ParseTimestampMicros(*to);
    if (!f || !t) {
      return ValidationError("from and to must be ISO 8601 times, e.g. 2026-12-01T10:00:00Z");
    }
    if (*t <= *f) return ValidationError("to must be later than from");
    if (*t / 1000 - *f / 1000 > 400 * kDayMs) return ValidationError("At most 400 days at once");
    return Aligned(*f / 1000, *t / 1000);
  }
  Result<int64_t> length = metering::ParseDurationMs(window.value_or(fallback));
  if (!length.ok()) return ValidationError("window " + length.status().message());
  if (*length > 400 * kDayMs) return ValidationError("At most 400 days at once");
  // As many whole buckets as the window holds, the last one holding now.
  const int64_t bucket = metering::BucketFor(*length);
  const int64_t end = metering::BucketStart(now_ms, bucket) + bucket;
  return Window{
      .from_ms = end - (*length + bucket - 1) / bucket * bucket, .to_ms = end, .bucket_ms = bucket};
}

// The coarsest roll-ups that still fill buckets of `bucket_ms` (fewer rows
// to read: a 30-day window is 30 days, not 720 hours, of rows): daily for
// day buckets, hourly for hour ones, minute ones for finer buckets while
// they are kept (from `from_ms` on), else hourly.
RollupGrain GrainFor(const Context& ctx, int64_t from_ms, int64_t bucket_ms, int64_t now_ms) {
  if (bucket_ms >= kDayMs) return RollupGrain::kDay;
  if (bucket_ms >= metering::kHourMs) return RollupGrain::kHour;
  return from_ms >= now_ms - ctx.deps.ledger.minute_rollups_kept_ms ? RollupGrain::kMinute
                                                                    : RollupGrain::kHour;
}

std::string_view GrainName(RollupGrain grain) {
  switch (grain) {
    case RollupGrain::kMinute:
      return "minute";
    case RollupGrain::kHour:
      return "hour";
    case RollupGrain::kDay:
      return "day";
  }
  return "hour";
}

// Reads roll-ups; no ledger yet is no roll-up.
Status ReadRollups(const Context& ctx, RollupGrain grain, int64_t from_ms, int64_t to_ms,
                   const Scope& scope,
                   const std::function<void(const metering::UsageRollup&)>& fn) {
  if (!ctx.deps.ledger.rollups) return Status::Ok();
  Status s = ctx.deps.ledger.rollups(grain, from_ms, to_ms, scope.principal_arn, fn);
  return s.code() == ErrorCode::kResourceNotFound ? Status::Ok() : s;
}

// [from_ms, to_ms) (whole hours) from the fewest rows: the whole UTC days
// in it from daily roll-ups, the hours before and after them from hourly
// ones. For figures that need no finer buckets than the span.
Status ReadCoarsest(const Context& ctx, int64_t from_ms, int64_t to_ms, const Scope& scope,
                    const std::function<void(const metering::UsageRollup&)>& fn) {
  const int64_t first_day = metering::BucketStart(from_ms + kDayMs - 1, kDayMs);
  const int64_t end_day = metering::BucketStart(to_ms, kDayMs);
  if (first_day >= end_day) return ReadRollups(ctx, RollupGrain::kHour, from_ms, to_ms, scope, fn);
  BP_RETURN_IF_ERROR(ReadRollups(ctx, RollupGrain::kHour, from_ms, first_day, scope, fn));
  BP_RETURN_IF_ERROR(ReadRollups(ctx, RollupGrain::kDay, first_day, end_day, scope, fn));
  return ReadRollups(ctx, RollupGrain::kHour, end_day, to_ms, scope, fn);
}

json::Object FiguresJson(const metering::SeriesFigures& f) {
  return json::Object{{"requests", f.requests},
                      {"errors", f.errors},
                      {"throttles", f.throttles},
                      {"inputTokens", f.tokens.input},
                      {"outputTokens", f.tokens.output},
                      {"cacheReadTokens", f.tokens.cache_read},
                      {"cacheWriteTokens", f.tokens.cache_write()},
                      {"costUsd", Usd(f.cost_micro_usd)}};
}

json::Value ChangePct(int64_t now, int64_t before) {
  if (before <= 0) return nullptr;
  return 100.0 * static_cast<double>(now - before) / static_cast<double>(before);
}

int64_t MonthStart(int64_t ms, int months_ahead = 0) {
  using namespace std::chrono;
  const year_month_day day{floor<days>(sys_time<milliseconds>(milliseconds(ms)))};
  const year_month first = year_month(day.year(), day.month()) + months(months_ahead);
  return duration_cast<milliseconds>(sys_days(first / 1).time_since_epoch()).count();
}

// Whether a roll-up counts against a budget (the scopes of metering/budgets.h).
bool Counts(const metering::Budgets::State& b, const metering::UsageRollupKey& key,
            const Context& ctx) {
  switch (b.scope) {
    case metering::Budgets::Scope::kProfile:
      return key.profile_name == b.name;
    case metering::Budgets::Scope::kPrincipal:
      for (const PrincipalEntry& p : ctx.options.principals) {
        if (p.name == b.name) return key.principal == p.arn;
      }
      return false;
    case metering::Budgets::Scope::kTag: {
      auto it = key.tags.find(b.name);
      return it != key.tags.end() && it->second == b.value;
    }
  }
  return false;
}

std::string BudgetName(const metering::Budgets::State& b) {
  switch (b.scope) {
    case metering::Budgets::Scope::kProfile:
      return "profile " + std::string(b.name);
    case metering::Budgets::Scope::kPrincipal:
      return "principal " + std::string(b.name);
    case metering::Budgets::Scope::kTag:
      return "tag " + std::string(b.name) + " = " + std::string(b.value);
  }
  return std::string(b.name);
}

// This month's budgets the scope may see, with their daily burn-down from
// the hourly roll-ups and the month's end projected from the pace so far.
Result<json::Array> BudgetsJson(const Context& ctx, const Scope& scope, int64_t now_ms) {
  json::Array out;
  if (ctx.deps.budgets == nullptr) return out;
  std::vector<metering::Budgets::State> states = ctx.deps.budgets->States();
  std::vector<const metering::Budgets::State*> shown;
  std::string own_name;
  for (const PrincipalEntry& p : ctx.options.principals) {
    if (p.arn == scope.principal_arn) own_name = p.name;
  }
  for (const metering::Budgets::State& b : states) {
    // A caller who sees only their own calls sees only their own budget.
    if (scope.all || (b.scope == metering::Budgets::Scope::kPrincipal && b.name == own_name)) {
      shown.push_back(&b);
    }
  }
  if (shown.empty()) return out;
  const int64_t start = MonthStart(now_ms);
  const int64_t end = MonthStart(now_ms, 1);
  const size_t days = static_cast<size_t>((end - start) / kDayMs);
  std::vector<std::vector<int64_t>> daily(shown.size(), std::vector<int64_t>(days, 0));
  // Own scope shows only the caller's own budget, which counts only the
  // caller's calls: read just those.
  BP_RETURN_IF_ERROR(
      ReadRollups(ctx, RollupGrain::kDay, start, end, scope, [&](const metering::UsageRollup& r) {
        const size_t day = static_cast<size_t>((r.key.start_ms - start) / kDayMs);
        if (day >= days) return;
        for (size_t i = 0; i < shown.size(); ++i) {
          if (Counts(*shown[i], r.key, ctx)) {
            daily[i][day] += std::max<int64_t>(r.cost_micro_usd, 0);
          }
        }
      }));
  const double elapsed = static_cast<double>(std::max<int64_t>(now_ms - start, 1));
  const double month = static_cast<double>(end - start);
  for (size_t i = 0; i < shown.size(); ++i) {
    const metering::Budgets::State& b = *shown[i];
    json::Array burn;
    int64_t sum = 0;
    for (size_t d = 0; d < days; ++d) {
      const int64_t day_start = start + static_cast<int64_t>(d) * kDayMs;
      if (day_start > now_ms) break;
      sum += daily[i][d];
      burn.emplace_back(json::Array{day_start, Usd(sum)});
    }
    const int64_t spent = b.usage.spent;
    out.emplace_back(json::Object{
        {"name", BudgetName(b)},
        {"limitUsd", Usd(b.limit.monthly_micro_usd)},
        {"spentUsd", Usd(spent)},
        {"reservedUsd", Usd(b.usage.reserved)},
        {"periodStart", start},
        {"periodEnd", end},
        {"projectedUsd", Usd(static_cast<int64_t>(static_cast<double>(spent) * month / elapsed))},
        {"burn", std::move(burn)}});
  }
  return out;
}

Result<http::Response> UsageAnswer(const Context& ctx, const Scope& scope, const Window& w,
                                   const metering::Dimension& by, int64_t now_ms) {
  const RollupGrain grain = GrainFor(ctx, w.from_ms, w.bucket_ms, now_ms);
  metering::SeriesAggregator agg(
      {.by = by, .from_ms = w.from_ms, .to_ms = w.to_ms, .bucket_ms = w.bucket_ms, .top = 8});
  BP_RETURN_IF_ERROR(ReadRollups(ctx, grain, w.from_ms, w.to_ms, scope,
                                 [&](const metering::UsageRollup& r) { agg.Add(r); }));
  const int64_t length = w.to_ms - w.from_ms;
  // The period before needs totals only: its whole days from daily roll-ups.
  auto previous = [&](const metering::UsageRollup& r) { agg.AddPrevious(r); };
  if (w.bucket_ms >= metering::kHourMs) {
    BP_RETURN_IF_ERROR(ReadCoarsest(ctx, w.from_ms - length, w.from_ms, scope, previous));
  } else {
    BP_RETURN_IF_ERROR(ReadRollups(ctx, GrainFor(ctx, w.from_ms - length, w.bucket_ms, now_ms),
                                   w.from_ms - length, w.from_ms, scope, previous));
  }
  metering::UsageSeries s = std::move(agg).Finish();
  json::Array buckets(s.buckets.begin(), s.buckets.end());
  json::Array series;
  for (const metering::UsageSeries::Line& line : s.lines) {
    json::Array requests, tokens, cost;
    for (const metering::SeriesFigures& p : line.points) {
      requests.emplace_back(p.requests);
      tokens.emplace_back(p.AllTokens());
      cost.emplace_back(Usd(p.cost_micro_usd));
    }
    series.emplace_back(json::Object{{"key", line.key},
                                     {"requests", std::move(requests)},
                                     {"tokens", std::move(tokens)},
                                     {"costUsd", std::move(cost)}});
  }
  json::Array ranking;
  for (const metering::UsageSeries::Rank& r : s.ranking) {
    json::Object row = FiguresJson(r.current);
    row["key"] = r.key;
    row["previousRequests"] = r.previous.requests;
    row["previousCostUsd"] = Usd(r.previous.cost_micro_usd);
    row["costChangePct"] = ChangePct(r.current.cost_micro_usd, r.previous.cost_micro_usd);
    ranking.emplace_back(std::move(row));
  }
  json::Object total = FiguresJson(s.total);
  total["previousRequests"] = s.previous_total.requests;
  total["previousCostUsd"] = Usd(s.previous_total.cost_micro_usd);
  total["costChangePct"] = ChangePct(s.total.cost_micro_usd, s.previous_total.cost_micro_usd);
  BP_ASSIGN_OR_RETURN(json::Array budgets, BudgetsJson(ctx, scope, now_ms));
  return JsonAnswer(json::Object{{"from", w.from_ms},
                                 {"to", w.to_ms},
                                 {"bucketMs", w.bucket_ms},
                                 {"by", by.Name()},
                                 {"scope", scope.all ? "all" : "own"},
                                 {"grain", GrainName(grain)},
                                 {"buckets", std::move(buckets)},
                                 {"series", std::move(series)},
                                 {"ranking", std::move(ranking)},
                                 {"total", std::move(total)},
                                 {"budgets", std::move(budgets)}});
}

json::Value Millis(int64_t v) { return v < 0 ? json::Value(nullptr) : json::Value(v); }

double Rate(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

Result<http::Response> HealthAnswer(const Context& ctx, const Window& w, int64_t now_ms) {
  struct Acc {
    int64_t requests = 0, errors = 0, throttles = 0;
    metering::HistogramAccumulator latency, ttft;
  };
  std::map<std::string, Acc> by_region;
  BP_RETURN_IF_ERROR(ReadRollups(ctx, GrainFor(ctx, w.from_ms, w.bucket_ms, now_ms), w.from_ms,
                                 w.to_ms, Scope{.all = true}, [&](const metering::UsageRollup& r) {
                                   Acc& a = by_region[r.key.serving_region];
                                   a.requests += r.requests;
                                   a.errors += r.errors;
                                   a.throttles += r.throttles;
                                   a.latency.Merge(r.latency);
                                   a.ttft.Merge(r.ttft);
                                 }));
  auto region_json = [&](std::string_view name, const Acc& a) {
    auto pct = [](const metering::HistogramAccumulator& h, int p) {
      return h.empty() ? json::Value(nullptr) : Millis(h.Percentile(p));
    };
    return json::Object{{"region", name.empty() ? std::string_view("-") : name},
                        {"requests", a.requests},
                        {"errors", a.errors},
                        {"throttles", a.throttles},
                        {"errorRate", Rate(a.errors, a.requests)},
                        {"throttleRate", Rate(a.throttles, a.requests)},
                        {"latencyP50Ms", pct(a.latency, 50)},
                        {"latencyP99Ms", pct(a.latency, 99)},
                        {"ttftP50Ms", pct(a.ttft, 50)},
                        {"ttftP99Ms", pct(a.ttft, 99)}};
  };
  json::Array regions;
  for (const routing::RegionHealth& h : ctx.deps.router.Health()) {
    auto it = by_region.find(h.region);
    json::Object row = region_json(h.region, it == by_region.end() ? Acc{} : it->second);
    if (it != by_region.end()) by_region.erase(it);
    row["circuit"] = h.open ? "open" : "closed";
    row["consecutiveFailures"] = h.consecutive_failures;
    row["outstanding"] = h.outstanding;
    regions.emplace_back(std::move(row));
  }
  // Regions the ledger names that routing no longer has (a reload removed
  // them), and calls no region served ("-").
  for (const auto& [name, a] : by_region) {
    json::Object row = region_json(name, a);
    row["circuit"] = nullptr;
    regions.emplace_back(std::move(row));
  }
  return JsonAnswer(
      json::Object{{"from", w.from_ms}, {"to", w.to_ms}, {"regions", std::move(regions)}});
}

json::Object RecordJson(const metering::UsageRecord& r, const Context& ctx) {
  std::string_view principal;
  for (const PrincipalEntry& p : ctx.options.principals) {
    if (p.arn == r.principal) principal = p.name;
  }
  return json::Object{{"time", r.time_ms},
                      {"requestId", r.request_id},
                      {"principal", principal},
                      {"principalArn", r.principal},
                      {"profile", r.profile_name},
                      {"profileArn", r.profile_arn},
                      {"model", r.model_id},
                      {"operation", metering::OperationName(r.operation)},
                      {"status", r.status},
                      {"errorCode", r.error_code},
                      {"cutShort", r.cut_short},
                      {"sourceRegion", r.source_region},
                      {"servingRegion", r.serving_region},
                      {"attempts", r.attempts},
                      {"inputTokens", r.tokens.input},
                      {"outputTokens", r.tokens.output},
                      {"cacheReadTokens", r.tokens.cache_read},
                      {"cacheWriteTokens", r.tokens.cache_write()},
                      {"latencyMs", r.latency_ms},
                      {"ttftMs", Millis(r.ttft_ms)},
                      {"costUsd", Usd(r.cost_micro_usd)},
                      {"serviceTier", r.service_tier}};
}

Result<RecordFilter> ParseFilter(const Context& ctx, const QueryParams& params,
                                 const Scope& scope) {
  RecordFilter f;
  f.profile_name = std::string(Param(params, "profile").value_or(""));
  f.serving_region = std::string(Param(params, "region").value_or(""));
  if (std::optional<std::string_view> name = Param(params, "principal"); name && !name->empty()) {
    const PrincipalEntry* found = nullptr;
    for (const PrincipalEntry& p : ctx.options.principals) {
      if (p.name == *name) found = &p;
    }
    if (found == nullptr) {
      return ValidationError("principal '" + std::string(*name) +
                             "' is not a configured principal");
    }
    f.principal_arn = found->arn;
  }
  if (!scope.all) {
    if (!f.principal_arn.empty() && f.principal_arn != scope.principal_arn) {
      // Someone else's calls: the refusal of the action that would show them.
      return Status(ErrorCode::kAccessDenied,
                    "You may see only your own calls (bedrock-profiles:GetOwnUsage); "
                    "bedrock-profiles:GetUsage shows everyone's");
    }
    f.principal_arn = scope.principal_arn;
  }
  const std::string_view status = Param(params, "status").value_or("");
  if (status.empty() || status == "any") {
    f.outcome = RecordFilter::Outcome::kAny;
  } else if (status == "ok") {
    f.outcome = RecordFilter::Outcome::kOk;
  } else if (status == "error") {
    f.outcome = RecordFilter::Outcome::kError;
  } else if (status == "throttled") {
    f.outcome = RecordFilter::Outcome::kThrottled;
  } else {
    return ValidationError("status must be ok, error, throttled or any");
  }
  return f;
}

Result<size_t> ParseLimit(const QueryParams& params) {
  std::optional<std::string_view> text = Param(params, "limit");
  if (!text) return kDefaultRequests;
  size_t n = 0;
  for (char c : *text) {
    if (c < '0' || c > '9' || n > kMaxRequests) {
      return ValidationError("limit must be a number from 1 to 500");
    }
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  if (n == 0 || n > kMaxRequests) return ValidationError("limit must be a number from 1 to 500");
  return n;
}

http::Response Finish(Result<http::Response> r, std::string_view request_id) {
  return r.ok() ? std::move(r).value() : ErrorResponse(r.status(), request_id);
}

void RunLedger(const Context& ctx, ApiCall&& call, std::shared_ptr<http::ResponseStream> stream,
               std::string_view what, std::function<Result<http::Response>()> work) {
  const std::string request_id = call.request.request_id;
  if (ctx.deps.worker == nullptr) {
    stream->Respond(ErrorResponse(
        Status(ErrorCode::kServiceUnavailable, "This endpoint keeps no usage ledger"), request_id));
    return;
  }
  AnswerOnWorker(*ctx.deps.worker, std::move(stream), std::move(call.keep_alive), request_id, what,
                 [work = std::move(work), request_id] { return Finish(work(), request_id); });
}

}  // namespace

Status RegisterLedgerRoutes(ApiHandler& handler, const std::shared_ptr<const Context>& ctx) {
  const RouteOptions session{
      .max_body_bytes = 0, .authenticate = true, .authenticator = &ctx->deps.sessions.with_csrf()};
  BP_RETURN_IF_ERROR(handler.RegisterAsync(
      "GET", "/ui/api/usage", "GetDashboardUsage",
      [ctx](ApiCall&& call, std::shared_ptr<http::ResponseStream> stream) {
        const int64_t now = ToUnixMillis(call.facts.time);
        auto parsed = [&]() -> Result<std::tuple<Scope, Window, metering::Dimension>> {
          BP_ASSIGN_OR_RETURN(QueryParams params,
                              ParseParams(call.request.query(), {"window", "from", "to", "by"}));
          BP_ASSIGN_OR_RETURN(Window w, ParseWindow(params, now, "24h"));
          BP_ASSIGN_OR_RETURN(metering::Dimension by,
                              metering::ParseDimension(Param(params, "by").value_or("profile")));
          if (by.kind == metering::Dimension::Kind::kMetadata) {
            return ValidationError(
                "by=metadata:KEY is not charted (roll-ups keep no metadata); "
                "use `usage --by metadata:KEY`");
          }
          BP_ASSIGN_OR_RETURN(Scope scope, UsageScope(*ctx, call));
          return std::make_tuple(std::move(scope), w, std::move(by));
        }();
        if (!parsed.ok()) {
          return stream->Respond(ErrorResponse(parsed.status(), call.request.request_id));
        }
        RunLedger(*ctx, std::move(call), std::move(stream), "dashboard usage query",
                  [ctx, q = std::move(parsed).value(), now] {
                    return UsageAnswer(*ctx, std::get<0>(q), std::get<1>(q), std::get<2>(q), now);
                  });
      },
      session));
  BP_RETURN_IF_ERROR(handler.RegisterAsync(
      "GET", "/ui/api/health", "GetDashboardHealth",
      [ctx](ApiCall&& call, std::shared_ptr<http::ResponseStream> stream) {
        const int64_t now = ToUnixMillis(call.facts.time);
        auto parsed = [&]() -> Result<Window> {
          BP_ASSIGN_OR_RETURN(QueryParams params,
                              ParseParams(call.request.query(), {"window", "from", "to"}));
          BP_ASSIGN_OR_RETURN(Window w, ParseWindow(params, now, "1h"));
          BP_RETURN_IF_ERROR(ctx->deps.authorizer.Authorize(
              call.principal, call.facts,
              {.action = kGetHealthAction,
               .resource = HealthResourceArn(ctx->options.region, ctx->options.account_id),
               .context = {}}));
          return w;
        }();
        if (!parsed.ok()) {
          return stream->Respond(ErrorResponse(parsed.status(), call.request.request_id));
        }
        RunLedger(*ctx, std::move(call), std::move(stream), "dashboard health query",
                  [ctx, w = *parsed, now] { return HealthAnswer(*ctx, w, now); });
      },
      session));
  return handler.RegisterAsync(
      "GET", "/ui/api/requests", "GetDashboardRequests",
      [ctx](ApiCall&& call, std::shared_ptr<http::ResponseStream> stream) {
        auto parsed = [&]() -> Result<std::pair<RecordFilter, size_t>> {
          BP_ASSIGN_OR_RETURN(QueryParams params,
                              ParseParams(call.request.query(),
                                          {"profile", "principal", "status", "region", "limit"}));
          BP_ASSIGN_OR_RETURN(Scope scope, UsageScope(*ctx, call));
          BP_ASSIGN_OR_RETURN(RecordFilter filter, ParseFilter(*ctx, params, scope));
          BP_ASSIGN_OR_RETURN(size_t limit, ParseLimit(params));
          return std::make_pair(std::move(filter), limit);
        }();
        if (!parsed.ok()) {
          return stream->Respond(ErrorResponse(parsed.status(), call.request.request_id));
        }
        RunLedger(
            *ctx, std::move(call), std::move(stream), "dashboard requests query",
            [ctx, q = std::move(parsed).value()]() -> Result<http::Response> {
              json::Array rows;
              if (ctx->deps.ledger.latest) {
                Result<std::vector<metering::UsageRecord>> records =
                    ctx->deps.ledger.latest(q.first, q.second);
                if (!records.ok() && records.status().code() != ErrorCode::kResourceNotFound) {
                  return records.status();
                }
                if (records.ok()) {
                  for (const metering::UsageRecord& r : *records) {
                    rows.emplace_back(RecordJson(r, *ctx));
                  }
                }
              }
              return JsonAnswer(json::Object{{"requests", std::move(rows)}});
            });
      },
      session);
}

}  // namespace bp::api::dashboard
