#include "core/status.h"

#include "testing/testing.h"

namespace bp {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return ValidationError("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  BP_ASSIGN_OR_RETURN(int h, Half(x));
  BP_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, OkIsCheapAndEmpty) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeMessageAndLocation) {
  Status s = ValidationError("bad key").WithLocation("a.hcl:3:7");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_EQ(s.ToString(), "a.hcl:3:7: bad key");
  Status again = Status(s).WithLocation("other:1:1");
  EXPECT_EQ(again.location(), "a.hcl:3:7");
  EXPECT_EQ(std::move(again).Annotate("config").message(), "config: bad key");
}

TEST(StatusTest, AssignOrReturnPropagates) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_THAT(Quarter(6), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_OK(Quarter(4));
}

}  // namespace
}  // namespace bp
