#include "auth/iam/condition_eval.h"

#include <optional>
#include <string>
#include <string_view>

namespace bp::auth::iam {

namespace {

using Op = ConditionOperator;
using Tri = std::optional<bool>;  // nullopt: a policy variable cannot be resolved

// The operator whose outcome a negated operator inverts.
Op Positive(Op op) {
  switch (op) {
    case Op::kStringNotEquals:
      return Op::kStringEquals;
    case Op::kStringNotEqualsIgnoreCase:
      return Op::kStringEqualsIgnoreCase;
    case Op::kStringNotLike:
      return Op::kStringLike;
    case Op::kNumericNotEquals:
      return Op::kNumericEquals;
    case Op::kDateNotEquals:
      return Op::kDateEquals;
    case Op::kNotIpAddress:
      return Op::kIpAddress;
    case Op::kArnNotEquals:
      return Op::kArnEquals;
    case Op::kArnNotLike:
      return Op::kArnLike;
    default:
      return op;
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

// Runs `test` on the pattern of `s`, resolving variables first when it has any.
template <class Test>
Tri WithResolved(const PolicyString& s, const Context& context, Test test) {
  if (s.constant()) return test(PatternView{s.text, s.literal});
  std::string text;
  std::string literal;
  if (!ResolvePolicyString(s, context, text, literal)) return std::nullopt;
  return test(PatternView{text, literal});
}

bool StringTest(Op op, PatternView pattern, std::string_view value) {
  switch (op) {
    case Op::kStringEquals:
      return pattern.text == value;
    case Op::kStringEqualsIgnoreCase:
      return EqualsIgnoreCase(pattern.text, value);
    default:  // kStringLike
      return WildcardMatch(pattern, value, CaseMode::kSensitive);
  }
}

// ArnEquals and ArnLike both compare component by component with wildcards,
// as AWS documents them (one description for both operators).
Tri ArnTest(const ArnPattern& a, const Context& context, std::string_view value) {
  if (a.match_all) return true;
  if (a.pattern.constant()) {
    return ArnMatch(PatternView{a.pattern.text, a.pattern.literal}, a.split, value);
  }
  return WithResolved(a.pattern, context,
                      [&](PatternView p) { return ArnMatch(p, SplitArn(p.text), value); });
}

template <class T>
bool Compare(Op op, T request, T policy) {
  switch (op) {
    case Op::kNumericEquals:
    case Op::kDateEquals:
      return request == policy;
    case Op::kNumericLessThan:
    case Op::kDateLessThan:
      return request < policy;
    case Op::kNumericLessThanEquals:
    case Op::kDateLessThanEquals:
      return request <= policy;
    case Op::kNumericGreaterThan:
    case Op::kDateGreaterThan:
      return request > policy;
    case Op::kNumericGreaterThanEquals:
    case Op::kDateGreaterThanEquals:
      return request >= policy;
    default:
      return false;
  }
}

template <class T>
bool AnyCompare(Op op, const std::optional<T>& request, const std::vector<T>& policy) {
  if (!request) return false;
  for (const T& p : policy) {
    if (Compare(op, *request, p)) return true;
  }
  return false;
}

// True when some policy value matches; else nullopt when some value could not
// be resolved (it matches nothing, but a negated operator must know).
Tri AnyString(Op op, const std::vector<PolicyString>& policy, const Context& context,
              std::string_view value) {
  Tri out = false;
  for (const PolicyString& p : policy) {
    Tri r = WithResolved(p, context, [&](PatternView v) { return StringTest(op, v, value); });
    if (r && *r) return true;
    if (!r) out = std::nullopt;
  }
  return out;
}

Tri AnyArn(const std::vector<ArnPattern>& policy, const Context& context, std::string_view value) {
  Tri out = false;
  for (const ArnPattern& a : policy) {
    Tri r = ArnTest(a, context, value);
    if (r && *r) return true;
    if (!r) out = std::nullopt;
  }
  return out;
}

bool AnyCidr(const std::vector<Cidr>& policy, std::string_view value) {
  std::optional<IpAddress> ip = ParseIpAddress(value);
  if (!ip) return false;
  for (const Cidr& c : policy) {
    if (c.Contains(*ip)) return true;
  }
  return false;
}

bool AnyBinary(const std::vector<std::string>& policy, std::string_view value) {
  std::optional<std::string> bytes = DecodeBase64(value);
  if (!bytes) return false;
  for (const std::string& p : policy) {
    if (p == *bytes) return true;
  }
  return false;
}

bool BoolTest(const BoolSet& set, std::string_view value) {
  std::optional<bool> b = ParseBool(value);
  return b && (*b ? set.has_true : set.has_false);
}

// Whether one request value matches any policy value under the positive form
// of the operator: true, false, or nullopt (no value matches and one of them
// has a variable without a value).
Tri PositiveMatch(const Condition& c, std::string_view value, const Context& context) {
  const Op op = Positive(c.op);
  if (const auto* strings = std::get_if<std::vector<PolicyString>>(&c.values)) {
    return AnyString(op, *strings, context, value);
  }
  if (const auto* arns = std::get_if<std::vector<ArnPattern>>(&c.values)) {
    return AnyArn(*arns, context, value);
  }
  if (const auto* numbers = std::get_if<std::vector<double>>(&c.values)) {
    return AnyCompare(op, ParseNumber(value), *numbers);
  }
  if (const auto* dates = std::get_if<std::vector<int64_t>>(&c.values)) {
    return AnyCompare(op, ParseTimestampMicros(value), *dates);
  }
  if (const auto* cidrs = std::get_if<std::vector<Cidr>>(&c.values)) return AnyCidr(*cidrs, value);
  if (const auto* bools = std::get_if<BoolSet>(&c.values)) return BoolTest(*bools, value);
  if (const auto* bytes = std::get_if<std::vector<std::string>>(&c.values)) {
    return AnyBinary(*bytes, value);
  }
  return false;
}

bool AbsentKey(const Condition& c) {
  if (c.if_exists) return true;
  switch (c.set) {
    case SetQualifier::kForAllValues:
      return true;
    case SetQualifier::kForAnyValue:
      return false;
    case SetQualifier::kNone:
      break;
  }
  return IsNegated(c.op);
}

bool NullHolds(const Condition& c, const ContextValue* value) {
  const auto* set = std::get_if<BoolSet>(&c.values);
  if (set == nullptr) return false;
  return value == nullptr ? set->has_true : set->has_false;
}

// The outcome of one request value under the condition's operator, from
// PositiveMatch's answer. For a negated operator an unknown match (some
// policy value holds a variable without a value, and no other value matches)
// is true in a Deny and false in an Allow: AWS's documentation has a negated
// operator match such a value, the simulator does not, and either way the
// evaluator never widens access (auth.md, "Policy variables with no value").
bool ValueHolds(const Condition& c, Tri positive, Effect effect) {
  if (!IsNegated(c.op)) return positive.value_or(false);
  if (!positive) return effect == Effect::kDeny;
  return !*positive;
}

// Plain operator on a present key: a positive operator holds when some
// request value matches some policy value, a negated one when none does.
bool PlainHolds(const Condition& c, const ContextValue& cv, const Context& context, Effect effect) {
  Tri any = false;
  for (const std::string& v : cv.values) {
    Tri r = PositiveMatch(c, v, context);
    if (r && *r) {
      any = true;
      break;
    }
    if (!r) any = std::nullopt;
  }
  return ValueHolds(c, any, effect);
}

// ForAnyValue / ForAllValues on a present key.
bool SetHolds(const Condition& c, const ContextValue& cv, const Context& context, Effect effect) {
  const bool for_all = c.set == SetQualifier::kForAllValues;
  for (const std::string& v : cv.values) {
    bool holds = ValueHolds(c, PositiveMatch(c, v, context), effect);
    if (for_all && !holds) return false;
    if (!for_all && holds) return true;
  }
  return for_all;
}

}  // namespace

bool ConditionHolds(const Condition& condition, const Context& context, Effect effect) {
  const ContextValue* cv = context.FindLowered(condition.key);
  if (condition.op == Op::kNull) return NullHolds(condition, cv);
  if (cv == nullptr) return AbsentKey(condition);
  return condition.set == SetQualifier::kNone ? PlainHolds(condition, *cv, context, effect)
                                              : SetHolds(condition, *cv, context, effect);
}

}  // namespace bp::auth::iam
