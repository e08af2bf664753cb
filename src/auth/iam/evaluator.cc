#include "auth/iam/evaluator.h"

#include <cstdint>

#include "auth/iam/condition_eval.h"

namespace bp::auth::iam {

namespace {

bool ActionMatches(const Statement& st, std::string_view action) {
  bool any = false;
  for (const ActionPattern& a : st.actions) {
    if (a.Matches(action)) {
      any = true;
      break;
    }
  }
  return st.not_action ? !any : any;
}

// How one Resource/NotResource entry relates to the resource.
enum class EntryMatch : uint8_t { kNo, kYes, kUnknown };

// kUnknown: the entry has a variable without a value (and no default), and
// its other parts do not already rule the resource out.
EntryMatch MatchEntry(const ArnPattern& a, std::string_view resource,
                      const ArnComponents& resource_split, const Context& context) {
  if (a.match_all) return EntryMatch::kYes;
  const PolicyString& p = a.pattern;
  if (p.constant()) {
    return ArnMatch(PatternView{p.text, p.literal}, a.split, resource, resource_split)
               ? EntryMatch::kYes
               : EntryMatch::kNo;
  }
  std::string text;
  std::string literal;
  if (ResolvePolicyString(p, context, text, literal)) {
    return ArnMatch(PatternView{text, literal}, SplitArn(text), resource) ? EntryMatch::kYes
                                                                          : EntryMatch::kNo;
  }
  ResolveUnknownAsWildcard(p, context, text, literal);
  return ArnMatch(PatternView{text, literal}, SplitArn(text), resource) ? EntryMatch::kUnknown
                                                                        : EntryMatch::kNo;
}

// Resource: some entry matches; an unknown entry matches nothing (AWS: "will
// not match any resource"), the others still count.
// NotResource: no entry matches. An unknown entry excludes nothing in a Deny
// (AWS's documentation), and voids the element in an Allow (the simulator's
// reading): whichever reading AWS follows, an unresolved variable never
// widens access (auth.md, "Policy variables with no value").
bool ResourceMatches(const Statement& st, std::string_view resource,
                     const ArnComponents& resource_split, const Context& context) {
  for (const ArnPattern& a : st.resources) {
    EntryMatch m = MatchEntry(a, resource, resource_split, context);
    if (m == EntryMatch::kYes) return !st.not_resource;
    if (m == EntryMatch::kUnknown && st.not_resource && st.effect == Effect::kAllow) return false;
  }
  return st.not_resource;
}

// StatementApplies with the resource already split (SplitArn(resource)).
bool Applies(const Statement& st, std::string_view action, std::string_view resource,
             const ArnComponents& resource_split, const Context& context) {
  if (!ActionMatches(st, action)) return false;
  if (!ResourceMatches(st, resource, resource_split, context)) return false;
  for (const Condition& c : st.conditions) {
    if (!ConditionHolds(c, context, st.effect)) return false;
  }
  return true;
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAllow:
      return "allow";
    case Outcome::kExplicitDeny:
      return "explicit_deny";
    case Outcome::kImplicitDeny:
      return "implicit_deny";
  }
  return "implicit_deny";
}

std::string Decision::Describe() const {
  if (statement == nullptr || policy == nullptr) {
    return "implicitly denied: no statement allows it";
  }
  std::string out = outcome == Outcome::kAllow ? "allowed" : "explicitly denied";
  out += " by statement " + statement->Name() + " of policy " + std::to_string(policy_index);
  if (!policy->origin.empty()) out += " (" + policy->origin + ")";
  return out;
}

bool StatementApplies(const Statement& st, const Request& request) {
  return Applies(st, request.action, request.resource, SplitArn(request.resource), request.context);
}

Decision Evaluate(const std::vector<const Policy*>& policies, const Request& request) {
  return Evaluate(policies, request.action, request.resource, request.context);
}

Decision Evaluate(const std::vector<const Policy*>& policies, std::string_view action,
                  std::string_view resource, const Context& context) {
  const ArnComponents resource_split = SplitArn(resource);
  Decision allow;
  for (size_t i = 0; i < policies.size(); ++i) {
    const Policy* policy = policies[i];
    if (policy == nullptr) continue;
    for (const Statement& st : policy->statements) {
      // Once an Allow is found only a Deny can change the outcome.
      if (st.effect == Effect::kAllow && allow.statement != nullptr) continue;
      if (!Applies(st, action, resource, resource_split, context)) continue;
      Decision d{st.effect == Effect::kDeny ? Outcome::kExplicitDeny : Outcome::kAllow, policy, &st,
                 i};
      if (st.effect == Effect::kDeny) return d;
      allow = d;
    }
  }
  return allow;
}

}  // namespace bp::auth::iam
