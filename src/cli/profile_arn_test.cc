#include "cli/profile_arn.h"

#include "testing/testing.h"

namespace bp::cli {
namespace {

using ::testing::HasSubstr;

http::Endpoint At(std::string host) { return http::Endpoint{.host = std::move(host)}; }

TEST(ProfileArnTest, OnlyAwsItselfDrawsItsOwnIds) {
  for (const char* aws : {"bedrock.eu-central-1.amazonaws.com", "BEDROCK.EU-WEST-1.AMAZONAWS.COM",
                          "bedrock.eu-west-1.amazonaws.com.", "bedrock.cn-north-1.amazonaws.com.cn",
                          "bedrock.eu-west-3.api.aws", "amazonaws.com"}) {
    EXPECT_FALSE(HonoursPinnedIds(At(aws))) << aws;
  }
  for (const char* local : {"127.0.0.1", "::1", "localhost", "bedrock.internal.example.com",
                            "notamazonaws.com", "amazonaws.com.evil.example"}) {
    EXPECT_TRUE(HonoursPinnedIds(At(local))) << local;
  }
}

TEST(ProfileArnTest, ADeniedListNamesTheGrantAndTheWaysAround) {
  Status denial(ErrorCode::kAccessDenied,
                "AccessDeniedException: User: arn:aws:iam::123456789012:role/rd-e2e is not "
                "authorized to perform: bedrock:ListInferenceProfiles on resource: *");
  Status explained = ExplainListDenial(denial, {"rd-haiku-45-eval", "rd-other"});
  EXPECT_EQ(explained.code(), ErrorCode::kAccessDenied);
  const std::string& m = explained.message();
  EXPECT_THAT(m, HasSubstr("finding the ARN of 'rd-haiku-45-eval', 'rd-other' needs "
                           "bedrock:ListInferenceProfiles, which was denied:\n  " +
                           denial.message()));
  EXPECT_THAT(m,
              HasSubstr("{ \"Effect\": \"Allow\", \"Action\": \"bedrock:ListInferenceProfiles\", "
                        "\"Resource\": \"*\" }"));
  EXPECT_THAT(m, HasSubstr("inference_profiles.rd-haiku-45-eval.id"));
  EXPECT_THAT(m, HasSubstr("bedrock-profiles output rd-haiku-45-eval"));
}

}  // namespace
}  // namespace bp::cli
