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

}  // namespace
}  // namespace bp::json
