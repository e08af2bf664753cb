// guardrails = { NAME = { ... } }: the guardrails the local endpoint serves
// (Converse guardrailConfig, InvokeModel's guardrail headers, ApplyGuardrail).

#include <algorithm>
#include <map>

#include "config/binder.h"
#include "guardrails/guardrail.h"

namespace bp::config {

namespace {

constexpr std::string_view kGuardrailKeys[] = {"id",
                                               "version",
                                               "blocked_input_words",
                                               "blocked_output_words",
                                               "blocked_input_patterns",
                                               "blocked_output_patterns",
                                               "blocked_input_message",
                                               "blocked_output_message"};
constexpr size_t kMaxNameLength = 50;      // Bedrock's guardrail name limit
constexpr size_t kMaxWordLength = 100;     // Bedrock's custom word limit
constexpr size_t kMaxWords = 10'000;       // Bedrock's custom words per guardrail
constexpr size_t kMaxPatternLength = 500;  // Bedrock's regex pattern limit
constexpr size_t kMaxMessageLength = 500;  // Bedrock's blocked messaging limit

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string Folded(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A list of non-empty strings of at most `max_length` bytes, without
// repeats (compared ASCII case-insensitively for words). Patterns must also
// compile as RE2.
std::vector<std::string> BindStringList(const ast::Entry& entry, const std::string& path,
                                        size_t max_length, bool words, DiagnosticSink& sink) {
  std::vector<std::string> out;
  if (!ExpectKind(entry.value, ast::Kind::kList, path, sink)) return out;
  if (words && entry.value.items.size() > kMaxWords) {
    sink.Error(entry.value.location, path + ": " + std::to_string(entry.value.items.size()) +
                                         " words; Bedrock allows at most 10000");
  }
  std::map<std::string, size_t, std::less<>> seen;
  for (size_t i = 0; i < entry.value.items.size(); ++i) {
    const ast::Value& item = entry.value.items[i];
    std::string item_path = IndexPath(path, i);
    if (!ExpectKind(item, ast::Kind::kString, item_path, sink)) continue;
    if (item.text.empty() || item.text.size() > max_length) {
      sink.Error(item.location,
                 item_path + ": must be 1 to " + std::to_string(max_length) + " characters long");
      continue;
    }
    if (!words) {
      if (item.text.find_first_not_of(" \t\r\n") == std::string::npos) {
        sink.Error(item.location, item_path + ": a pattern must not be blank");
        continue;
      }
      Status compiled = guardrails::CheckPattern(item.text);
      if (!compiled.ok()) {
        sink.Error(item.location,
                   item_path + ": not a valid RE2 regular expression (" + compiled.message() + ")");
        continue;
      }
    } else if (item.text.find_first_not_of(" \t\r\n") == std::string::npos) {
      sink.Error(item.location, item_path + ": a word must not be blank");
      continue;
    }
    auto [it, inserted] = seen.emplace(words ? Folded(item.text) : item.text, i);
    if (!inserted) {
      sink.Error(item.location, item_path + ": '" + item.text + "' is already listed at " +
                                    IndexPath(path, it->second));
      continue;
    }
    out.push_back(item.text);
  }
  return out;
}

void BindList(const std::vector<ast::Entry>& fields, std::string_view key, const std::string& path,
              bool words, std::vector<std::string>& out, DiagnosticSink& sink) {
  if (const ast::Entry* e = FindSet(fields, key)) {
    out = BindStringList(*e, ChildPath(path, key), words ? kMaxWordLength : kMaxPatternLength,
                         words, sink);
  }
}

std::string BindMessage(const std::vector<ast::Entry>& fields, std::string_view key,
                        const std::string& path, DiagnosticSink& sink) {
  const ast::Value* v = StringMember(fields, key, path, {}, false, sink);
  if (v == nullptr) return std::string(guardrails::kDefaultBlockedMessage);
  if (v->text.empty() || v->text.size() > kMaxMessageLength) {
    sink.Error(v->location, ChildPath(path, key) + ": must be 1 to 500 characters long");
  }
  return v->text;
}

std::optional<GuardrailConfig> BindGuardrail(
    const ast::Entry& entry, std::map<std::string, const ast::Entry*, std::less<>>& ids,
    DiagnosticSink& sink) {
  size_t errors_before = sink.error_count();
  std::string path = ChildPath("guardrails", entry.key);
  if (entry.key.empty() || entry.key.size() > kMaxNameLength ||
      !std::all_of(entry.key.begin(), entry.key.end(), IsNameChar)) {
    sink.Error(entry.key_location, "guardrails: guardrail name '" + entry.key +
                                       "' must be 1 to 50 characters of letters, digits, '-' "
                                       "and '_' (Bedrock's rule for guardrail names)");
  }
  if (!ExpectKind(entry.value, ast::Kind::kObject, path, sink)) return std::nullopt;
  const std::vector<ast::Entry>& fields = entry.value.entries;
  CheckKeys(fields, kGuardrailKeys, path, sink);
  GuardrailConfig g;
  g.name = entry.key;
  g.location = entry.key_location;
  if (const ast::Value* id = StringMember(fields, "id", path, entry.key_location, true, sink)) {
    if (!guardrails::IsValidId(id->text)) {
      sink.Error(id->location, path + ".id: guardrail id '" + id->text +
                                   "' must be exactly 12 characters [a-z0-9], as Bedrock issues "
                                   "them (e.g. gr4x8k2m9q1z)");
    } else if (auto [it, inserted] = ids.emplace(id->text, &entry); !inserted) {
      sink.Error(id->location, path + ".id: id '" + id->text + "' is already used by guardrail '" +
                                   it->second->key + "' (" + it->second->key_location.ToString() +
                                   ")");
    } else {
      g.id = id->text;
    }
  }
  if (const ast::Value* v = StringMember(fields, "version", path, {}, false, sink)) {
    if (v->text == "DRAFT") {
      sink.Error(v->location, path +
                                  ".version: DRAFT always exists; version names the "
                                  "published version, a number from 1 to 99999999");
    } else if (!guardrails::IsValidVersion(v->text)) {
      sink.Error(v->location, path + ".version: '" + v->text +
                                  "' is not a guardrail version; expected a number from 1 to "
                                  "99999999 written as a string (e.g. \"1\")");
    } else {
      g.version = v->text;
    }
  }
  BindList(fields, "blocked_input_words", path, true, g.blocked_input_words, sink);
  BindList(fields, "blocked_output_words", path, true, g.blocked_output_words, sink);
  BindList(fields, "blocked_input_patterns", path, false, g.blocked_input_patterns, sink);
  BindList(fields, "blocked_output_patterns", path, false, g.blocked_output_patterns, sink);
  g.blocked_input_message = BindMessage(fields, "blocked_input_message", path, sink);
  g.blocked_output_message = BindMessage(fields, "blocked_output_message", path, sink);
  if (sink.error_count() != errors_before) return std::nullopt;
  if (g.blocked_input_words.empty() && g.blocked_output_words.empty() &&
      g.blocked_input_patterns.empty() && g.blocked_output_patterns.empty()) {
    sink.Warning(entry.key_location,
                 path + ": lists no blocked word or pattern: it never intervenes");
  }
  return g;
}

}  // namespace

std::vector<GuardrailConfig> BindGuardrails(const ast::Value& value, DiagnosticSink& sink) {
  std::vector<GuardrailConfig> out;
  if (!ExpectKind(value, ast::Kind::kObject, "guardrails", sink)) return out;
  std::map<std::string, const ast::Entry*, std::less<>> ids;
  for (const ast::Entry& entry : value.entries) {
    if (auto g = BindGuardrail(entry, ids, sink)) out.push_back(std::move(*g));
  }
  std::sort(out.begin(), out.end(),
            [](const GuardrailConfig& a, const GuardrailConfig& b) { return a.name < b.name; });
  return out;
}

}  // namespace bp::config
