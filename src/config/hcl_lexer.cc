#include "config/hcl_lexer.h"

#include <algorithm>
#include <vector>

#include "config/source_text.h"
#include "core/uri.h"
#include "core/utf8.h"

namespace bp::config {

namespace {

constexpr std::string_view kInterpolationError =
    "interpolation '${...}' is not supported: this file is data, not Terraform "
    "(write '$${' for a literal '${')";
constexpr std::string_view kDirectiveError =
    "template directive '%{...}' is not supported: this file is data, not Terraform "
    "(write '%%{' for a literal '%{')";

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '-'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Template markers in text that is otherwise literal. At `in[i]` == '$' or
// '%': returns the number of bytes consumed (appending the literal to `out`),
// 0 when it is plain text, or -1 for a `${`/`%{` that would start a template.
int TemplateMarker(std::string_view in, size_t i, std::string& out) {
  char c = in[i];
  if (c != '$' && c != '%') return 0;
  if (in.substr(i + 1, 2) == std::string(1, c) + "{") {
    out += c;
    out += '{';
    return 3;
  }
  if (i + 1 < in.size() && in[i + 1] == '{') return -1;
  return 0;
}

size_t LeadingBlanks(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && (s[n] == ' ' || s[n] == '\t')) ++n;
  return n;
}

std::string_view TrimBlanks(std::string_view s) {
  s.remove_prefix(LeadingBlanks(s));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Terraform's `<<-`: remove the smallest indentation of the non-blank lines
// from every line (blank lines lose what they have, up to that amount).
size_t CommonIndent(const std::vector<HclLexer::HeredocLine>& lines) {
  size_t indent = std::string_view::npos;
  for (const HclLexer::HeredocLine& l : lines) {
    size_t blanks = LeadingBlanks(l.text);
    if (blanks == l.text.size()) continue;
    indent = std::min(indent, blanks);
  }
  return indent == std::string_view::npos ? 0 : indent;
}

}  // namespace

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kIdent:
      return "'" + token.text + "'";
    case TokenKind::kString:
      return "a string";
    case TokenKind::kHeredoc:
      return "a heredoc";
    case TokenKind::kNumber:
      return "a number";
    case TokenKind::kEquals:
      return "'='";
    case TokenKind::kColon:
      return "':'";
    case TokenKind::kComma:
      return "','";
    case TokenKind::kLBrace:
      return "'{'";
    case TokenKind::kRBrace:
      return "'}'";
    case TokenKind::kLBracket:
      return "'['";
    case TokenKind::kRBracket:
      return "']'";
    case TokenKind::kNewline:
      return "a newline";
    case TokenKind::kEof:
      return "end of file";
    case TokenKind::kError:
      return "an invalid token";
  }
  return "a token";
}

void HclLexer::Advance(size_t n) {
  for (size_t i = 0; i < n && pos_ < text_.size(); ++i, ++pos_) {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
  }
}

Token HclLexer::Make(TokenKind kind, std::string text, uint32_t line, uint32_t column) const {
  return Token{kind, std::move(text), line, column};
}

Token HclLexer::Error(std::string message, uint32_t line, uint32_t column) {
  done_ = true;
  last_ = Make(TokenKind::kError, std::move(message), line, column);
  return last_;
}

bool HclLexer::SkipBlanksAndComments(Token& error) {
  while (!AtEnd()) {
    char c = Peek();
    if (c == ' ' || c == '\t' || (c == '\r' && Peek(1) == '\n')) {
      Advance();
    } else if (c == '#' || (c == '/' && Peek(1) == '/')) {
      while (!AtEnd() && Peek() != '\n') Advance();
    } else if (c == '/' && Peek(1) == '*') {
      uint32_t line = line_, column = column_;
      size_t end = text_.find("*/", pos_ + 2);
      if (end == std::string_view::npos) {
        error = Error("unterminated comment: expected '*/' to close the '/*' here", line, column);
        return false;
      }
      Advance(end + 2 - pos_);
    } else {
      return true;
    }
  }
  return true;
}

Token HclLexer::Next() {
  if (done_) return last_;
  Token error;
  if (!SkipBlanksAndComments(error)) return error;
  uint32_t line = line_, column = column_;
  if (AtEnd()) {
    done_ = true;
    last_ = Make(TokenKind::kEof, "", line, column);
    return last_;
  }
  char c = Peek();
  auto punct = [&](TokenKind kind) {
    Advance();
    return Make(kind, std::string(1, c), line, column);
  };
  switch (c) {
    case '\n':
      return punct(TokenKind::kNewline);
    case '=':
      return punct(TokenKind::kEquals);
    case ':':
      return punct(TokenKind::kColon);
    case ',':
      return punct(TokenKind::kComma);
    case '{':
      return punct(TokenKind::kLBrace);
    case '}':
      return punct(TokenKind::kRBrace);
    case '[':
      return punct(TokenKind::kLBracket);
    case ']':
      return punct(TokenKind::kRBracket);
    case '"':
      return LexString();
    default:
      break;
  }
  if (c == '<' && Peek(1) == '<') return LexHeredoc();
  if (IsDigit(c) || (c == '-' && IsDigit(Peek(1)))) return LexNumber();
  if (IsIdentStart(c)) return LexIdent();
  return Error("unexpected " + DescribeByte(text_.substr(pos_)), line, column);
}

Token HclLexer::LexIdent() {
  uint32_t line = line_, column = column_;
  size_t start = pos_;
  while (!AtEnd() && IsIdentChar(Peek())) Advance();
  return Make(TokenKind::kIdent, std::string(text_.substr(start, pos_ - start)), line, column);
}

Token HclLexer::LexNumber() {
  uint32_t line = line_, column = column_;
  size_t start = pos_;
  if (Peek() == '-') Advance();
  while (IsDigit(Peek())) Advance();
  if (Peek() == '.') {
    Advance();
    if (!IsDigit(Peek())) return Error("expected a digit after '.' in a number", line_, column_);
    while (IsDigit(Peek())) Advance();
  }
  if (Peek() == 'e' || Peek() == 'E') {
    Advance();
    if (Peek() == '+' || Peek() == '-') Advance();
    if (!IsDigit(Peek()))
      return Error("expected a digit in the exponent of a number", line_, column_);
    while (IsDigit(Peek())) Advance();
  }
  std::string literal(text_.substr(start, pos_ - start));
  if (IsIdentChar(Peek()) || Peek() == '.') {
    return Error("unexpected " + DescribeByte(text_.substr(pos_)) + " after a number", line_,
                 column_);
  }
  return Make(TokenKind::kNumber, std::move(literal), line, column);
}

bool HclLexer::LexEscape(std::string& out, Token& error) {
  uint32_t line = line_, column = column_;
  Advance();  // the backslash
  char c = Peek();
  switch (c) {
    case 'n':
      out += '\n';
      Advance();
      return true;
    case 't':
      out += '\t';
      Advance();
      return true;
    case 'r':
      out += '\r';
      Advance();
      return true;
    case '"':
      out += '"';
      Advance();
      return true;
    case '\\':
      out += '\\';
      Advance();
      return true;
    case 'u':
    case 'U': {
      size_t digits = c == 'u' ? 4 : 8;
      Advance();
      uint32_t cp = 0;
      for (size_t i = 0; i < digits; ++i) {
        int h = HexDigitValue(Peek());
        if (h < 0) {
          error = Error(
              std::string("expected ") + std::to_string(digits) + " hex digits after '\\" + c + "'",
              line, column);
          return false;
        }
        cp = cp * 16 + static_cast<uint32_t>(h);
        Advance();
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        error =
            Error("escape '\\" + std::string(1, c) + "' names no Unicode character", line, column);
        return false;
      }
      AppendUtf8(out, cp);
      return true;
    }
    default:
      error = Error("invalid escape sequence " + DescribeEscape(text_.substr(pos_)) +
                        " in a string (supported: \\n \\t \\r \\\" \\\\ \\uNNNN \\UNNNNNNNN)",
                    line, column);
      return false;
  }
}

Token HclLexer::LexString() {
  uint32_t line = line_, column = column_;
  Advance();  // opening quote
  std::string out;
  Token error;
  while (true) {
    if (AtEnd() || Peek() == '\n' || (Peek() == '\r' && Peek(1) == '\n')) {
      return Error("unterminated string: expected '\"' before the end of the line", line, column);
    }
    char c = Peek();
    if (c == '"') break;
    if (c == '\\') {
      if (!LexEscape(out, error)) return error;
      continue;
    }
    int marker = TemplateMarker(text_, pos_, out);
    if (marker < 0)
      return Error(std::string(c == '$' ? kInterpolationError : kDirectiveError), line_, column_);
    if (marker > 0) {
      Advance(static_cast<size_t>(marker));
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      return Error("control character (" + DescribeByte(text_.substr(pos_)) +
                       ") in a string; use an escape sequence",
                   line_, column_);
    }
    out += c;
    Advance();
  }
  Advance();  // closing quote
  return Make(TokenKind::kString, std::move(out), line, column);
}

Token HclLexer::LexHeredoc() {
  uint32_t line = line_, column = column_;
  Advance(2);
  bool strip_indent = Peek() == '-';
  if (strip_indent) Advance();
  size_t start = pos_;
  if (IsIdentStart(Peek())) {
    while (!AtEnd() && IsIdentChar(Peek())) Advance();
  }
  std::string marker(text_.substr(start, pos_ - start));
  if (marker.empty()) {
    return Error("expected a heredoc marker after '<<' (like <<EOT or <<-EOT), found " +
                     DescribeByte(text_.substr(pos_)),
                 line_, column_);
  }
  if (Peek() == '\r' && Peek(1) == '\n') Advance();
  if (Peek() != '\n') {
    return Error("expected a newline after the heredoc marker '" + marker + "', found " +
                     DescribeByte(text_.substr(pos_)),
                 line_, column_);
  }
  Advance();
  std::vector<HeredocLine> lines;
  if (!HeredocLines(marker, lines)) {
    return Error("unterminated heredoc: expected a line with only '" + marker + "' to close it",
                 line, column);
  }
  return DecodeHeredoc(lines, strip_indent ? CommonIndent(lines) : 0, line, column);
}

bool HclLexer::HeredocLines(std::string_view marker, std::vector<HeredocLine>& lines) {
  while (!AtEnd()) {
    size_t eol = text_.find('\n', pos_);
    if (eol == std::string_view::npos) eol = text_.size();
    std::string_view raw = text_.substr(pos_, eol - pos_);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (TrimBlanks(raw) == marker) {
      Advance(raw.size());  // leave the line break for the parser
      return true;
    }
    lines.push_back({raw, line_});
    Advance(eol - pos_ + 1);
  }
  return false;
}

Token HclLexer::DecodeHeredoc(const std::vector<HeredocLine>& lines, size_t indent, uint32_t line,
                              uint32_t column) {
  std::string out;
  for (const HeredocLine& l : lines) {
    size_t skip = std::min(indent, LeadingBlanks(l.text));
    for (size_t i = skip; i < l.text.size();) {
      int consumed = TemplateMarker(l.text, i, out);
      if (consumed < 0) {
        return Error(std::string(l.text[i] == '$' ? kInterpolationError : kDirectiveError), l.line,
                     static_cast<uint32_t>(i + 1));
      }
      if (consumed == 0) out += l.text[i++];
      i += static_cast<size_t>(consumed);
    }
    out += '\n';
  }
  return Make(TokenKind::kHeredoc, std::move(out), line, column);
}

}  // namespace bp::config
