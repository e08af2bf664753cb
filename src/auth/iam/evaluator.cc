#include "auth/iam/evaluator.h"

#include "auth/iam/condition_eval.h"

namespace bp::auth::iam {

namespace {

bool VariablesResolvable(const Statement& st, const Context& context) {
  for (const std::string& key : st.required_variables) {
    const ContextValue* cv = context.FindLowered(key);
    if (cv == nullptr || cv->multi || cv->values.size() != 1) return false;
  }
  return true;
}

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

bool ResourceEntryMatches(const ArnPattern& a, std::string_view resource, const Context& context) {
  if (a.match_all) return true;
  const PolicyString& p = a.pattern;
  if (p.constant()) return ArnMatch(PatternView{p.text, p.literal}, a.split, resource);
  std::string text;
  std::string literal;
  if (!ResolvePolicyString(p, context, text, literal)) return false;
  return ArnMatch(PatternView{text, literal}, SplitArn(text), resource);
}

bool ResourceMatches(const Statement& st, std::string_view resource, const Context& context) {
  bool any = false;
  for (const ArnPattern& a : st.resources) {
    if (ResourceEntryMatches(a, resource, context)) {
      any = true;
      break;
    }
  }
  return st.not_resource ? !any : any;
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
  if (!ActionMatches(st, request.action)) return false;
  if (!VariablesResolvable(st, request.context)) return false;
  if (!ResourceMatches(st, request.resource, request.context)) return false;
  for (const Condition& c : st.conditions) {
    if (!ConditionHolds(c, request.context)) return false;
  }
  return true;
}

Decision Evaluate(const std::vector<const Policy*>& policies, const Request& request) {
  Decision allow;
  for (size_t i = 0; i < policies.size(); ++i) {
    const Policy* policy = policies[i];
    if (policy == nullptr) continue;
    for (const Statement& st : policy->statements) {
      // Once an Allow is found only a Deny can change the outcome.
      if (st.effect == Effect::kAllow && allow.statement != nullptr) continue;
      if (!StatementApplies(st, request)) continue;
      Decision d{st.effect == Effect::kDeny ? Outcome::kExplicitDeny : Outcome::kAllow, policy, &st,
                 i};
      if (st.effect == Effect::kDeny) return d;
      allow = d;
    }
  }
  return allow;
}

}  // namespace bp::auth::iam
