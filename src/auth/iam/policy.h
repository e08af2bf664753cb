#pragma once
// The typed, pre-compiled form of an IAM identity-based policy (auth.md §3).
// Public header of bp_auth_iam. Build one with ParsePolicy (policy_parser.h);
// evaluate with Evaluate (evaluator.h).
//
// Everything the evaluator needs per request is prepared here at load:
// action patterns lower-cased, ARN patterns split into components, condition
// operators resolved to an enum with their qualifiers, and condition values
// read as the operator's type (numbers, instants, CIDR blocks, booleans,
// decoded bytes). A Policy is immutable after parsing and may be shared by
// any number of threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/iam/pattern.h"
#include "auth/iam/values.h"

namespace bp::auth::iam {

// "2012-10-17" enables policy variables; "2008-10-17" (also the default when
// Version is absent) keeps ${...} as plain text.
enum class PolicyVersion : uint8_t { k2008_10_17, k2012_10_17 };

enum class Effect : uint8_t { kAllow, kDeny };

// One Action/NotAction entry: "*" or "service:Name" with * and ?, stored
// lower-cased and matched ASCII-case-insensitively.
struct ActionPattern {
  std::string text;
  bool Matches(std::string_view action) const;
};

// One Resource/NotResource entry (also an Arn* condition value).
struct ArnPattern {
  PolicyString pattern;
  ArnComponents split;     // of pattern.text; meaningful when pattern.constant()
  bool match_all = false;  // the pattern is exactly "*" (no variables)
};

enum class ConditionOperator : uint8_t {
  kStringEquals,
  kStringNotEquals,
  kStringEqualsIgnoreCase,
  kStringNotEqualsIgnoreCase,
  kStringLike,
  kStringNotLike,
  kNumericEquals,
  kNumericNotEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateNotEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kNotIpAddress,
  kArnEquals,
  kArnLike,
  kArnNotEquals,
  kArnNotLike,
  kNull,
};

// The operator's name as written in policies ("StringEquals").
std::string_view ConditionOperatorName(ConditionOperator op);
// The operator named exactly `name` (no qualifier, no IfExists suffix), or
// std::nullopt. Names are case-sensitive, as in AWS's grammar.
std::optional<ConditionOperator> ConditionOperatorFromName(std::string_view name);
// True for the negated operators (StringNotEquals, NotIpAddress, ArnNotLike,
// ...): they hold when no policy value matches, and for an absent key.
bool IsNegated(ConditionOperator op);

enum class SetQualifier : uint8_t { kNone, kForAnyValue, kForAllValues };

// Which of true/false a Bool or Null condition lists.
struct BoolSet {
  bool has_true = false;
  bool has_false = false;
};

// The policy values of one condition key, typed by operator family:
//   String*            -> std::vector<PolicyString>
//   Arn*               -> std::vector<ArnPattern>
//   Numeric*           -> std::vector<double>
//   Date*              -> std::vector<int64_t> (microseconds since the epoch)
//   IpAddress, Not...  -> std::vector<Cidr>
//   Bool, Null         -> BoolSet
//   BinaryEquals       -> std::vector<std::string> (decoded bytes)
using ConditionValues =
    std::variant<std::vector<PolicyString>, std::vector<ArnPattern>, std::vector<double>,
                 std::vector<int64_t>, std::vector<Cidr>, BoolSet, std::vector<std::string>>;

// One (operator, key) pair of a Condition block. All of a statement's
// conditions must hold (AND); the values of one condition OR together.
struct Condition {
  ConditionOperator op = ConditionOperator::kStringEquals;
  SetQualifier set = SetQualifier::kNone;
  bool if_exists = false;
  std::string operator_text;  // as written, "ForAnyValue:StringEqualsIfExists"
  std::string key;            // lower-cased context key
  ConditionValues values;
};

struct Statement {
  std::string sid;   // empty when the statement has none
  size_t index = 0;  // position in the policy's Statement list
  Effect effect = Effect::kAllow;
  bool not_action = false;  // the patterns came from NotAction
  std::vector<ActionPattern> actions;
  bool not_resource = false;  // the patterns came from NotResource
  std::vector<ArnPattern> resources;
  std::vector<Condition> conditions;

  // "InvokeBedrockProfile", or "#2" when there is no Sid.
  std::string Name() const;
};

struct Policy {
  std::string origin;  // where it came from, for messages ("bedrock-profiles.hcl:40:14")
  PolicyVersion version = PolicyVersion::k2008_10_17;
  std::string id;  // the optional Id element
  std::vector<Statement> statements;
};

}  // namespace bp::auth::iam
