#include "config/hcl_lexer.h"

#include <vector>

#include "testing/testing.h"

namespace bp::config {
namespace {

using ::testing::HasSubstr;

std::vector<Token> Lex(std::string_view text) {
  HclLexer lexer(text);
  std::vector<Token> out;
  while (true) {
    out.push_back(lexer.Next());
    if (out.back().kind == TokenKind::kEof || out.back().kind == TokenKind::kError) return out;
  }
}

// The single value token of `x = <value>`, or the error token.
Token ValueOf(std::string_view text) {
  std::vector<Token> tokens = Lex(text);
  for (const Token& t : tokens) {
    if (t.kind == TokenKind::kError) return t;
  }
  return tokens.size() > 2 ? tokens[2] : Token{};
}

TEST(HclLexerTest, TokensCarryKindTextAndLocation) {
  std::vector<Token> t = Lex("region = \"eu\"\n  list = [1, x]{}:");
  ASSERT_EQ(t.size(), 15u);
  EXPECT_EQ(t[0].kind, TokenKind::kIdent);
  EXPECT_EQ(t[0].text, "region");
  EXPECT_EQ(t[1].kind, TokenKind::kEquals);
  EXPECT_EQ(t[1].column, 8u);
  EXPECT_EQ(t[2].kind, TokenKind::kString);
  EXPECT_EQ(t[2].text, "eu");
  EXPECT_EQ(t[3].kind, TokenKind::kNewline);
  EXPECT_EQ(t[4].text, "list");
  EXPECT_EQ(t[4].line, 2u);
  EXPECT_EQ(t[4].column, 3u);
  EXPECT_EQ(t[6].kind, TokenKind::kLBracket);
  EXPECT_EQ(t[7].kind, TokenKind::kNumber);
  EXPECT_EQ(t[8].kind, TokenKind::kComma);
  EXPECT_EQ(t[9].kind, TokenKind::kIdent);
  EXPECT_EQ(t[10].kind, TokenKind::kRBracket);
  EXPECT_EQ(t[11].kind, TokenKind::kLBrace);
  EXPECT_EQ(t[12].kind, TokenKind::kRBrace);
  EXPECT_EQ(t[13].kind, TokenKind::kColon);
  EXPECT_EQ(t[14].kind, TokenKind::kEof);
}

TEST(HclLexerTest, IdentifiersMayContainDashes) {
  EXPECT_EQ(Lex("rd-haiku-45_x")[0].text, "rd-haiku-45_x");
}

TEST(HclLexerTest, StringEscapesAreDecoded) {
  EXPECT_EQ(ValueOf(R"(x = "a\nb\tc\rd\"e\\f")").text, "a\nb\tc\rd\"e\\f");
  EXPECT_EQ(ValueOf(R"(x = "\u00e9\U0001F600")").text, "\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(ValueOf("x = \"tab\tok \xC3\xA9\"").text, "tab\tok \xC3\xA9");
}

TEST(HclLexerTest, DoubledTemplateMarkersAreLiterals) {
  EXPECT_EQ(ValueOf(R"(x = "$${aws:username} %%{x} $$ $x %x 100%")").text,
            "${aws:username} %{x} $$ $x %x 100%");
}

TEST(HclLexerTest, InterpolationIsRefusedWhereItStarts) {
  Token t = ValueOf(R"(x = "arn:${var.account}")");
  ASSERT_EQ(t.kind, TokenKind::kError);
  EXPECT_EQ(t.column, 10u);
  EXPECT_THAT(t.text, HasSubstr("interpolation '${...}' is not supported"));
  EXPECT_THAT(t.text, HasSubstr("write '$${'"));
  Token d = ValueOf(R"(x = "%{ if true }")");
  ASSERT_EQ(d.kind, TokenKind::kError);
  EXPECT_THAT(d.text, HasSubstr("template directive"));
}

TEST(HclLexerTest, BadStringsAreErrors) {
  Token esc = ValueOf(R"(x = "a\qb")");
  ASSERT_EQ(esc.kind, TokenKind::kError);
  EXPECT_EQ(esc.column, 7u);
  EXPECT_THAT(esc.text, HasSubstr("invalid escape sequence '\\q' in a string"));
  Token hex = ValueOf(R"(x = "\u12")");
  ASSERT_EQ(hex.kind, TokenKind::kError);
  EXPECT_THAT(hex.text, HasSubstr("expected 4 hex digits after '\\u'"));
  Token surrogate = ValueOf(R"(x = "\uD800")");
  ASSERT_EQ(surrogate.kind, TokenKind::kError);
  EXPECT_THAT(surrogate.text, HasSubstr("names no Unicode character"));
  Token open = ValueOf("x = \"abc\ny = 1");
  ASSERT_EQ(open.kind, TokenKind::kError);
  EXPECT_EQ(open.column, 5u);
  EXPECT_THAT(open.text, HasSubstr("unterminated string"));
  Token control = ValueOf("x = \"a\x01\"");
  ASSERT_EQ(control.kind, TokenKind::kError);
  EXPECT_THAT(control.text, HasSubstr("control character (byte 0x01)"));
}

TEST(HclLexerTest, Numbers) {
  for (std::string_view n : {"0", "12", "-3", "1.5", "1e10", "2.5E-3", "-0.5e+2"}) {
    Token t = ValueOf("x = " + std::string(n));
    EXPECT_EQ(t.kind, TokenKind::kNumber) << n;
    EXPECT_EQ(t.text, n);
  }
  EXPECT_THAT(ValueOf("x = 1.").text, HasSubstr("expected a digit after '.'"));
  EXPECT_THAT(ValueOf("x = 1e").text, HasSubstr("exponent"));
  EXPECT_THAT(ValueOf("x = 12ab").text, HasSubstr("unexpected 'a' after a number"));
  EXPECT_THAT(ValueOf("x = 1.2.3").text, HasSubstr("unexpected '.' after a number"));
}

TEST(HclLexerTest, CommentsAreSkippedButLineCommentsKeepTheirNewline) {
  std::vector<Token> t = Lex("# one\na = 1 // two\n/* three\nfour */ b = 2");
  std::vector<TokenKind> kinds;
  kinds.reserve(t.size());
  for (const Token& tok : t) kinds.push_back(tok.kind);
  EXPECT_EQ(kinds,
            (std::vector<TokenKind>{TokenKind::kNewline, TokenKind::kIdent, TokenKind::kEquals,
                                    TokenKind::kNumber, TokenKind::kNewline, TokenKind::kIdent,
                                    TokenKind::kEquals, TokenKind::kNumber, TokenKind::kEof}));
  EXPECT_EQ(t[5].line, 4u);
  EXPECT_EQ(t[5].column, 9u);
  Token open = Lex("a = 1 /* never closed")[3];
  ASSERT_EQ(open.kind, TokenKind::kError);
  EXPECT_EQ(open.column, 7u);
  EXPECT_THAT(open.text, HasSubstr("unterminated comment"));
}

TEST(HclLexerTest, HeredocKeepsTextVerbatim) {
  Token t = ValueOf("x = <<EOT\n  a \\n \"q\"\n\tb\nEOT\n");
  ASSERT_EQ(t.kind, TokenKind::kHeredoc);
  EXPECT_EQ(t.text, "  a \\n \"q\"\n\tb\n");
  EXPECT_EQ(t.column, 5u);
  EXPECT_EQ(ValueOf("x = <<EOT\nEOT").text, "");
}

TEST(HclLexerTest, IndentedHeredocStripsTheCommonIndentation) {
  Token t = ValueOf("x = <<-EOT\n      {\n        \"a\": 1\n\n      }\n    EOT\n");
  ASSERT_EQ(t.kind, TokenKind::kHeredoc);
  EXPECT_EQ(t.text, "{\n  \"a\": 1\n\n}\n");
  // Blank lines do not count; whitespace-only lines lose up to the indent.
  EXPECT_EQ(ValueOf("x = <<-EOT\n    a\n  \n      b\n  EOT\n").text, "a\n\n  b\n");
}

TEST(HclLexerTest, HeredocAcceptsCrLfAndLeavesTheNewlineAfterTheMarker) {
  std::vector<Token> t = Lex("x = <<-EOT\r\n  a\r\n  EOT\r\ny = 2");
  ASSERT_EQ(t[2].kind, TokenKind::kHeredoc);
  EXPECT_EQ(t[2].text, "a\n");
  EXPECT_EQ(t[3].kind, TokenKind::kNewline);
  EXPECT_EQ(t[4].text, "y");
  EXPECT_EQ(t[4].line, 4u);
}

TEST(HclLexerTest, HeredocErrors) {
  Token open = ValueOf("x = <<EOT\nabc\nEOTX\n");
  ASSERT_EQ(open.kind, TokenKind::kError);
  EXPECT_EQ(open.line, 1u);
  EXPECT_EQ(open.column, 5u);
  EXPECT_THAT(open.text, HasSubstr("unterminated heredoc: expected a line with only 'EOT'"));
  EXPECT_THAT(ValueOf("x = << EOT\n").text, HasSubstr("expected a heredoc marker after '<<'"));
  EXPECT_THAT(ValueOf("x = <<EOT x\nEOT\n").text,
              HasSubstr("expected a newline after the heredoc marker 'EOT', found a space"));
  Token interp = ValueOf("x = <<-EOT\n    ok $${x}\n    bad ${x}\n    EOT\n");
  ASSERT_EQ(interp.kind, TokenKind::kError);
  EXPECT_EQ(interp.line, 3u);
  EXPECT_EQ(interp.column, 9u);
  EXPECT_THAT(interp.text, HasSubstr("interpolation"));
  EXPECT_EQ(ValueOf("x = <<-EOT\n    ok $${x} %%{y}\n    EOT\n").text, "ok ${x} %{y}\n");
}

TEST(HclLexerTest, UnexpectedCharacterIsAnErrorThatRepeats) {
  HclLexer lexer("a = (1)");
  lexer.Next();
  lexer.Next();
  Token t = lexer.Next();
  ASSERT_EQ(t.kind, TokenKind::kError);
  EXPECT_EQ(t.text, "unexpected '('");
  EXPECT_EQ(t.column, 5u);
  EXPECT_EQ(lexer.Next().kind, TokenKind::kError);
  EXPECT_EQ(lexer.Next().text, "unexpected '('");
}

}  // namespace
}  // namespace bp::config
