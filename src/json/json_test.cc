#include "json/json.h"

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

}  // namespace
}  // namespace bp::json
