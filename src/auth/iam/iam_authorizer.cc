#include "auth/iam/iam_authorizer.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "auth/iam/evaluator.h"
#include "auth/iam/policy_parser.h"

namespace bp::auth::iam {
namespace {

// "2026-11-25T12:00:00Z": aws:CurrentTime, to the second, UTC.
std::string FormatIso8601Seconds(std::chrono::sys_seconds t) {
  const std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss<std::chrono::seconds> hms(t - day);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

// aws:CurrentTime and aws:EpochTime for `now`, formatted once per second per
// thread (a runtime call makes several decisions in the same second).
struct TimeKeys {
  int64_t second = std::numeric_limits<int64_t>::min();
  std::string current_time;
  std::string epoch_time;
};
const TimeKeys& TimeKeysFor(std::chrono::sys_seconds now) {
  thread_local TimeKeys cache;
  const int64_t second = now.time_since_epoch().count();
  if (cache.second != second) {
    cache.second = second;
    cache.current_time = FormatIso8601Seconds(now);
    cache.epoch_time = std::to_string(second);
  }
  return cache;
}

// True for "arn:<partition>:iam:...".
bool IsIamArn(std::string_view arn) {
  if (!arn.starts_with("arn:")) return false;
  const size_t second = arn.find(':', 4);
  return second != std::string_view::npos && arn.substr(second + 1).starts_with("iam:");
}

// aws:username: the last path part of "arn:aws:iam::<acct>:user/<path/>name";
// empty for any other ARN (roles, assumed roles, non-IAM services).
std::string_view UserName(std::string_view arn) {
  if (!IsIamArn(arn)) return {};
  size_t pos = 0;
  for (int colons = 0; colons < 5; ++colons) {  // skip arn:partition:service:region:account:
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  const std::string_view resource = arn.substr(pos);
  if (!resource.starts_with("user/")) return {};
  return resource.substr(resource.rfind('/') + 1);
}

// Whether evaluating `policy` may read the request context: a condition, or
// a Resource/NotResource entry with a policy variable (Action has none).
bool ReadsContext(const Policy& policy) {
  for (const Statement& st : policy.statements) {
    if (!st.conditions.empty()) return true;
    for (const ArnPattern& r : st.resources) {
      if (!r.pattern.constant()) return true;
    }
  }
  return false;
}

}  // namespace

IamAuthorizer::IamAuthorizer(Options options) : options_(std::move(options)) {}

Result<std::unique_ptr<IamAuthorizer>> IamAuthorizer::Create(
    std::vector<PrincipalPolicies> principals, Options options) {
  std::unique_ptr<IamAuthorizer> authorizer(new IamAuthorizer(std::move(options)));
  for (PrincipalPolicies& p : principals) {
    BP_RETURN_IF_ERROR(authorizer->AddPrincipal(std::move(p)));
  }
  return authorizer;
}

Status IamAuthorizer::AddPrincipal(PrincipalPolicies principal) {
  if (principal.name.empty()) return ValidationError("principal with an empty name");
  auto [it, inserted] = principals_.try_emplace(principal.name);
  if (!inserted) return ValidationError("principal \"" + principal.name + "\" configured twice");
  Entry& entry = it->second;
  entry.arn = principal.arn;
  entry.policies.reserve(principal.policies.size());
  for (const PolicySource& source : principal.policies) {
    BP_ASSIGN_OR_RETURN(Policy policy, ParsePolicy(source.text, source.origin));
    entry.policies.push_back(std::move(policy));
  }
  // Pointers are taken only once the vector stops growing.
  for (const Policy& policy : entry.policies) {
    entry.policy_ptrs.push_back(&policy);
    entry.reads_context = entry.reads_context || ReadsContext(policy);
  }

  Context& ctx = entry.base_context;
  ctx.Set("aws:PrincipalArn", principal.arn);
  ctx.Set("aws:userid", principal.name);
  if (std::string_view user = UserName(principal.arn); !user.empty()) {
    ctx.Set("aws:username", std::string(user));
  }
  for (const auto& [key, value] : principal.tags) {
    ctx.Set("aws:PrincipalTag/" + key, value);
  }
  if (!options_.requested_region.empty()) {
    ctx.Set("aws:RequestedRegion", options_.requested_region);
  }
  return Status::Ok();
}

Result<Decision> IamAuthorizer::Decide(const Entry& entry, const RequestFacts& facts,
                                       const AuthorizationRequest& question) const {
  for (const ContextEntry& e : question.context) {
    if (!e.multi && e.values.size() != 1) {
      return InternalError("context key " + e.key + " is single-valued but has " +
                           std::to_string(e.values.size()) + " values");
    }
  }

  Context ctx;
  ctx.SetFallback(&entry.base_context);  // the principal's keys, not copied
  if (entry.reads_context) {
    ctx.Set("aws:SourceIp", facts.source_ip);
    ctx.Set("aws:SecureTransport", facts.secure_transport ? "true" : "false");
    const auto now = std::chrono::floor<std::chrono::seconds>(facts.time);
    const TimeKeys& time = TimeKeysFor(now);
    ctx.Set("aws:CurrentTime", time.current_time);
    ctx.Set("aws:EpochTime", time.epoch_time);
    for (const ContextEntry& e : question.context) {
      if (e.multi) {
        ctx.SetList(e.key, e.values);
      } else {
        ctx.Set(e.key, e.values.front());
      }
    }
  }
  return Evaluate(entry.policy_ptrs, question.action, question.resource, ctx);
}

Status IamAuthorizer::Authorize(const Principal& principal, const RequestFacts& facts,
                                const AuthorizationRequest& question) const {
  auto it = principals_.find(principal.name);
  if (it == principals_.end()) {
    spdlog::info("authz: {} {} on {}: implicitly denied: unknown principal", principal.name,
                 question.action, question.resource);
    return Deny(principal, question, /*explicit_deny=*/false);
  }
  BP_ASSIGN_OR_RETURN(const Decision decision, Decide(it->second, facts, question));
  // Denials at info (an operator needs the deciding statement); allows at
  // debug: a runtime call makes several decisions and the access log already
  // says it succeeded.
  const auto level = decision.allowed() ? spdlog::level::debug : spdlog::level::info;
  if (spdlog::default_logger_raw()->should_log(level)) {
    spdlog::log(level, "authz: {} {} on {}: {}", principal.name, question.action, question.resource,
                decision.Describe());
  }
  if (decision.allowed()) return Status::Ok();
  return Deny(principal, question, decision.outcome == Outcome::kExplicitDeny);
}

Explanation IamAuthorizer::Explain(const Principal& principal, const RequestFacts& facts,
                                   const AuthorizationRequest& question) const {
  auto it = principals_.find(principal.name);
  if (it == principals_.end()) {
    return {.outcome = Explanation::Outcome::kImplicitDeny,
            .reason = "implicitly denied: unknown principal"};
  }
  Result<Decision> decision = Decide(it->second, facts, question);
  if (!decision.ok()) {
    return {.outcome = Explanation::Outcome::kImplicitDeny,
            .reason = "not evaluated: " + decision.status().message()};
  }
  const Explanation::Outcome outcome =
      decision->outcome == Outcome::kAllow          ? Explanation::Outcome::kAllow
      : decision->outcome == Outcome::kExplicitDeny ? Explanation::Outcome::kExplicitDeny
                                                    : Explanation::Outcome::kImplicitDeny;
  return {.outcome = outcome, .reason = decision->Describe()};
}

Status IamAuthorizer::Deny(const Principal& principal, const AuthorizationRequest& question,
                           bool explicit_deny) const {
  std::string message = "User: ";
  message += principal.arn;
  message += " is not authorized to perform: ";
  message += question.action;
  message += " on resource: ";
  message += question.resource;
  if (explicit_deny) {
    message += " with an explicit deny in an identity-based policy";
  } else {
    message += " because no identity-based policy allows the ";
    message += question.action;
    message += " action";
  }
  return Status(ErrorCode::kAccessDenied, std::move(message));
}

}  // namespace bp::auth::iam
