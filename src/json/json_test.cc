#include "json/json.h"

#include <optional>
#include <string>
#include <vector>

#include "testing/testing.h"

namespace bp::json {
namespace {

TEST(JsonTest, ParseErrorsAreValues) {
  EXPECT_THAT(Parse("{\"a\":"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Parse(""), testing::StatusIs(ErrorCode::kValidation));
  std::string deep(100, '[');
  EXPECT_THAT(Parse(deep), testing::StatusIs(ErrorCode::kValidation));
}

TEST(JsonTest, CheckedAccessNamesThePath) {
  auto v = Parse(R"({"name":"x","count":3,"tags":{}})");
  ASSERT_OK(v);
  auto obj = RequireObject(*v, "$");
  ASSERT_OK(obj);
  EXPECT_EQ(RequiredString(**obj, "name", "$").value(), "x");
  Status bad = RequiredString(**obj, "count", "$").status();
  EXPECT_EQ(bad.message(), "$.count: expected a string, got a number");
  EXPECT_EQ(RequiredString(**obj, "nope", "$").status().message(), "$.nope is required");
  EXPECT_EQ(OptionalInt(**obj, "count", "$").value(), 3);
  EXPECT_EQ(RejectUnknownKeys(**obj, {"name", "count"}, "$").message(),
            "$.tags is not a recognised field");
}

TEST(JsonTest, StringArraysInOrder) {
  auto v = Parse(R"({"models":["a","b","a"],"none":[],"mixed":["a",2],"text":"a"})");
  ASSERT_OK(v);
  const Object& obj = v->get_object();
  EXPECT_EQ(RequiredStringArray(obj, "models", "$.p").value(),
            (std::vector<std::string>{"a", "b", "a"}));
  EXPECT_EQ(RequiredStringArray(obj, "none", "$").value(), std::vector<std::string>{});
  EXPECT_EQ(OptionalStringArray(obj, "absent", "$").value(), std::nullopt);
  EXPECT_EQ(OptionalStringArray(obj, "models", "$").value()->size(), 3u);
}

TEST(JsonTest, StringArrayErrorsNameThePath) {
  auto v = Parse(R"({"mixed":["a",2],"text":"a"})");
  ASSERT_OK(v);
  const Object& obj = v->get_object();
  EXPECT_EQ(RequiredStringArray(obj, "absent", "$.p").status().message(), "$.p.absent is required");
  EXPECT_EQ(RequiredStringArray(obj, "mixed", "$.p").status().message(),
            "$.p.mixed[1]: expected a string, got a number");
  EXPECT_EQ(OptionalStringArray(obj, "text", "$").status().message(),
            "$.text: expected an array, got a string");
}

TEST(JsonTest, LenientReadingNeverFails) {
  auto v = Parse(R"({"usage":{"inputTokens":7,"big":18446744073709551615,"neg":-2},"s":"x"})");
  ASSERT_OK(v);
  EXPECT_EQ(Find(&*v, {}), &*v);
  EXPECT_EQ(AsInt64(Find(&*v, {"usage", "inputTokens"})), 7);
  EXPECT_EQ(AsInt64(Find(&*v, {"usage", "neg"})), -2);
  EXPECT_EQ(AsInt64(Find(&*v, {"usage", "big"})), std::nullopt);  // does not fit int64_t
  EXPECT_EQ(Find(&*v, {"usage", "missing"}), nullptr);
  EXPECT_EQ(Find(&*v, {"s", "deeper"}), nullptr);  // a string is not an object
  EXPECT_EQ(Find(nullptr, {"usage"}), nullptr);
  EXPECT_EQ(StringOrEmpty(Find(&*v, {"s"})), "x");
  EXPECT_EQ(StringOrEmpty(Find(&*v, {"usage"})), "");
  EXPECT_EQ(StringOrEmpty(nullptr), "");
  EXPECT_EQ(AsInt64(Find(&*v, {"s"})), std::nullopt);
}

TEST(JsonTest, ParseInArenaGivesTheSameDocument) {
  const std::string text = R"({"a":[1,2.5,"x",{"b":null}],"c":true})";
  auto arena = ParseInArena(text);
  ASSERT_OK(arena);
  EXPECT_EQ(Serialize(*arena), Serialize(Parse(text).value()));
  EXPECT_THAT(ParseInArena("[1,"), testing::StatusIs(ErrorCode::kValidation));
}

// Streams the elements of `key`, returning each serialized with its index.
std::vector<std::string> Stream(std::string_view text, std::string_view key, Result<Value>* out) {
  std::vector<std::string> seen;
  *out = ParseStreamingMember(text, key, [&](const Value& v, size_t i) {
    seen.push_back(std::to_string(i) + ":" + Serialize(v));
  });
  return seen;
}

TEST(JsonTest, ParseStreamingMemberHandsOutTheElementsAndKeepsTheRest) {
  Result<Value> doc = Status::Ok();
  const std::string text =
      R"({"a":{"messages":[9]},"messages":[{"r":"u","c":[{"t":"hi"}]},[1,[2]],"s",3,-4,)"
      R"(1.5,true,null,{}],"z":[1]})";
  EXPECT_THAT(Stream(text, "messages", &doc),
              ::testing::ElementsAre(R"(0:{"r":"u","c":[{"t":"hi"}]})", "1:[1,[2]]", R"(2:"s")",
                                     "3:3", "4:-4", "5:1.5E0", "6:true", "7:null", "8:{}"));
  ASSERT_OK(doc);
  EXPECT_EQ(Serialize(*doc), R"({"a":{"messages":[9]},"messages":[],"z":[1]})")
      << "only the root member is streamed";
}

TEST(JsonTest, ParseStreamingMemberLeavesOtherShapesAlone) {
  Result<Value> doc = Status::Ok();
  EXPECT_TRUE(Stream(R"({"messages":"no"})", "messages", &doc).empty());
  EXPECT_EQ(Serialize(*doc), R"({"messages":"no"})");
  EXPECT_TRUE(Stream(R"([{"messages":[1]}])", "messages", &doc).empty());
  EXPECT_EQ(Serialize(*doc), R"([{"messages":[1]}])");
  EXPECT_TRUE(Stream(R"({"message":[1],"messagesx":[2]})", "messages", &doc).empty());
  EXPECT_THAT(Stream(R"({"messages":[1],"messages":[2,3]})", "messages", &doc),
              ::testing::ElementsAre("0:1", "0:2", "1:3"))
      << "a repeated key starts again at 0";
}

TEST(JsonTest, ParseStreamingMemberReportsSyntaxErrorsAfterElements) {
  Result<Value> doc = Status::Ok();
  EXPECT_THAT(Stream(R"({"messages":[1,2],"x":})", "messages", &doc), ::testing::SizeIs(2));
  EXPECT_THAT(doc, testing::StatusIs(ErrorCode::kValidation));
  Stream(R"({"messages":[1]} x)", "messages", &doc);
  EXPECT_THAT(doc, testing::StatusIs(ErrorCode::kValidation));
  Stream(std::string(100, '['), "messages", &doc);
  EXPECT_THAT(doc, testing::StatusIs(ErrorCode::kValidation)) << "depth limit";
}

// The thread's parser is reused: a failed parse (mid-element, mid-document)
// leaves nothing behind for the next one, and a parse started from inside a
// sink gets its own parser.
TEST(JsonTest, ParseStreamingMemberIsReusableAndReentrant) {
  Result<Value> doc = Status::Ok();
  Stream(R"({"messages":[{"a":[1,2)", "messages", &doc);
  EXPECT_THAT(doc, testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Stream(R"({"k":1,"messages":[{"b":2}]})", "messages", &doc),
              ::testing::ElementsAre(R"(0:{"b":2})"));
  ASSERT_OK(doc);
  EXPECT_EQ(Serialize(*doc), R"({"k":1,"messages":[]})");

  std::vector<std::string> inner;
  Result<Value> outer = ParseStreamingMember(
      R"({"messages":["x","y"],"after":true})", "messages", [&](const Value& v, size_t i) {
        Result<Value> nested = Status::Ok();
        std::vector<std::string> got =
            Stream(R"({"messages":[)" + std::to_string(i) + "]}", "messages", &nested);
        EXPECT_OK(nested);
        inner.push_back(Serialize(v) + "/" + (got.empty() ? "" : got.front()));
      });
  ASSERT_OK(outer);
  EXPECT_EQ(Serialize(*outer), R"({"messages":[],"after":true})");
  EXPECT_THAT(inner, ::testing::ElementsAre(R"("x"/0:0)", R"("y"/0:1)"));
}

}  // namespace
}  // namespace bp::json
