#include "json/writer.h"

#include <string>

#include <gtest/gtest.h>

#include "json/json.h"

namespace bp::json {
namespace {

std::string Quoted(std::string_view text) {
  std::string out;
  AppendString(out, text);
  return out;
}

TEST(WriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Quoted(""), R"("")");
  EXPECT_EQ(Quoted("plain text"), R"("plain text")");
  EXPECT_EQ(Quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quoted("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Quoted(std::string_view("\x01\x1f\0", 3)), R"("\u0001\u001f\u0000")");
  EXPECT_EQ(Quoted("\x7f"), "\"\x7f\"");  // DEL is allowed in JSON strings
}

TEST(WriterTest, KeepsValidUtf8AndRepairsTheRest) {
  EXPECT_EQ(Quoted("caf\xC3\xA9 \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  EXPECT_EQ(Quoted("a\xFF"
                   "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(Quoted("\xC3"), "\"\xEF\xBF\xBD\"");                                  // truncated
  EXPECT_EQ(Quoted("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(WriterTest, WhatItWritesParsesBackToTheText) {
  const std::string text = "k\"\\\n\x02 \xE2\x82\xAC end";
  Result<Value> parsed = Parse(Quoted(text));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->as_string(), text);
}

TEST(WriterTest, Integers) {
  std::string out;
  AppendInt(out, 0);
  out += ',';
  AppendInt(out, -42);
  out += ',';
  AppendInt(out, INT64_MAX);
  EXPECT_EQ(out, "0,-42,9223372036854775807");
}

}  // namespace
}  // namespace bp::json
