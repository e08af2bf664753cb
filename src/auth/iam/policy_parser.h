#pragma once
// Parsing and validation of IAM identity-based policy documents (auth.md §3)
// into the compiled form of policy.h. Public header of bp_auth_iam.
//
// What is refused, each with the JSON path of the offending element:
//   - malformed JSON, a document over the size limits, duplicate object keys;
//   - Version other than "2012-10-17" or "2008-10-17" (absent = 2008-10-17);
//   - members other than Version, Id and Statement at the top; Statement
//     neither an object nor a list;
//   - in a statement: unknown members; Principal or NotPrincipal (not allowed
//     in an identity-based policy); Effect other than "Allow"/"Deny"; not
//     exactly one of Action/NotAction or of Resource/NotResource; empty lists;
//     a Sid that is not alphanumeric or repeats another Sid of the policy;
//   - an action that is neither "*" nor "service:Name" (wildcards are allowed
//     in the name, not in the service prefix); a resource that is neither "*"
//     nor starts with "arn:"; malformed ${...} in Version 2012-10-17;
//   - in Condition: an unknown operator (AWS's policy validator refuses it;
//     the README's simulator would treat it as a false condition, which hides
//     typos such as "StringEqualz"), Null combined with IfExists or a set
//     qualifier, a key without a service prefix, no values, and values that
//     the operator cannot read (numbers, dates, CIDR blocks, booleans, base64).
//
// Condition values may be JSON strings, booleans or numbers (true and "true"
// are the same value). Parsing never throws and never crashes on hostile
// input; sizes are capped by ParseOptions.

#include <cstddef>
#include <string_view>

#include "auth/iam/policy.h"
#include "core/status.h"

namespace bp::auth::iam {

struct ParseOptions {
  // Longest document accepted. AWS's own limits are far lower (6 KiB for a
  // managed policy); this only guards against hostile input.
  size_t max_document_bytes = 128 * 1024;
  size_t max_statements = 256;
  // Most entries in one Action/Resource list, one condition's value list, and
  // most conditions (operator, key pairs) in one statement.
  size_t max_entries = 512;
  // Longest single string (action, resource, condition key or value).
  size_t max_string_bytes = 2048;
};

// Parses `text`. `origin` names where the document came from
// ("bedrock-profiles.hcl:40:14", a file path) and is kept in Policy::origin.
// Errors are kValidation with message "$.Statement[1].Effect: expected
// \"Allow\" or \"Deny\", got \"Allowed\"" and location `origin`, so
// Status::ToString() reads "origin: $.Statement[1].Effect: ...".
Result<Policy> ParsePolicy(std::string_view text, std::string_view origin,
                           const ParseOptions& options = {});

}  // namespace bp::auth::iam
