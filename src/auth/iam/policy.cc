#include "auth/iam/policy.h"

#include <array>
#include <utility>

namespace bp::auth::iam {

namespace {

using Op = ConditionOperator;

constexpr std::array<std::pair<Op, std::string_view>, 27> kOperators = {{
    {Op::kStringEquals, "StringEquals"},
    {Op::kStringNotEquals, "StringNotEquals"},
    {Op::kStringEqualsIgnoreCase, "StringEqualsIgnoreCase"},
    {Op::kStringNotEqualsIgnoreCase, "StringNotEqualsIgnoreCase"},
    {Op::kStringLike, "StringLike"},
    {Op::kStringNotLike, "StringNotLike"},
    {Op::kNumericEquals, "NumericEquals"},
    {Op::kNumericNotEquals, "NumericNotEquals"},
    {Op::kNumericLessThan, "NumericLessThan"},
    {Op::kNumericLessThanEquals, "NumericLessThanEquals"},
    {Op::kNumericGreaterThan, "NumericGreaterThan"},
    {Op::kNumericGreaterThanEquals, "NumericGreaterThanEquals"},
    {Op::kDateEquals, "DateEquals"},
    {Op::kDateNotEquals, "DateNotEquals"},
    {Op::kDateLessThan, "DateLessThan"},
    {Op::kDateLessThanEquals, "DateLessThanEquals"},
    {Op::kDateGreaterThan, "DateGreaterThan"},
    {Op::kDateGreaterThanEquals, "DateGreaterThanEquals"},
    {Op::kBool, "Bool"},
    {Op::kBinaryEquals, "BinaryEquals"},
    {Op::kIpAddress, "IpAddress"},
    {Op::kNotIpAddress, "NotIpAddress"},
    {Op::kArnEquals, "ArnEquals"},
    {Op::kArnLike, "ArnLike"},
    {Op::kArnNotEquals, "ArnNotEquals"},
    {Op::kArnNotLike, "ArnNotLike"},
    {Op::kNull, "Null"},
}};

}  // namespace

bool ActionPattern::Matches(std::string_view action) const {
  if (text == "*") return true;
  return WildcardMatch(PatternView{text, {}}, action, CaseMode::kAsciiInsensitive);
}

std::string_view ConditionOperatorName(ConditionOperator op) {
  for (const auto& [value, name] : kOperators) {
    if (value == op) return name;
  }
  return "?";
}

std::optional<ConditionOperator> ConditionOperatorFromName(std::string_view name) {
  for (const auto& [value, known] : kOperators) {
    if (known == name) return value;
  }
  return std::nullopt;
}

bool IsNegated(ConditionOperator op) {
  switch (op) {
    case Op::kStringNotEquals:
    case Op::kStringNotEqualsIgnoreCase:
    case Op::kStringNotLike:
    case Op::kNumericNotEquals:
    case Op::kDateNotEquals:
    case Op::kNotIpAddress:
    case Op::kArnNotEquals:
    case Op::kArnNotLike:
      return true;
    default:
      return false;
  }
}

std::string Statement::Name() const {
  if (!sid.empty()) return sid;
  return "#" + std::to_string(index);
}

}  // namespace bp::auth::iam
