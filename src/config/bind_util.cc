#include "config/bind_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace bp::config {

namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsPlainWord(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// Optimal string alignment distance (Damerau-Levenshtein restricted to one
// edit per substring), ignoring case. Keys are short; inputs are capped.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && Lower(a[i - 1]) == Lower(b[j - 2]) &&
          Lower(a[i - 2]) == Lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string Show(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::optional<double> NumberValue(const ast::Value& value, std::string_view path, double min,
                                  double max, bool integer, DiagnosticSink& sink) {
  if (!ExpectKind(value, ast::Kind::kNumber, path, sink)) return std::nullopt;
  const std::string& text = value.text;
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  bool whole = ec == std::errc() && end == text.data() + text.size() && std::isfinite(v);
  if (!whole || (integer && v != std::floor(v))) {
    sink.Error(value.location, std::string(path) + ": expected " +
                                   (integer ? "a whole number" : "a number") + ", found " + text);
    return std::nullopt;
  }
  if (v < min || v > max) {
    sink.Error(value.location, std::string(path) + ": " + text +
                                   " is out of range; expected a value between " + Show(min) +
                                   " and " + Show(max));
    return std::nullopt;
  }
  return v;
}

std::optional<double> NumberMember(const std::vector<ast::Entry>& entries, std::string_view key,
                                   std::string_view path, double min, double max, bool integer,
                                   DiagnosticSink& sink) {
  const ast::Entry* entry = FindSet(entries, key);
  if (entry == nullptr) return std::nullopt;
  return NumberValue(entry->value, ChildPath(path, key), min, max, integer, sink);
}

bool DiagnosticSink::Check(const Status& status, const SourceLocation& at, std::string_view path) {
  if (status.ok()) return true;
  Error(at, std::string(path) + ": " + status.message());
  return false;
}

std::string ChildPath(std::string_view parent, std::string_view key) {
  if (!IsPlainWord(key)) return std::string(parent) + "[\"" + std::string(key) + "\"]";
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

const ast::Entry* FindSet(const std::vector<ast::Entry>& entries, std::string_view key) {
  for (const ast::Entry& e : entries) {
    if (e.key == key) return e.value.kind == ast::Kind::kNull ? nullptr : &e;
  }
  return nullptr;
}

bool ExpectKind(const ast::Value& value, ast::Kind kind, std::string_view path,
                DiagnosticSink& sink) {
  if (value.kind == kind) return true;
  std::string message = std::string(path) + ": expected " + std::string(ast::KindName(kind)) +
                        ", found " + std::string(ast::KindName(value.kind));
  if (kind == ast::Kind::kString && value.kind == ast::Kind::kNumber) {
    message += " (write it in quotes)";
  }
  sink.Error(value.location, std::move(message));
  return false;
}

const ast::Value* StringMember(const std::vector<ast::Entry>& entries, std::string_view key,
                               std::string_view path, const SourceLocation& owner, bool required,
                               DiagnosticSink& sink) {
  const ast::Entry* entry = FindSet(entries, key);
  std::string child = ChildPath(path, key);
  if (entry == nullptr) {
    if (required) {
      std::string where = path.empty() ? std::string() : std::string(path) + ": ";
      sink.Error(owner, where + "missing required key '" + std::string(key) + "'");
    }
    return nullptr;
  }
  if (!ExpectKind(entry->value, ast::Kind::kString, child, sink)) return nullptr;
  return &entry->value;
}

void CheckKeys(const std::vector<ast::Entry>& entries, std::span<const std::string_view> allowed,
               std::string_view where, DiagnosticSink& sink) {
  for (const ast::Entry& e : entries) {
    if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) continue;
    std::string message = where.empty() ? "unknown top-level key '" + e.key + "'"
                                        : "unknown key '" + e.key + "' in " + std::string(where);
    if (auto match = ClosestMatch(e.key, allowed)) {
      message += "; did you mean '" + std::string(*match) + "'?";
    } else {
      message += "; expected one of: ";
      for (size_t i = 0; i < allowed.size(); ++i) {
        message += (i ? ", " : "") + std::string(allowed[i]);
      }
    }
    sink.Error(e.key_location, std::move(message));
  }
}

std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates) {
  if (word.size() > 64) return std::nullopt;  // no key is that long; keep the work bounded
  std::optional<std::string_view> best;
  size_t best_distance = 0;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(word, c);
    if (!best || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // Close enough: a third of the longer word, at least 1, at most 3 edits.
  size_t limit = std::clamp<size_t>(std::max(word.size(), best ? best->size() : 0) / 3, 1, 3);
  if (best && best_distance <= limit) return best;
  return std::nullopt;
}

}  // namespace bp::config
