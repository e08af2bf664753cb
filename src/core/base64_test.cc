#include "core/base64.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp {
namespace {

using ::bp::testing::StatusIs;

TEST(Base64Test, Base64RoundTrip) {
  for (std::string s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                std::string("\0\xff\x10", 3)}) {
    Result<std::string> back = Base64Decode(Base64Encode(s));
    ASSERT_OK(back);
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
}

TEST(Base64Test, Base64PaddingOptional) {
  Result<std::string> r = Base64Decode("Zm8");
  ASSERT_OK(r);
  EXPECT_EQ(*r, "fo");
}

TEST(Base64Test, Base64RejectsGarbage) {
  EXPECT_THAT(Base64Decode("!!!not-base64!!!"), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Base64Decode("Zm9v YmFy"), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Base64Decode("Z"), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Base64Decode("Zm=8"), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Base64Decode("Zm9=="), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Base64Decode("Zm9="), StatusIs(ErrorCode::kValidation));    // non-zero trailing bits
  EXPECT_THAT(Base64Decode("Zm9v-_"), StatusIs(ErrorCode::kValidation));  // URL alphabet
}
}  // namespace
}  // namespace bp
