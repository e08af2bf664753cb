// ParseIni: the AWS shared-file dialect (credentials.h).

#include <cctype>
#include <string>
#include <string_view>
#include <utility>

#include "auth/credentials/credentials.h"

namespace bp::auth::credentials {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status IniError(std::string_view file, int line, std::string_view what) {
  return ValidationError(std::string(file) + ":" + std::to_string(line) + ": " + std::string(what));
}

// Cuts a " #..." / " ;..." comment off a value. Secrets and tokens never
// contain whitespace, so a comment marker after whitespace cannot be data.
std::string_view StripInlineComment(std::string_view value) {
  for (size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == '#' || value[i] == ';') &&
        std::isspace(static_cast<unsigned char>(value[i - 1]))) {
      return Trim(value.substr(0, i));
    }
  }
  return value;
}

// Parser state carried from line to line.
struct IniState {
  IniFile file;
  IniSection* section = nullptr;
  bool last_value_empty = false;  // the previous key opened a sub-settings block
};

Status ParseSectionHeader(std::string_view trimmed, std::string_view file_name, int line,
                          IniState& state) {
  size_t close = trimmed.find(']');
  if (close == std::string_view::npos) {
    return IniError(file_name, line, "section header '" + std::string(trimmed) + "' lacks ']'");
  }
  std::string_view name = Trim(trimmed.substr(1, close - 1));
  if (name.empty()) return IniError(file_name, line, "empty section name '[]'");
  std::string_view after = Trim(trimmed.substr(close + 1));
  if (!after.empty() && after.front() != '#' && after.front() != ';') {
    return IniError(file_name, line,
                    "unexpected text '" + std::string(after) + "' after the section header");
  }
  auto [it, inserted] = state.file.try_emplace(std::string(name));
  if (inserted) it->second.line = line;
  state.section = &it->second;
  state.last_value_empty = false;
  return Status::Ok();
}

Status ParseLine(std::string_view raw, std::string_view file_name, int line, IniState& state) {
  std::string_view trimmed = Trim(raw);
  if (trimmed.empty() || trimmed.front() == '#' || trimmed.front() == ';') return Status::Ok();
  if (trimmed.front() == '[') return ParseSectionHeader(trimmed, file_name, line, state);
  bool indented = std::isspace(static_cast<unsigned char>(raw.front()));
  if (indented && state.last_value_empty) return Status::Ok();  // sub-setting
  size_t eq = trimmed.find('=');
  if (eq == std::string_view::npos) {
    return IniError(file_name, line,
                    "expected `key = value`, a [section] header or a comment, found '" +
                        std::string(trimmed.substr(0, 40)) + "'");
  }
  std::string key = Lower(Trim(trimmed.substr(0, eq)));
  if (key.empty()) return IniError(file_name, line, "a value without a key");
  if (state.section == nullptr) {
    return IniError(file_name, line, "'" + key + "' is outside any [section]");
  }
  std::string_view value = StripInlineComment(Trim(trimmed.substr(eq + 1)));
  state.section->values[key] = std::string(value);
  state.section->value_lines[key] = line;
  state.last_value_empty = value.empty();
  return Status::Ok();
}

}  // namespace

Result<IniFile> ParseIni(std::string_view text, std::string_view file_name) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  IniState state;
  int line = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.find('\0') != std::string_view::npos) {
      return IniError(file_name, line, "NUL byte; is this a text file?");
    }
    BP_RETURN_IF_ERROR(ParseLine(raw, file_name, line, state));
  }
  return std::move(state.file);
}

}  // namespace bp::auth::credentials
