#pragma once
// IAM decision for one request against all of a principal's identity-based
// policies (auth.md §3). Public header of bp_auth_iam.
//
//   any applicable Deny statement  -> kExplicitDeny
//   else any applicable Allow      -> kAllow
//   else                           -> kImplicitDeny
//
// A statement applies when its Action/NotAction covers the action, its
// Resource/NotResource covers the resource and every condition holds. A
// policy variable takes the single value of its key in the context, else its
// default; a value or entry whose variable has neither is unknown: it matches
// nothing in Resource and under positive operators (the other values still
// count), and in NotResource and under negated operators it counts as not
// matching in a Deny and voids the element in an Allow (auth.md, "Policy
// variables with no value").
//
// Evaluate is a pure function of its arguments, thread-safe, and allocates
// nothing unless a matching statement uses policy variables or BinaryEquals.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/iam/policy.h"
#include "auth/iam/request.h"

namespace bp::auth::iam {

enum class Outcome : uint8_t { kAllow, kExplicitDeny, kImplicitDeny };

// "allow", "explicit_deny", "implicit_deny" (the golden cases' spelling).
std::string_view OutcomeName(Outcome outcome);

struct Decision {
  Outcome outcome = Outcome::kImplicitDeny;
  // The statement that decided, and its policy (its index in the vector given
  // to Evaluate). Null for kImplicitDeny. They point into the policies passed
  // to Evaluate and are valid as long as those are.
  const Policy* policy = nullptr;
  const Statement* statement = nullptr;
  size_t policy_index = 0;

  bool allowed() const { return outcome == Outcome::kAllow; }
  // For logs: "allowed by statement InvokeBedrockProfile of policy 0
  // (bedrock-profiles.hcl:40:14)", "explicitly denied by statement #1 of
  // policy 1 (...)", "implicitly denied: no statement allows it".
  std::string Describe() const;
};

// Decides `request` against `policies` (in order; null entries are skipped).
// The first applicable Deny decides; otherwise the first applicable Allow.
Decision Evaluate(const std::vector<const Policy*>& policies, const Request& request);
// The same over views of the request's parts (nothing copied).
Decision Evaluate(const std::vector<const Policy*>& policies, std::string_view action,
                  std::string_view resource, const Context& context);

// Whether `statement` applies to `request`, regardless of its effect.
bool StatementApplies(const Statement& statement, const Request& request);

}  // namespace bp::auth::iam
