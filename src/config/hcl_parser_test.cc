#include "config/hcl_parser.h"

#include "testing/testing.h"

namespace bp::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// The one syntax error of `text`, as "line:col: message" without the file.
std::string ErrorOf(std::string_view text, const ParseOptions& options = {}) {
  ParseOutput out = ParseHcl(text, "t.hcl", options);
  if (out.errors.empty()) return "no error";
  std::string s = out.errors[0].ToString();
  return s.substr(s.find(':') + 1);
}

TEST(HclParserTest, ParsesAttributesOfEveryKind) {
  ParseOutput out = ParseHcl(R"(# comment
s = "text"
n = -1.5e3
t = true
f = false
z = null
l = [1, "two", [3],
     { a = 1 }, ]
m = {
  key1 = "v"
  "quoted key": 2, key-3 = [], key_4 = {}
}
)",
                             "t.hcl");
  ASSERT_THAT(out.errors, IsEmpty());
  ASSERT_TRUE(out.body.has_value());
  const ast::Body& body = *out.body;
  ASSERT_THAT(body.attributes, SizeIs(7));
  EXPECT_EQ(body.attributes[0].key, "s");
  EXPECT_EQ(body.attributes[0].value.text, "text");
  EXPECT_EQ(body.attributes[1].value.kind, ast::Kind::kNumber);
  EXPECT_EQ(body.attributes[1].value.text, "-1.5e3");
  EXPECT_TRUE(body.attributes[2].value.boolean);
  EXPECT_EQ(body.attributes[3].value.kind, ast::Kind::kBool);
  EXPECT_FALSE(body.attributes[3].value.boolean);
  EXPECT_EQ(body.attributes[4].value.kind, ast::Kind::kNull);
  const ast::Value& list = body.attributes[5].value;
  ASSERT_EQ(list.kind, ast::Kind::kList);
  ASSERT_THAT(list.items, SizeIs(4));
  EXPECT_EQ(list.items[2].items[0].text, "3");
  EXPECT_EQ(list.items[3].Find("a")->text, "1");
  const ast::Value& map = body.attributes[6].value;
  ASSERT_THAT(map.entries, SizeIs(4));
  EXPECT_EQ(map.entries[1].key, "quoted key");
  EXPECT_EQ(map.entries[2].key, "key-3");
  EXPECT_EQ(map.entries[3].value.kind, ast::Kind::kObject);
}

TEST(HclParserTest, RecordsLocationsOfKeysAndValues) {
  ParseOutput out = ParseHcl("a = 1\nm = {\n  k = \"v\"\n}\n", "dir/t.hcl");
  ASSERT_TRUE(out.body.has_value());
  const ast::Entry& m = out.body->attributes[1];
  EXPECT_EQ(m.key_location.ToString(), "dir/t.hcl:2:1");
  EXPECT_EQ(m.value.location.ToString(), "dir/t.hcl:2:5");
  EXPECT_EQ(m.value.entries[0].key_location.ToString(), "dir/t.hcl:3:3");
  EXPECT_EQ(m.value.entries[0].value.location.ToString(), "dir/t.hcl:3:7");
}

TEST(HclParserTest, HeredocsInsideMapsAndLists) {
  ParseOutput out = ParseHcl(
      "m = {\n  p = <<-EOT\n    x\n    EOT\n  q = 1\n}\n"
      "l = [<<EOT\ny\nEOT\n, \"z\"]\n",
      "t.hcl");
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(out.body->attributes[0].value.Find("p")->text, "x\n");
  EXPECT_EQ(out.body->attributes[0].value.Find("p")->location.ToString(), "t.hcl:2:7");
  EXPECT_EQ(out.body->attributes[1].value.items[0].text, "y\n");
}

TEST(HclParserTest, EmptyAndCommentOnlyFilesHaveNoAttributes) {
  for (std::string_view text : {"", "\n\n", "# only\n// comments\n/* here */"}) {
    ParseOutput out = ParseHcl(text, "t.hcl");
    ASSERT_TRUE(out.body.has_value());
    EXPECT_THAT(out.body->attributes, IsEmpty());
  }
}

TEST(HclParserTest, SyntaxErrorsSayWhatWasExpected) {
  EXPECT_EQ(ErrorOf("a = \n"), "1:5: expected a value after '=', found a newline");
  EXPECT_EQ(ErrorOf("a = }"), "1:5: expected a value after '=', found '}'");
  EXPECT_EQ(ErrorOf("a }"), "1:3: expected '=' after attribute name 'a', found '}'");
  EXPECT_EQ(ErrorOf("= 1"), "1:1: expected an attribute name, found '='");
  EXPECT_EQ(ErrorOf("a = 1 b = 2"), "1:7: expected a newline after the value of 'a', found 'b'");
  EXPECT_EQ(ErrorOf("a = [1 2]"), "1:8: expected ',' or ']' after a list item, found a number");
  EXPECT_EQ(ErrorOf("a = [,]"), "1:6: expected a value in the list, found ','");
  EXPECT_EQ(ErrorOf("m = { a = 1 b = 2 }"),
            "1:13: expected ',', a newline or '}' after the value of 'a', found 'b'");
  EXPECT_EQ(ErrorOf("m = { 1 = 2 }"), "1:7: expected a key or '}', found a number");
  EXPECT_EQ(ErrorOf("m = { a 1 }"), "1:9: expected '=' or ':' after key 'a', found a number");
  EXPECT_EQ(ErrorOf("m = { a: }"), "1:10: expected a value after ':', found '}'");
}

TEST(HclParserTest, ErrorsExplainUnsupportedTerraform) {
  EXPECT_THAT(ErrorOf("tags {\n}"),
              HasSubstr("1:6: expected '=' after attribute name 'tags', found '{' (blocks are not "
                        "supported; write tags = { ... })"));
  EXPECT_THAT(ErrorOf("\"a\" = 1"),
              HasSubstr("(top-level attribute names are written without quotes)"));
  EXPECT_EQ(ErrorOf("a = var.secret_value"),
            "1:5: expected a value after '=', found a bare word (references and expressions are "
            "not supported; quote strings)");
  EXPECT_THAT(ErrorOf("a = \"${x}\""), HasSubstr("1:6: interpolation '${...}' is not supported"));
}

TEST(HclParserTest, UnclosedContainersNameWhereTheyOpened) {
  EXPECT_EQ(ErrorOf("m = {\n  a = 1\n"),
            "3:1: expected a key or '}', found end of file (the map opened at line 1, column 5 "
            "is not closed)");
  EXPECT_EQ(ErrorOf("l = [\n  1,\n  2"),
            "3:4: expected ',' or ']' after a list item, found end of file (the list opened at "
            "line 1, column 5 is not closed)");
}

TEST(HclParserTest, DuplicateKeysNameBothLocationsAndKeepTheFirst) {
  ParseOutput out = ParseHcl("a = 1\nm = { k = 1, k = 2 }\na = 3\n", "t.hcl");
  ASSERT_TRUE(out.body.has_value());
  std::vector<std::string> errors;
  for (const Diagnostic& d : out.errors) errors.push_back(d.ToString());
  EXPECT_THAT(errors,
              ElementsAre("t.hcl:2:14: duplicate key 'k' (first defined at t.hcl:2:7)",
                          "t.hcl:3:1: duplicate attribute 'a' (first defined at t.hcl:1:1)"));
  EXPECT_EQ(out.body->attributes[0].value.text, "1");
  EXPECT_THAT(out.body->attributes[1].value.entries, SizeIs(1));
}

TEST(HclParserTest, NestingIsLimited) {
  ParseOptions options;
  options.max_depth = 64;
  std::string ok = "a = " + std::string(64, '[') + std::string(64, ']');
  EXPECT_EQ(ErrorOf(ok, options), "no error");
  std::string deep = "a = " + std::string(65, '[') + std::string(65, ']');
  EXPECT_EQ(ErrorOf(deep, options),
            "1:69: nesting too deep: lists and maps may nest at most 64 levels");
  std::string very_deep = "a = " + std::string(100000, '[');
  EXPECT_THAT(ErrorOf(very_deep), HasSubstr("nesting too deep"));
}

TEST(HclParserTest, RawBytesAreCheckedFirst) {
  ParseOptions small;
  small.max_bytes = 10;
  EXPECT_EQ(ErrorOf("a = \"0123456789\"", small),
            " file is 16 bytes, more than the limit of 10 bytes");
  EXPECT_EQ(ErrorOf("a = \"\xC3\x28\""), "1:6: invalid UTF-8 (byte 0xC3); the file must be UTF-8");
  EXPECT_EQ(ErrorOf(std::string("a = 1\nb = \0", 11)), "2:5: NUL byte in the file");
  ParseOutput bom = ParseHcl(
      "\xEF\xBB\xBF"
      "a = 1\n",
      "t.hcl");
  ASSERT_TRUE(bom.body.has_value());
  EXPECT_EQ(bom.body->attributes[0].key_location.column, 1u);
}

}  // namespace
}  // namespace bp::config
