#pragma once
// Helpers the binder uses to read the syntax tree: a sink collecting every
// diagnostic, key paths for messages ("inference_profiles.rd-haiku-45.tags"),
// kind checks, and the unknown-key check with its "did you mean" suggestion.
// Private header of bp_config.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/ast.h"
#include "config/load.h"
#include "core/status.h"

namespace bp::config {

// Collects diagnostics in the order found; LoadText sorts them by location.
class DiagnosticSink final {
 public:
  void Error(const SourceLocation& at, std::string message) {
    errors_.push_back(Diagnostic{at, std::move(message)});
  }
  void Warning(const SourceLocation& at, std::string message) {
    warnings_.push_back(Diagnostic{at, std::move(message)});
  }
  // Records `status` (if failed) as "path: message". Returns status.ok().
  bool Check(const Status& status, const SourceLocation& at, std::string_view path);

  size_t error_count() const { return errors_.size(); }
  std::vector<Diagnostic>& errors() { return errors_; }
  std::vector<Diagnostic>& warnings() { return warnings_; }

 private:
  std::vector<Diagnostic> errors_;
  std::vector<Diagnostic> warnings_;
};

// "parent.key", quoting keys that are not plain words: parent["a b"].
std::string ChildPath(std::string_view parent, std::string_view key);
// "parent[3]".
std::string IndexPath(std::string_view parent, size_t index);

// The entry for `key` whose value is not null, or nullptr (null means "not
// set", as in Terraform).
const ast::Entry* FindSet(const std::vector<ast::Entry>& entries, std::string_view key);

// Records "path: expected <what>, found <kind>" unless `value` has `kind`.
bool ExpectKind(const ast::Value& value, ast::Kind kind, std::string_view path,
                DiagnosticSink& sink);

// The string value of `key`. Absent (or null): nullptr, plus "missing
// required key" at `owner` when `required`. Wrong kind: nullptr and an error.
const ast::Value* StringMember(const std::vector<ast::Entry>& entries, std::string_view key,
                               std::string_view path, const SourceLocation& owner, bool required,
                               DiagnosticSink& sink);

// The service tiers of Bedrock's wire ("default" is the Standard tier).
inline constexpr std::string_view kServiceTiers[] = {"default", "priority", "flex", "reserved"};

// 30 -> "30", 0.5 -> "0.5".
std::string Show(double v);

// A number within [min, max] (whole when `integer`); nullopt when it is not
// a number, not finite or out of range (reported at the value as `path`).
std::optional<double> NumberValue(const ast::Value& value, std::string_view path, double min,
                                  double max, bool integer, DiagnosticSink& sink);
// The member `key` checked by NumberValue; nullopt when absent (or null).
std::optional<double> NumberMember(const std::vector<ast::Entry>& entries, std::string_view key,
                                   std::string_view path, double min, double max, bool integer,
                                   DiagnosticSink& sink);

// Records one error per key not in `allowed`, with a suggestion when a known
// key is close ("did you mean 'model_arn'?") or else the list of known keys.
// `where` names the object in the message ("inference_profiles.rd-haiku-45");
// empty for the top level.
void CheckKeys(const std::vector<ast::Entry>& entries, std::span<const std::string_view> allowed,
               std::string_view where, DiagnosticSink& sink);

// The candidate closest to `word` by edit distance (Damerau-Levenshtein,
// case-insensitive), when close enough to be a likely typo.
std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates);

}  // namespace bp::config
