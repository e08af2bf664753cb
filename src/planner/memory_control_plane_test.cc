#include "planner/memory_control_plane.h"

#include "planner/planner_test_fixture.h"

namespace bp::planner {
namespace {

using ::bp::testing::StatusIs;
using testing::BuiltinCatalog;
using ::testing::ElementsAre;

CreateRequest Request(std::string name, std::string token = "t-1") {
  return CreateRequest{.name = std::move(name),
                       .description = "d",
                       .copy_from = std::string(testing::kHaikuSource),
                       .tags = {{"k", "v"}},
                       .client_request_token = std::move(token)};
}

class MemoryControlPlaneTest : public ::testing::Test {
 protected:
  MemoryControlPlane cp_{BuiltinCatalog(), MemoryControlPlaneOptions{}};
};

TEST_F(MemoryControlPlaneTest, CreateResolvesModelsFromTheCatalog) {
  Result<std::string> arn = cp_.Create(Request("rd-x"));
  ASSERT_OK(arn);
  EXPECT_EQ(*arn,
            "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/mem000000001");
  Result<std::vector<LiveProfile>> live = cp_.ListApplicationProfiles();
  ASSERT_OK(live);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].model_arns.size(), 3u);
  EXPECT_EQ((*live)[0].tags, (Tags{{"k", "v"}}));
  EXPECT_EQ(cp_.profiles_created(), 1u);
}

TEST_F(MemoryControlPlaneTest, NamesAreUniqueAndTokensReplay) {
  Result<std::string> first = cp_.Create(Request("rd-x", "t-1"));
  ASSERT_OK(first);
  Result<std::string> replay = cp_.Create(Request("rd-x", "t-1"));
  ASSERT_OK(replay);
  EXPECT_EQ(*replay, *first);
  EXPECT_THAT(cp_.Create(Request("rd-x", "t-2")), StatusIs(ErrorCode::kConflict));
  CreateRequest other = Request("rd-y", "t-1");
  EXPECT_THAT(cp_.Create(other), StatusIs(ErrorCode::kConflict)) << "same token, other request";
  ASSERT_OK(cp_.Delete(*first));
  EXPECT_THAT(cp_.Create(Request("rd-x", "t-1")), StatusIs(ErrorCode::kConflict))
      << "token of a deleted profile";
  EXPECT_OK(cp_.Create(Request("rd-x", "t-3")));
  EXPECT_EQ(cp_.profiles_created(), 2u);
}

TEST_F(MemoryControlPlaneTest, UnknownTargetsAndLimits) {
  EXPECT_THAT(cp_.Delete("arn:nope"), StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(cp_.Tag("arn:nope", {}), StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(cp_.Untag("arn:nope", {}), StatusIs(ErrorCode::kResourceNotFound));
  CreateRequest bad = Request("rd-x");
  bad.copy_from = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.unknown";
  EXPECT_THAT(cp_.Create(bad), StatusIs(ErrorCode::kResourceNotFound));
  Result<std::string> arn = cp_.Create(Request("rd-x"));
  ASSERT_OK(arn);
  Tags many;
  for (int i = 0; i < 50; ++i) many["t" + std::to_string(i)] = "v";
  EXPECT_THAT(cp_.Tag(*arn, many), StatusIs(ErrorCode::kTooManyTags));
  ASSERT_OK(cp_.Untag(*arn, {"k", "absent"}));
  EXPECT_TRUE(cp_.Profiles()[0].tags.empty());
}

TEST_F(MemoryControlPlaneTest, FailsTheNthCallBeforeOrAfterItsEffect) {
  cp_.FailCall(2, Status(ErrorCode::kServiceUnavailable, "boom"));
  EXPECT_OK(cp_.ListApplicationProfiles());
  EXPECT_THAT(cp_.Create(Request("rd-x")), StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_TRUE(cp_.Profiles().empty()) << "failed before the effect";

  cp_.FailCall(1, Status(ErrorCode::kServiceUnavailable, "lost"), /*after_effect=*/true);
  EXPECT_THAT(cp_.Create(Request("rd-x")), StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(cp_.Profiles().size(), 1u) << "the answer was lost, the profile exists";
  EXPECT_EQ(cp_.calls(), 3u);
  EXPECT_THAT(cp_.log(), ElementsAre("List", "Create rd-x token=t-1", "Create rd-x token=t-1"));
}

TEST_F(MemoryControlPlaneTest, ExtraRegionsActLikeRealAws) {
  MemoryControlPlane aws(BuiltinCatalog(),
                         MemoryControlPlaneOptions{.extra_regions = {"eu-north-1"}});
  ASSERT_OK(aws.Create(Request("rd-x")));
  EXPECT_EQ(aws.Profiles()[0].model_arns.size(), 4u);
}

}  // namespace
}  // namespace bp::planner
