#include "auth/iam/parse_util.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "auth/iam/json_path.h"

namespace bp::auth::iam {

namespace {

constexpr size_t kQuoteLimit = 80;

Status CheckLength(const PathedString& s, const ParseOptions& options) {
  if (s.text.size() <= options.max_string_bytes) return Status::Ok();
  return PathError(s.path, "longer than " + std::to_string(options.max_string_bytes) + " bytes");
}

}  // namespace

Status PathError(std::string_view path, std::string_view message) {
  std::string text(path);
  text += ": ";
  text += message;
  return ValidationError(std::move(text));
}

std::string Quoted(std::string_view s) {
  bool cut = s.size() > kQuoteLimit;
  if (cut) {
    size_t end = kQuoteLimit;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    s = s.substr(0, end);
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  out += cut ? "...\"" : "\"";
  return out;
}

Result<std::vector<PathedString>> ReadStringList(const json::Value& value, std::string_view path,
                                                 const ParseOptions& options) {
  std::vector<PathedString> out;
  if (value.is_string()) {
    out.push_back({std::string(value.get_string()), std::string(path)});
    BP_RETURN_IF_ERROR(CheckLength(out.back(), options));
    return out;
  }
  if (!value.is_array()) {
    return PathError(
        path, "expected a string or a list of strings, got " + std::string(json::KindName(value)));
  }
  const json::Array& list = value.get_array();
  if (list.empty()) return PathError(path, "expected at least one entry, got an empty list");
  if (list.size() > options.max_entries) {
    return PathError(path, "more than " + std::to_string(options.max_entries) + " entries");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    std::string item_path = JsonIndex(path, i);
    if (!list[i].is_string()) {
      return PathError(item_path, "expected a string, got " + std::string(json::KindName(list[i])));
    }
    out.push_back({std::string(list[i].get_string()), std::move(item_path)});
    BP_RETURN_IF_ERROR(CheckLength(out.back(), options));
  }
  return out;
}

ArnPattern MakeArnPattern(PolicyString pattern) {
  ArnPattern out;
  out.match_all = pattern.constant() && pattern.text == "*" && pattern.literal.empty();
  out.split = SplitArnPattern(PatternView{pattern.text, pattern.literal});
  out.pattern = std::move(pattern);
  return out;
}

}  // namespace bp::auth::iam
