#include "server/serve.h"

#include "testing/testing.h"

namespace bp::server {
namespace {

TEST(ServeTest, ParsesListenAddresses) {
  auto v4 = ParseListenAddress("127.0.0.1:8700");
  ASSERT_OK(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8700);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_OK(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_THAT(ParseListenAddress("8700"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParseListenAddress("::1:8700"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParseListenAddress("host:99999"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParseListenAddress("host:"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParseListenAddress(":80"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParseListenAddress("[::1]8700"), testing::StatusIs(ErrorCode::kValidation));
}

TEST(ServeTest, RecognisesLoopback) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("example.com"));
}

}  // namespace
}  // namespace bp::server
