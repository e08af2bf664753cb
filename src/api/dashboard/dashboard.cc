#include "api/dashboard/dashboard.h"

#include <algorithm>
#include <set>
#include <utility>

#include "api/dashboard/dashboard_internal.h"
#include "api/dashboard/ui_assets.h"
#include "api/errors.h"
#include "auth/iam/consumer_policy.h"
#include "core/arn.h"
#include "core/uri.h"

namespace bp::api::dashboard {

namespace {

constexpr size_t kMaxSignInBody = 16 * 1024;

// The questions the Access page may ask about a profile.
constexpr std::string_view kSimulatedActions[] = {
    "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:CountTokens",
    "bedrock:GetInferenceProfile"};

bool IsInvokeAction(std::string_view action) {
  return action == "bedrock:InvokeModel" || action == "bedrock:InvokeModelWithResponseStream";
}

bool Allowed(const Context& ctx, const ApiCall& call, std::string_view action,
             std::string_view resource) {
  return ctx.deps.authorizer
      .Explain(call.principal, call.facts, {.action = action, .resource = resource, .context = {}})
      .allowed();
}

// The session document: who is signed in and which pages their policies
// allow now (the nav; every data route still decides for itself).
json::Object SessionJson(const Context& ctx, const ApiCall& call, std::string_view csrf) {
  auto usage_access = [&]() -> std::string_view {
    if (Allowed(ctx, call, "bedrock-profiles:GetUsage", ctx.options.usage_arn)) return "all";
    if (Allowed(ctx, call, kGetOwnUsageAction, ctx.options.usage_arn)) return "own";
    return "none";
  }();
  bool may_simulate = false;
  for (const PrincipalEntry& p : ctx.options.principals) {
    may_simulate = may_simulate || Allowed(ctx, call, kSimulateAction, p.arn);
  }
  return json::Object{
      {"principal", call.principal.name},
      {"arn", call.principal.arn},
      {"csrfToken", csrf},
      {"idleTimeoutSeconds", ctx.deps.sessions.store().options().idle_timeout.count()},
      {"pages", json::Object{{"profiles", Allowed(ctx, call, kListProfilesAction, "*")},
                             {"usage", usage_access},
                             {"health", Allowed(ctx, call, kGetHealthAction,
                                                HealthResourceArn(ctx.options.region,
                                                                  ctx.options.account_id))},
                             {"requests", usage_access},
                             {"access", may_simulate}}}};
}

// The Host of an Origin URL ("http://127.0.0.1:8080" -> "127.0.0.1:8080").
std::string_view OriginHost(std::string_view origin) {
  const size_t scheme = origin.find("://");
  return scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
}

Result<http::Response> CreateSession(const Context& ctx, const ApiCall& call) {
  const http::Request& request = call.request;
  if (request.body.size() > kMaxSignInBody) {
    return Status(ErrorCode::kPayloadTooLarge, "Sign-in body exceeds 16 KiB");
  }
  const std::string* host = http::FindHeader(request.headers, "host");
  // A form on another site must not sign a browser in (login CSRF): a
  // browser always sends Origin on a POST from script.
  const std::string* origin = http::FindHeader(request.headers, "origin");
  if (origin != nullptr && (host == nullptr || OriginHost(*origin) != *host)) {
    return Status(ErrorCode::kAccessDenied,
                  "Sign-in from another origin (" + *origin + ") is refused");
  }
  BP_ASSIGN_OR_RETURN(SignInCredentials credentials, ParseSignIn(request.body));
  BP_ASSIGN_OR_RETURN(auth::Principal principal,
                      SignIn(ctx.deps.authenticator, credentials,
                             {.region = ctx.options.region,
                              .host = host != nullptr ? *host : std::string("localhost"),
                              .time = ctx.deps.clock.Now()}));
  BP_ASSIGN_OR_RETURN(SessionStore::Created created,
                      ctx.deps.sessions.store().Create(std::move(principal)));
  ApiCall as_signed_in{.request = {},
                       .params = {},
                       .principal = created.session.principal,
                       .operation = call.operation,
                       .facts = call.facts};
  http::Response response = JsonAnswer(SessionJson(ctx, as_signed_in, created.session.csrf_token));
  response.headers.push_back(
      {"set-cookie", SessionCookie(created.token, call.facts.secure_transport)});
  return response;
}

Result<http::Response> ReadSession(const Context& ctx, const ApiCall& call) {
  // The cookie authenticated the call; its session holds the CSRF token.
  std::optional<std::string_view> token = CookieValue(call.request, kSessionCookie);
  std::optional<Session> session = token ? ctx.deps.sessions.store().Touch(*token) : std::nullopt;
  if (!session) return Status(ErrorCode::kMissingAuthenticationToken, "The session has ended");
  return JsonAnswer(SessionJson(ctx, call, session->csrf_token));
}

Result<http::Response> DeleteSession(const Context& ctx, const ApiCall& call) {
  if (std::optional<std::string_view> token = CookieValue(call.request, kSessionCookie)) {
    ctx.deps.sessions.store().Remove(*token);
  }
  http::Response response;
  response.status = 204;
  AddSecurityHeaders(response.headers);
  response.headers.push_back({"set-cookie", SessionCookie("", call.facts.secure_transport)});
  return response;
}

// "anthropic.claude-haiku-4-5-20251001-v1:0" from a foundation-model ARN.
std::string_view ModelIdOf(std::string_view model_arn) {
  std::optional<ArnView> arn = ArnView::Parse(model_arn);
  if (!arn) return {};
  constexpr std::string_view kPrefix = "foundation-model/";
  return arn->resource.starts_with(kPrefix) ? arn->resource.substr(kPrefix.size())
                                            : std::string_view();
}

json::Object ProfileJson(const storage::ProfileRecord& p) {
  json::Array regions;
  for (const std::string& m : p.model_arns) {
    if (std::optional<ArnView> arn = ArnView::Parse(m)) regions.emplace_back(arn->region);
  }
  json::Object tags;
  for (const auto& [k, v] : p.tags) tags[k] = v;
  const std::string_view model =
      p.model_arns.empty() ? std::string_view() : ModelIdOf(p.model_arns.front());
  Result<std::string> policy = auth::iam::ConsumerPolicyJson(p.arn, model);
  return json::Object{{"name", p.name},
                      {"id", p.id},
                      {"arn", p.arn},
                      {"description", p.description.value_or("")},
                      {"model", model},
                      {"modelArn", p.source_arn},
                      {"regions", std::move(regions)},
                      {"tags", std::move(tags)},
                      {"status", "ACTIVE"},
                      {"policy", policy.ok() ? *policy : std::string()}};
}

Result<http::Response> ListProfiles(const Context& ctx, const ApiCall& call) {
  BP_RETURN_IF_ERROR(ctx.deps.authorizer.Authorize(
      call.principal, call.facts, {.action = kListProfilesAction, .resource = "*", .context = {}}));
  std::shared_ptr<const storage::ProfileSnapshot> snapshot = ctx.deps.profiles.Snapshot();
  std::vector<const storage::ProfileRecord*> sorted;
  for (const auto& [id, record] : snapshot->by_id) sorted.push_back(record.get());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->name < b->name; });
  json::Array profiles;
  for (const storage::ProfileRecord* p : sorted) profiles.emplace_back(ProfileJson(*p));
  return JsonAnswer(json::Object{{"profiles", std::move(profiles)}});
}

const storage::ProfileRecord* FindByName(const storage::ProfileSnapshot& snapshot,
                                         std::string_view name) {
  for (const auto& [id, record] : snapshot.by_id) {
    if (record->name == name) return record.get();
  }
  return nullptr;
}

Result<http::Response> ListPrincipals(const Context& ctx, const ApiCall& call) {
  json::Array principals;
  for (const PrincipalEntry& p : ctx.options.principals) {
    if (Allowed(ctx, call, kSimulateAction, p.arn)) {
      principals.emplace_back(json::Object{{"name", p.name}, {"arn", p.arn}});
    }
  }
  if (principals.empty() && !ctx.options.principals.empty()) {
    // No principal may be simulated: the refusal names the first one.
    BP_RETURN_IF_ERROR(
        ctx.deps.authorizer.Authorize(call.principal, call.facts,
                                      {.action = kSimulateAction,
                                       .resource = ctx.options.principals.front().arn,
                                       .context = {}}));
  }
  std::set<std::string> names;
  for (const auto& [id, record] : ctx.deps.profiles.Snapshot()->by_id) names.insert(record->name);
  json::Array profiles(names.begin(), names.end());
  json::Array actions;
  for (std::string_view a : kSimulatedActions) actions.emplace_back(a);
  return JsonAnswer(json::Object{{"principals", std::move(principals)},
                                 {"profiles", std::move(profiles)},
                                 {"actions", std::move(actions)}});
}

std::string_view OutcomeName(auth::Explanation::Outcome o) {
  switch (o) {
    case auth::Explanation::Outcome::kAllow:
      return "allow";
    case auth::Explanation::Outcome::kExplicitDeny:
      return "explicitDeny";
    case auth::Explanation::Outcome::kImplicitDeny:
      return "implicitDeny";
  }
  return "implicitDeny";
}

// What the endpoint evaluates when `principal` calls `action` through
// `profile` (api/runtime/invoke_gate.cc, auth.md §4): the action on the
// profile ARN, then, for the invoke actions, on its foundation model in
// every destination region with bedrock:InferenceProfileArn and
// aws:RequestedRegion set.
Result<http::Response> SimulateAccess(const Context& ctx, const ApiCall& call) {
  BP_ASSIGN_OR_RETURN(QueryParams params,
                      ParseParams(call.request.query(), {"principal", "profile", "action"}));
  const std::string_view principal_name = Param(params, "principal").value_or("");
  const std::string_view profile_name = Param(params, "profile").value_or("");
  const std::string_view action = Param(params, "action").value_or("bedrock:InvokeModel");
  const PrincipalEntry* target = nullptr;
  for (const PrincipalEntry& p : ctx.options.principals) {
    if (p.name == principal_name) target = &p;
  }
  if (target == nullptr) {
    return ValidationError("principal '" + std::string(principal_name) +
                           "' is not a configured principal");
  }
  BP_RETURN_IF_ERROR(ctx.deps.authorizer.Authorize(
      call.principal, call.facts,
      {.action = kSimulateAction, .resource = target->arn, .context = {}}));
  if (std::find(std::begin(kSimulatedActions), std::end(kSimulatedActions), action) ==
      std::end(kSimulatedActions)) {
    return ValidationError("action '" + std::string(action) +
                           "' cannot be simulated here: use bedrock:InvokeModel, "
                           "bedrock:InvokeModelWithResponseStream, bedrock:CountTokens or "
                           "bedrock:GetInferenceProfile");
  }
  std::shared_ptr<const storage::ProfileSnapshot> snapshot = ctx.deps.profiles.Snapshot();
  const storage::ProfileRecord* profile = FindByName(*snapshot, profile_name);
  if (profile == nullptr) {
    return NotFoundError("No profile named '" + std::string(profile_name) + "'");
  }
  const auth::Principal as{.name = target->name, .arn = target->arn, .access_key_id = {}};
  std::vector<auth::AuthorizationRequest> questions;
  questions.push_back({.action = action, .resource = profile->arn, .context = {}});
  if (IsInvokeAction(action)) {
    for (const std::string& model_arn : profile->model_arns) {
      auth::AuthorizationRequest q{.action = action, .resource = model_arn, .context = {}};
      q.context.push_back(
          {.key = "bedrock:InferenceProfileArn", .values = {profile->arn}, .multi = false});
      if (std::optional<ArnView> fm = ArnView::Parse(model_arn)) {
        q.context.push_back(
            {.key = "aws:RequestedRegion", .values = {std::string(fm->region)}, .multi = false});
      }
      questions.push_back(std::move(q));
    }
  }
  bool allowed = true;
  json::Array checks;
  json::Array missing;
  for (const auth::AuthorizationRequest& q : questions) {
    auth::Explanation e = ctx.deps.authorizer.Explain(as, call.facts, q);
    allowed = allowed && e.allowed();
    checks.emplace_back(json::Object{{"action", q.action},
                                     {"resource", q.resource},
                                     {"allowed", e.allowed()},
                                     {"outcome", OutcomeName(e.outcome)},
                                     {"reason", e.reason}});
    if (e.outcome == auth::Explanation::Outcome::kImplicitDeny) {
      missing.emplace_back(
          json::Object{{"Effect", "Allow"}, {"Action", q.action}, {"Resource", q.resource}});
    }
  }
  return JsonAnswer(json::Object{{"principal", target->name},
                                 {"principalArn", target->arn},
                                 {"profile", profile->name},
                                 {"action", action},
                                 {"allowed", allowed},
                                 {"checks", std::move(checks)},
                                 {"missingGrants", std::move(missing)}});
}

http::Response AssetResponse(const UiAsset& asset) {
  http::Response response;
  response.headers.push_back({"content-type", std::string(asset.content_type)});
  // Assets change only with the binary; revalidating is cheap on loopback.
  response.headers.push_back({"cache-control", "no-cache"});
  AddSecurityHeaders(response.headers);
  response.body = std::string(asset.body);
  return response;
}

}  // namespace

std::string HealthResourceArn(std::string_view region, std::string_view account_id) {
  return "arn:aws:bedrock-profiles:" + std::string(region) + ":" + std::string(account_id) +
         ":health";
}

void AddSecurityHeaders(http::Headers& headers) {
  headers.push_back({"content-security-policy",
                     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
                     "data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                     "form-action 'self'"});
  headers.push_back({"x-content-type-options", "nosniff"});
  headers.push_back({"x-frame-options", "DENY"});
  headers.push_back({"referrer-policy", "no-referrer"});
}

http::Response JsonAnswer(const json::Value& body) {
  http::Response response = JsonResponse(200, body);
  response.headers.push_back({"cache-control", "no-store"});
  AddSecurityHeaders(response.headers);
  return response;
}

Result<QueryParams> ParseParams(std::string_view raw_query,
                                std::initializer_list<std::string_view> allowed) {
  auto pairs = ParseQuery(raw_query);
  if (!pairs.ok()) return ValidationError("Malformed query string: " + pairs.status().message());
  for (size_t i = 0; i < pairs->size(); ++i) {
    const std::string& name = (*pairs)[i].first;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return ValidationError("Unknown query parameter '" + name + "'");
    }
    for (size_t j = 0; j < i; ++j) {
      if ((*pairs)[j].first == name) {
        return ValidationError("Query parameter '" + name + "' is repeated");
      }
    }
  }
  return std::move(pairs).value();
}

std::optional<std::string_view> Param(const QueryParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

double Usd(int64_t micro_usd) { return static_cast<double>(micro_usd) / 1e6; }

Result<Scope> UsageScope(const Context& ctx, const ApiCall& call) {
  const auth::AuthorizationRequest all{
      .action = "bedrock-profiles:GetUsage", .resource = ctx.options.usage_arn, .context = {}};
  if (Allowed(ctx, call, all.action, all.resource)) return Scope{.all = true, .principal_arn = {}};
  if (ctx.deps.authorizer
          .Authorize(
              call.principal, call.facts,
              {.action = kGetOwnUsageAction, .resource = ctx.options.usage_arn, .context = {}})
          .ok()) {
    return Scope{.all = false, .principal_arn = call.principal.arn};
  }
  // Neither: the refusal names the action that shows everything.
  BP_RETURN_IF_ERROR(ctx.deps.authorizer.Authorize(call.principal, call.facts, all));
  return InternalError("GetUsage was denied, then allowed");
}

Status RegisterDashboard(ApiHandler& handler, DashboardOptions options, DashboardDeps deps) {
  auto ctx = std::make_shared<const Context>(
      Context{.options = std::move(options), .deps = std::move(deps)});
  const RouteOptions open{.max_body_bytes = 0, .authenticate = false};
  const RouteOptions session{
      .max_body_bytes = 0, .authenticate = true, .authenticator = &ctx->deps.sessions.with_csrf()};
  const RouteOptions reading_session{.max_body_bytes = 0,
                                     .authenticate = true,
                                     .authenticator = &ctx->deps.sessions.without_csrf()};
  for (const UiAsset& asset : UiAssets()) {
    BP_RETURN_IF_ERROR(handler.Register(
        "GET", asset.path, "GetDashboardPage",
        [&asset](const ApiCall&) -> Result<http::Response> { return AssetResponse(asset); }, open));
  }
  BP_RETURN_IF_ERROR(handler.Register(
      "GET", "/ui", "GetDashboardPage",
      [](const ApiCall&) -> Result<http::Response> {
        http::Response r;
        r.status = 308;
        r.headers.push_back({"location", "/ui/"});
        return r;
      },
      open));
  auto bind = [ctx](Result<http::Response> (*fn)(const Context&, const ApiCall&)) {
    return [ctx, fn](const ApiCall& call) { return fn(*ctx, call); };
  };
  // The sign-in body is read as a public route's (no size check there):
  // CreateSession bounds it.
  BP_RETURN_IF_ERROR(handler.Register("POST", "/ui/api/session", "CreateDashboardSession",
                                      bind(CreateSession),
                                      {.max_body_bytes = kMaxSignInBody, .authenticate = false}));
  BP_RETURN_IF_ERROR(handler.Register("GET", "/ui/api/session", "GetDashboardSession",
                                      bind(ReadSession), reading_session));
  BP_RETURN_IF_ERROR(handler.Register("DELETE", "/ui/api/session", "DeleteDashboardSession",
                                      bind(DeleteSession), session));
  BP_RETURN_IF_ERROR(handler.Register("GET", "/ui/api/profiles", "GetDashboardProfiles",
                                      bind(ListProfiles), session));
  BP_RETURN_IF_ERROR(handler.Register("GET", "/ui/api/principals", "GetDashboardPrincipals",
                                      bind(ListPrincipals), session));
  BP_RETURN_IF_ERROR(handler.Register("GET", "/ui/api/access", "GetDashboardAccess",
                                      bind(SimulateAccess), session));
  return RegisterLedgerRoutes(handler, ctx);
}

}  // namespace bp::api::dashboard
