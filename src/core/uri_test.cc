#include "core/uri.h"

#include "testing/testing.h"

namespace bp {
namespace {

TEST(UriTest, EncodesLikeAws) {
  EXPECT_EQ(UriEncode("arn:aws/x y~"), "arn%3Aaws%2Fx%20y~");
  EXPECT_EQ(UriEncode("/a b/c", /*encode_slash=*/false), "/a%20b/c");
  EXPECT_EQ(UriEncode("%3A"), "%253A");
}

TEST(UriTest, SplitsRawPathBeforeDecoding) {
  auto segs = SplitAndDecodePath(
      "/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A1%3Aapplication-inference-profile%2Fabc/"
      "converse");
  ASSERT_OK(segs);
  ASSERT_EQ(segs->size(), 3u);
  EXPECT_EQ((*segs)[1], "arn:aws:bedrock:eu-central-1:1:application-inference-profile/abc");
  // The Anthropic SDK leaves ':' raw and encodes only '/'.
  auto raw =
      SplitAndDecodePath("/model/arn:aws:bedrock:r:1:application-inference-profile%2Fabc/invoke");
  ASSERT_OK(raw);
  EXPECT_EQ((*raw)[1], "arn:aws:bedrock:r:1:application-inference-profile/abc");
  EXPECT_TRUE(SplitAndDecodePath("/")->empty());
}

TEST(UriTest, RejectsBadEscapes) {
  EXPECT_THAT(UriDecode("abc%"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(UriDecode("abc%4"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(UriDecode("abc%zz"), testing::StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(UriDecode("a%2fb").value(), "a/b");
}

TEST(UriTest, ParsesQuery) {
  auto q = ParseQuery("maxResults=2&nextToken=abc%2F%2B%3D%20x&flag");
  ASSERT_OK(q);
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[1].second, "abc/+= x");
  EXPECT_EQ((*q)[2].first, "flag");
  EXPECT_TRUE(ParseQuery("")->empty());
}

}  // namespace
}  // namespace bp
