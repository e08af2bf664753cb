#pragma once
// Guardrails (bedrock-api.md; docs/runtime.md "Guardrails"): a configured
// guardrail's word and pattern rules, and the pure check of text against
// them. No I/O, no wire format: the runtime service decides what text to
// check (api/runtime/guardrail_wire.h) and renders the Assessment.
// Public header of bp_guardrails.
//
// Word rule (Bedrock's custom word filter): a word or phrase matches where
// it occurs in the text case-insensitively (ASCII letters fold) and is not
// part of a longer word: the characters just before and after it are not
// letters, digits or non-ASCII bytes. Pattern rule (Bedrock's regex
// filter of the sensitive information policy): an RE2 pattern, matched
// unanchored, case-sensitively unless it says (?i). Matching is linear in
// the text (RE2), so no pattern can stall a request or exhaust the stack.
//
// Thread-safety: a Guardrail is immutable after Create; Evaluate may run on
// any number of threads at once.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace re2 {
class RE2;
}

namespace bp::guardrails {

// Bedrock's default message for both directions.
inline constexpr std::string_view kDefaultBlockedMessage =
    "Sorry, the model cannot answer this question.";

// Which side of a model call is checked (ApplyGuardrail's source).
enum class Source : uint8_t { kInput, kOutput };

// "DRAFT", or 1-99999999 without a leading zero (Bedrock's
// ^(([1-9][0-9]{0,7})|(DRAFT))$).
bool IsValidVersion(std::string_view version);

// Guardrail ids as Bedrock issues them: 12 characters [a-z0-9].
bool IsValidId(std::string_view id);

// OK when `pattern` compiles as Evaluate compiles it (RE2 syntax); else
// kValidation with RE2's reason ("missing ): (a").
Status CheckPattern(std::string_view pattern);

// One direction's rules.
struct Rules {
  std::vector<std::string> words;     // words or phrases, as configured
  std::vector<std::string> patterns;  // RE2 patterns
  std::string blocked_message;        // what replaces blocked text
};

struct Spec {
  std::string name;  // the config's map key
  std::string id;    // IsValidId
  // The published version besides DRAFT, if any ("1"); both have the same rules.
  std::optional<std::string> version;
  Rules input;
  Rules output;
};

struct RegexFinding {
  std::string regex;  // the pattern, as configured
  std::string match;  // the text it matched (the first match in that text)
};

// What one check found. Findings are listed once each, in rule order.
struct Assessment {
  bool intervened = false;
  std::vector<std::string> words;  // configured words that matched
  std::vector<RegexFinding> regexes;
  // Characters (Unicode code points) of the text checked, and Bedrock's text
  // units of it (1 per started 1000 characters) for each policy that has
  // rules on this side (0 when the policy has none).
  int64_t characters = 0;
  int64_t word_units = 0;
  int64_t regex_units = 0;
};

class Guardrail final {
 public:
  // Errors: kValidation for an id or version Bedrock would not accept, or a
  // pattern that does not compile (the config refuses both earlier).
  static Result<std::unique_ptr<const Guardrail>> Create(Spec spec);
  ~Guardrail();

  const std::string& name() const { return spec_.name; }
  const std::string& id() const { return spec_.id; }
  const std::optional<std::string>& version() const { return spec_.version; }
  // DRAFT, or the published version.
  bool HasVersion(std::string_view version) const;
  const Rules& rules(Source source) const {
    return source == Source::kInput ? spec_.input : spec_.output;
  }

  // Checks the texts (together, as one request's content) against the
  // rules of `source`. Intervenes when any word or pattern matches.
  Assessment Evaluate(Source source, std::span<const std::string_view> texts) const;

 private:
  explicit Guardrail(Spec spec);

  Spec spec_;
  std::vector<std::unique_ptr<re2::RE2>> input_patterns_;
  std::vector<std::unique_ptr<re2::RE2>> output_patterns_;
};

// The configured guardrails, by id. Immutable; thread-safe.
class GuardrailSet final {
 public:
  GuardrailSet() = default;
  explicit GuardrailSet(std::vector<std::unique_ptr<const Guardrail>> guardrails);

  // nullptr when no guardrail has that id.
  const Guardrail* Find(std::string_view id) const;
  bool empty() const { return guardrails_.empty(); }

 private:
  std::vector<std::unique_ptr<const Guardrail>> guardrails_;  // sorted by id
};

}  // namespace bp::guardrails
