#pragma once
// Helpers shared by the policy and condition parsers. Private to bp_auth_iam.

#include <string>
#include <string_view>
#include <vector>

#include "auth/iam/policy.h"
#include "auth/iam/policy_parser.h"
#include "core/status.h"
#include "json/json.h"

namespace bp::auth::iam {

struct ParseScope {
  const ParseOptions& options;
  PolicyVersion version;
  bool variables() const { return version == PolicyVersion::k2012_10_17; }
};

// A string read from the document with the JSON path it came from.
struct PathedString {
  std::string text;
  std::string path;
};

// kValidation "path: message".
Status PathError(std::string_view path, std::string_view message);
// `s` as a JSON string literal, cut to 80 characters for messages.
std::string Quoted(std::string_view s);

// A string, or a non-empty list of strings, of at most max_entries items of
// at most max_string_bytes each. `element` names the element in messages.
Result<std::vector<PathedString>> ReadStringList(const json::Value& value, std::string_view path,
                                                 const ParseOptions& options);

// Compiles an ARN pattern ("*" or "arn:...") parsed into a PolicyString.
ArnPattern MakeArnPattern(PolicyString pattern);

// Parses a statement's Condition block.
Result<std::vector<Condition>> ParseConditionBlock(const json::Value& value,
                                                   const std::string& path,
                                                   const ParseScope& scope);

}  // namespace bp::auth::iam
