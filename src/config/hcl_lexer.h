#pragma once
// Tokens of the HCL attribute syntax used by Terraform .tfvars files: the
// subset that writes data (no expressions, no interpolation). Private header
// of bp_config; hcl_parser.h is the entry point.
//
// Comments (`#`, `//`, `/* */`) and blanks are skipped; newlines are tokens
// because they separate attributes. Quoted strings and heredocs come out
// decoded (escapes applied, `$${`/`%%{` turned into `${`/`%{`, `<<-` indentation
// removed). Anything the lexer cannot accept becomes one kError token whose
// text is the message; after kError or kEof, Next() keeps returning it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bp::config {

enum class TokenKind : uint8_t {
  kIdent,    // letters, digits, '_' and '-', not starting with a digit or '-'
  kString,   // "quoted"
  kHeredoc,  // <<EOT ... EOT or <<-EOT ... EOT
  kNumber,   // -12, 3.5, 1e-3 (text is the literal)
  kEquals,
  kColon,
  kComma,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kNewline,
  kEof,
  kError,  // text is the message
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  std::string text;  // identifier, decoded string, number literal or error message
  uint32_t line = 1;
  uint32_t column = 1;
};

// How a token is named in "found ..." messages: "'='", "'region'", "a string",
// "a number", "a newline", "end of file". String and number contents are never
// quoted (they may be secrets).
std::string DescribeToken(const Token& token);

class HclLexer final {
 public:
  // `text` must outlive the lexer. REQUIRES: CheckSourceText accepted it
  // (the lexer does not re-check UTF-8 or size).
  explicit HclLexer(std::string_view text) : text_(text) {}
  HclLexer(const HclLexer&) = delete;
  HclLexer& operator=(const HclLexer&) = delete;

  Token Next();

  // One content line of a heredoc, for the helpers in hcl_lexer.cc.
  struct HeredocLine {
    std::string_view text;  // without the line break
    uint32_t line;
  };

 private:
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  void Advance(size_t n = 1);
  Token Make(TokenKind kind, std::string text, uint32_t line, uint32_t column) const;
  Token Error(std::string message, uint32_t line, uint32_t column);

  // Returns false (and sets `error`) on an unterminated block comment.
  bool SkipBlanksAndComments(Token& error);
  Token LexString();
  Token LexHeredoc();
  // Collects the lines up to the closing marker; false when it never comes.
  bool HeredocLines(std::string_view marker, std::vector<HeredocLine>& lines);
  // Removes `indent` leading blanks per line and resolves $${ / %%{.
  Token DecodeHeredoc(const std::vector<HeredocLine>& lines, size_t indent, uint32_t line,
                      uint32_t column);
  Token LexNumber();
  Token LexIdent();
  // Escape after a backslash inside a quoted string; appends to `out`.
  bool LexEscape(std::string& out, Token& error);

  const std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
  bool done_ = false;  // kEof or kError was returned
  Token last_;         // the kEof/kError token repeated once done_
};

}  // namespace bp::config
