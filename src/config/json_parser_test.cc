#include "config/json_parser.h"

#include "config/hcl_parser.h"
#include "testing/testing.h"

namespace bp::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ErrorOf(std::string_view text) {
  ParseOutput out = ParseJson(text, "t.json");
  if (out.errors.empty()) return "no error";
  std::string s = out.errors[0].ToString();
  return s.substr(s.find(':') + 1);
}

TEST(JsonParserTest, SameTreeAsTheHclForm) {
  ParseOutput json = ParseJson(R"({
  "s": "a\nb",
  "n": -1.5e3,
  "b": [true, false, null],
  "m": {"rd-x": {"tags": {"k": "v"}}, "empty": {}, "list": []}
})",
                               "t.json");
  ParseOutput hcl = ParseHcl(R"(s = "a\nb"
n = -1.5e3
b = [true, false, null]
m = {
  rd-x = { tags = { k = "v" } }
  empty = {}
  list = []
}
)",
                             "t.hcl");
  ASSERT_THAT(json.errors, IsEmpty());
  ASSERT_THAT(hcl.errors, IsEmpty());
  EXPECT_TRUE(ast::SameBody(*json.body, *hcl.body));
  // And the comparison can fail.
  ParseOutput other = ParseJson(R"({"s": "a\nb", "n": -1.5e3, "b": [true], "m": {}})", "t.json");
  EXPECT_FALSE(ast::SameBody(*json.body, *other.body));
}

TEST(JsonParserTest, RecordsLocations) {
  ParseOutput out = ParseJson("{\n  \"a\": {\n    \"k\": 1\n  }\n}", "t.json");
  ASSERT_TRUE(out.body.has_value());
  const ast::Entry& a = out.body->attributes[0];
  EXPECT_EQ(a.key_location.ToString(), "t.json:2:3");
  EXPECT_EQ(a.value.location.ToString(), "t.json:2:8");
  EXPECT_EQ(a.value.entries[0].value.location.ToString(), "t.json:3:10");
}

TEST(JsonParserTest, DecodesEscapesIncludingSurrogatePairs) {
  ParseOutput out =
      ParseJson(R"({"a": "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 ${literal}"})", "t.json");
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(out.body->attributes[0].value.text,
            "\"\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80 ${literal}");
}

TEST(JsonParserTest, SyntaxErrorsSayWhatWasExpected) {
  EXPECT_EQ(ErrorOf("[1]"), "1:1: expected '{' (a JSON config is one object), found '['");
  EXPECT_EQ(ErrorOf(""), "1:1: expected '{' (a JSON config is one object), found end of file");
  EXPECT_EQ(ErrorOf("{\"a\": 1,}"),
            "1:9: expected a quoted key, found '}' (JSON does not allow a trailing comma)");
  EXPECT_EQ(ErrorOf("{\"a\": [1,]}"),
            "1:10: expected a JSON value, found ']' (JSON does not allow a trailing comma)");
  EXPECT_EQ(ErrorOf("{\"a\" 1}"), "1:6: expected ':' after key 'a', found '1'");
  EXPECT_EQ(ErrorOf("{\"a\": 1 \"b\": 2}"),
            "1:9: expected ',' or '}' after the value of 'a', found '\"'");
  EXPECT_EQ(ErrorOf("{a: 1}"), "1:2: expected a quoted key, found 'a'");
  EXPECT_EQ(ErrorOf("{\"a\": 'x'}"), "1:7: expected a JSON value, found '''");
  EXPECT_EQ(ErrorOf("{\"a\": tru}"),
            "1:7: expected a JSON value, found 't' (strings must be quoted)");
  EXPECT_EQ(ErrorOf("{\"a\": 01}"), "1:8: expected ',' or '}' after the value of 'a', found '1'");
  EXPECT_EQ(ErrorOf("{\"a\": 1.}"), "1:9: expected a digit after '.' in the number, found '}'");
  EXPECT_EQ(ErrorOf("{} // c"), "1:4: expected end of file after the top-level object, found '/'");
  EXPECT_EQ(ErrorOf("{\"a\": \"x"),
            "1:7: unterminated string: expected '\"' before the end of the file");
  EXPECT_EQ(ErrorOf("{\"a\": \"x\ny\"}"),
            "1:9: control character (a newline) in a string; use an escape sequence");
  EXPECT_THAT(ErrorOf(R"({"a": "\x"})"),
              HasSubstr("1:8: invalid escape sequence '\\x' (JSON supports"));
  EXPECT_THAT(ErrorOf(R"({"a": "\ud800"})"), HasSubstr("must be followed by a \\u low surrogate"));
  EXPECT_THAT(ErrorOf(R"({"a": "\udc00"})"), HasSubstr("unpaired low surrogate"));
  EXPECT_THAT(ErrorOf(R"({"a": "\u12"})"), HasSubstr("expected 4 hex digits"));
}

TEST(JsonParserTest, DuplicateKeysNameBothLocations) {
  ParseOutput out = ParseJson("{\"a\": 1,\n \"a\": {\"k\": 1, \"k\": 2}}", "t.json");
  ASSERT_TRUE(out.body.has_value());
  std::vector<std::string> errors;
  for (const Diagnostic& d : out.errors) errors.push_back(d.ToString());
  EXPECT_THAT(errors, ElementsAre("t.json:2:16: duplicate key 'k' (first defined at t.json:2:8)",
                                  "t.json:2:2: duplicate key 'a' (first defined at t.json:1:2)"));
}

TEST(JsonParserTest, NestingIsLimited) {
  std::string deep = "{\"a\": " + std::string(100000, '[');
  EXPECT_THAT(ErrorOf(deep), HasSubstr("nesting too deep"));
  // As in HCL, the top-level object is the body, not a nesting level.
  std::string ok = "{\"a\": " + std::string(64, '[') + std::string(64, ']') + "}";
  EXPECT_EQ(ErrorOf(ok), "no error");
  std::string over = "{\"a\": " + std::string(65, '[') + std::string(65, ']') + "}";
  EXPECT_EQ(ErrorOf(over), "1:71: nesting too deep: lists and maps may nest at most 64 levels");
}

}  // namespace
}  // namespace bp::config
