#pragma once
// Evaluation of one Condition (operator, key, values) against a request
// context (auth.md §3 and the rules of testdata/iam/README.md). Private to
// bp_auth_iam; the evaluator calls it for each condition of a statement.

#include "auth/iam/policy.h"
#include "auth/iam/request.h"

namespace bp::auth::iam {

// Whether `condition` holds for `context`:
//   - Null: true when presence of the key matches a listed "true" (absent)
//     or "false" (present).
//   - key absent: true with IfExists; else ForAllValues true, ForAnyValue
//     false, a plain negated operator true, a plain positive one false.
//   - key present: ForAnyValue: some request value satisfies the operator;
//     ForAllValues: every request value does (true for an empty list); plain:
//     a positive operator holds when some request value matches some policy
//     value, a negated one when none does (for a single-valued key this is
//     the usual test; for a list it treats the list as "any of").
//   - a request value the operator cannot read (not a number, date, address,
//     boolean or base64) matches no policy value.
// Policy values with variables are resolved against `context`. A value whose
// variable has no value (and no default) is unknown: it matches nothing, so
// the other values decide a positive operator; for a negated operator, when
// no other value matches, the test is true in a Deny statement (AWS's
// documentation: negated operators match a null value) and false in an Allow
// (the simulator's reading), so that it never widens access. `effect` is the
// effect of the statement holding the condition.
bool ConditionHolds(const Condition& condition, const Context& context, Effect effect);

}  // namespace bp::auth::iam
