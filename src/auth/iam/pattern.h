#pragma once
// Wildcard text, policy strings with variables and component-wise ARN
// matching (auth.md §3). Included by policy.h for its member types; other
// modules use policy.h and evaluator.h, not this header directly.
//
// Matching never allocates. Resolving a policy string that holds variables
// writes into caller-provided buffers.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/iam/request.h"
#include "core/status.h"

namespace bp::auth::iam {

// A ${key} or ${key, 'fallback'} reference inside a policy string.
struct VariableRef {
  size_t offset = 0;                    // where the value is inserted into PolicyString::text
  std::string key;                      // context key, lower-cased
  std::optional<std::string> fallback;  // the 'default' text, if written
};

// A string from a policy after parsing. `text` holds the literal parts with
// the variables cut out; `literal` is empty, or holds one byte per byte of
// `text` where 1 marks a character that is never a wildcard (it came from an
// escape ${*} ${?} ${$}). Only Version 2012-10-17 policies have variables
// and escapes; in 2008-10-17 the raw text is kept verbatim.
struct PolicyString {
  std::string text;
  std::string literal;
  std::vector<VariableRef> variables;  // ascending offset

  bool constant() const { return variables.empty(); }
};

// Parses `raw` into a PolicyString. With `variables` false the text is
// taken verbatim. Errors (kValidation, no path) describe malformed ${...}.
Result<PolicyString> ParsePolicyString(std::string_view raw, bool variables);

// A pattern to match: text plus the optional literal mask described above.
struct PatternView {
  std::string_view text;
  std::string_view literal;  // empty, or the same length as `text`

  bool IsStar(size_t i) const { return text[i] == '*' && (literal.empty() || literal[i] == 0); }
  bool IsOne(size_t i) const { return text[i] == '?' && (literal.empty() || literal[i] == 0); }
  PatternView Sub(size_t pos, size_t len) const;
  bool HasWildcard() const;
};

enum class CaseMode : uint8_t { kSensitive, kAsciiInsensitive };

// '*' matches any run of characters (also none), '?' exactly one UTF-8
// character; everything else matches itself.
bool WildcardMatch(PatternView pattern, std::string_view value, CaseMode mode);

// Byte offsets of the ':'-separated ARN components: partition, service,
// region, account, resource. The resource (6th) component is everything after
// the fifth ':', colons included. Fewer than six components are possible
// (truncated patterns, or values that are not ARNs).
struct ArnComponents {
  std::array<size_t, 6> begin{};
  std::array<size_t, 6> end{};
  size_t count = 0;
  // Bit i set: component i of a pattern holds no wildcard, so it matches
  // exactly its own text (set by SplitArnPattern; SplitArn leaves it 0,
  // which matches every component with wildcards).
  uint8_t plain = 0;
};
ArnComponents SplitArn(std::string_view text);
// SplitArn(pattern.text) plus the `plain` bits of its components (a '*' or
// '?' the literal mask marks as escaped is plain text).
ArnComponents SplitArnPattern(PatternView pattern);

// Component-wise ARN match (Resource, NotResource, Arn* operators). Each
// component matches with wildcards that never cross into the next
// component, case-sensitively. The one exception: a pattern with fewer than
// six components whose last component ends in '*' lets that component match
// everything from the same component of the value to the end
// ("arn:aws:bedrock:eu-central-1:*" covers account and resource). `split`
// must be SplitArn(pattern.text).
bool ArnMatch(PatternView pattern, const ArnComponents& split, std::string_view value);
// The same with `value_split` = SplitArn(value) given, for a caller matching
// one value against many patterns.
bool ArnMatch(PatternView pattern, const ArnComponents& split, std::string_view value,
              const ArnComponents& value_split);

// Writes `s` with its variables replaced into `text`/`literal` (characters
// from a variable's value are literal, never wildcards). A variable takes the
// single value of its key, else its fallback. Returns false when a variable
// has neither (the key is absent or multi-valued and no default is written).
bool ResolvePolicyString(const PolicyString& s, const Context& context, std::string& text,
                         std::string& literal);

// As ResolvePolicyString, but a variable that has no value becomes a '*'
// wildcard: the pattern covers every text the variable could stand for. The
// evaluator uses it to tell an entry that cannot match whatever the value
// (its other parts already differ) from one whose outcome is unknown.
void ResolveUnknownAsWildcard(const PolicyString& s, const Context& context, std::string& text,
                              std::string& literal);

}  // namespace bp::auth::iam
