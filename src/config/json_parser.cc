#include "config/json_parser.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "core/uri.h"
#include "core/utf8.h"

namespace bp::config {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Recursive descent over the bytes, tracking line and column. Like the HCL
// parser, the first syntax error stops it and duplicate keys are collected.
class JsonParser final {
 public:
  JsonParser(std::string_view text, const std::string& file, const ParseOptions& options)
      : text_(text), file_(file), options_(options) {}

  ParseOutput Run();

 private:
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  void Advance(size_t n = 1);
  void SkipWhitespace();
  SourceLocation Here() const { return At(file_, line_, column_); }
  bool Fail(SourceLocation at, std::string message);
  bool Expected(std::string_view what, std::string_view note = {});

  bool ParseValue(ast::Value& out, int depth);
  bool ParseObject(ast::Value& out, int depth);
  bool ParseArray(ast::Value& out, int depth);
  bool ParseString(std::string& out);
  bool ParseEscape(std::string& out);
  bool ParseHex4(uint32_t& out);
  bool ParseNumber(ast::Value& out);
  bool ParseLiteral(ast::Value& out);
  bool EnterContainer(int depth);

  const std::string_view text_;
  const std::string& file_;
  const ParseOptions& options_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
  std::optional<Diagnostic> syntax_error_;
  std::vector<Diagnostic> duplicates_;
};

void JsonParser::Advance(size_t n) {
  for (size_t i = 0; i < n && pos_ < text_.size(); ++i, ++pos_) {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
  }
}

void JsonParser::SkipWhitespace() {
  while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
    Advance();
  }
}

bool JsonParser::Fail(SourceLocation at, std::string message) {
  if (!syntax_error_) syntax_error_ = Diagnostic{std::move(at), std::move(message)};
  return false;
}

bool JsonParser::Expected(std::string_view what, std::string_view note) {
  std::string message = "expected " + std::string(what) + ", found " +
                        DescribeByte(text_.substr(std::min(pos_, text_.size())));
  if (!note.empty()) message += " " + std::string(note);
  return Fail(Here(), std::move(message));
}

ParseOutput JsonParser::Run() {
  ParseOutput out;
  ast::Value root;
  SkipWhitespace();
  if (Peek() != '{') {
    Expected("'{' (a JSON config is one object)");
  } else if (ParseValue(root, -1)) {  // the root object is the body, not a nesting level
    SkipWhitespace();
    if (!AtEnd()) Expected("end of file after the top-level object");
  }
  if (syntax_error_) {
    out.errors.push_back(std::move(*syntax_error_));
    return out;
  }
  out.body = ast::Body{file_, std::move(root.entries)};
  out.errors = std::move(duplicates_);
  return out;
}

bool JsonParser::ParseValue(ast::Value& out, int depth) {
  out.location = Here();
  char c = Peek();
  if (c == '{') return ParseObject(out, depth);
  if (c == '[') return ParseArray(out, depth);
  if (c == '"') {
    out.kind = ast::Kind::kString;
    return ParseString(out.text);
  }
  if (c == '-' || IsDigit(c)) return ParseNumber(out);
  if (c == 't' || c == 'f' || c == 'n') return ParseLiteral(out);
  return Expected("a JSON value");
}

bool JsonParser::EnterContainer(int depth) {
  if (depth + 1 <= options_.max_depth) return true;
  return Fail(Here(), "nesting too deep: lists and maps may nest at most " +
                          std::to_string(options_.max_depth) + " levels");
}

bool JsonParser::ParseObject(ast::Value& out, int depth) {
  if (!EnterContainer(depth)) return false;
  out.kind = ast::Kind::kObject;
  std::unordered_map<std::string, SourceLocation> seen;
  Advance();  // '{'
  SkipWhitespace();
  if (Peek() == '}') {
    Advance();
    return true;
  }
  while (true) {
    if (Peek() != '"') {
      return Expected("a quoted key",
                      Peek() == '}' ? "(JSON does not allow a trailing comma)" : "");
    }
    ast::Entry entry;
    entry.key_location = Here();
    if (!ParseString(entry.key)) return false;
    SkipWhitespace();
    if (Peek() != ':') return Expected("':' after key '" + entry.key + "'");
    Advance();
    SkipWhitespace();
    if (!ParseValue(entry.value, depth + 1)) return false;
    std::string key = entry.key;
    auto [it, inserted] = seen.emplace(entry.key, entry.key_location);
    if (inserted) {
      out.entries.push_back(std::move(entry));
    } else {
      duplicates_.push_back(Diagnostic{
          entry.key_location,
          "duplicate key '" + entry.key + "' (first defined at " + it->second.ToString() + ")"});
    }
    SkipWhitespace();
    if (Peek() == '}') break;
    if (Peek() != ',') return Expected("',' or '}' after the value of '" + key + "'");
    Advance();
    SkipWhitespace();
  }
  Advance();  // '}'
  return true;
}

bool JsonParser::ParseArray(ast::Value& out, int depth) {
  if (!EnterContainer(depth)) return false;
  out.kind = ast::Kind::kList;
  Advance();  // '['
  SkipWhitespace();
  if (Peek() == ']') {
    Advance();
    return true;
  }
  while (true) {
    if (Peek() == ']') return Expected("a JSON value", "(JSON does not allow a trailing comma)");
    ast::Value item;
    if (!ParseValue(item, depth + 1)) return false;
    out.items.push_back(std::move(item));
    SkipWhitespace();
    if (Peek() == ']') break;
    if (Peek() != ',') return Expected("',' or ']' after a list item");
    Advance();
    SkipWhitespace();
  }
  Advance();  // ']'
  return true;
}

bool JsonParser::ParseString(std::string& out) {
  SourceLocation start = Here();
  Advance();  // opening quote
  while (true) {
    if (AtEnd())
      return Fail(start, "unterminated string: expected '\"' before the end of the file");
    char c = Peek();
    if (c == '"') break;
    if (c == '\\') {
      if (!ParseEscape(out)) return false;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      return Fail(Here(), "control character (" + DescribeByte(text_.substr(pos_)) +
                              ") in a string; use an escape sequence");
    }
    out += c;
    Advance();
  }
  Advance();  // closing quote
  return true;
}

bool JsonParser::ParseHex4(uint32_t& out) {
  out = 0;
  for (int i = 0; i < 4; ++i) {
    int h = HexDigitValue(Peek());
    if (h < 0) return Expected("4 hex digits in a \\u escape");
    out = out * 16 + static_cast<uint32_t>(h);
    Advance();
  }
  return true;
}

bool JsonParser::ParseEscape(std::string& out) {
  SourceLocation start = Here();
  Advance();  // backslash
  char c = Peek();
  static constexpr std::string_view kFrom = "\"\\/bfnrt";
  static constexpr std::string_view kTo = "\"\\/\b\f\n\r\t";
  if (size_t i = kFrom.find(c); c != '\0' && i != std::string_view::npos) {
    out += kTo[i];
    Advance();
    return true;
  }
  if (c != 'u') {
    return Fail(start, "invalid escape sequence " + DescribeEscape(text_.substr(pos_)) +
                           " (JSON supports \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
  }
  Advance();
  uint32_t cp = 0;
  if (!ParseHex4(cp)) return false;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail(start, "unpaired low surrogate in a \\u escape");
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t low = 0;
    if (Peek() != '\\' || Peek(1) != 'u') {
      return Fail(start, "high surrogate in a \\u escape must be followed by a \\u low surrogate");
    }
    Advance(2);
    if (!ParseHex4(low)) return false;
    if (low < 0xDC00 || low > 0xDFFF) {
      return Fail(start, "high surrogate in a \\u escape must be followed by a \\u low surrogate");
    }
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  AppendUtf8(out, cp);
  return true;
}

bool JsonParser::ParseNumber(ast::Value& out) {
  size_t start = pos_;
  if (Peek() == '-') Advance();
  if (Peek() == '0') {
    Advance();
  } else if (IsDigit(Peek())) {
    while (IsDigit(Peek())) Advance();
  } else {
    return Expected("a digit in the number");
  }
  if (Peek() == '.') {
    Advance();
    if (!IsDigit(Peek())) return Expected("a digit after '.' in the number");
    while (IsDigit(Peek())) Advance();
  }
  if (Peek() == 'e' || Peek() == 'E') {
    Advance();
    if (Peek() == '+' || Peek() == '-') Advance();
    if (!IsDigit(Peek())) return Expected("a digit in the exponent of the number");
    while (IsDigit(Peek())) Advance();
  }
  out.kind = ast::Kind::kNumber;
  out.text = std::string(text_.substr(start, pos_ - start));
  return true;
}

bool JsonParser::ParseLiteral(ast::Value& out) {
  for (std::string_view word : {"true", "false", "null"}) {
    if (text_.substr(pos_, word.size()) != word) continue;
    char next = Peek(word.size());
    bool alnum = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || IsDigit(next);
    if (alnum) break;
    out.kind = word == "null" ? ast::Kind::kNull : ast::Kind::kBool;
    out.boolean = word == "true";
    Advance(word.size());
    return true;
  }
  return Expected("a JSON value", "(strings must be quoted)");
}

}  // namespace

ParseOutput ParseJson(std::string_view text, const std::string& file, const ParseOptions& options) {
  text = StripBom(text);
  if (auto bad = CheckSourceText(text, file, options.max_bytes)) {
    ParseOutput out;
    out.errors.push_back(std::move(*bad));
    return out;
  }
  JsonParser parser(text, file, options);
  return parser.Run();
}

}  // namespace bp::config
