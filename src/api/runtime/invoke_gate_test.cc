#include "api/runtime/invoke_gate.h"

#include <set>

#include "core/arn.h"
#include "storage/caching_store.h"
#include "storage/memory/memory_profile_store.h"
#include "testing/testing.h"

namespace bp::api::runtime {
namespace {

using ::testing::HasSubstr;

constexpr char kHaikuArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
constexpr char kModel[] = "anthropic.claude-haiku-4-5-20251001-v1:0";

// Allows everything except the listed resources; records every question.
class FakeAuthorizer final : public auth::Authorizer {
 public:
  Status Authorize(const auth::Principal&, const auth::RequestFacts&,
                   const auth::AuthorizationRequest& q) const override {
    asked.push_back(std::string(q.action) + " " + std::string(q.resource));
    if (denied.count(std::string(q.resource)) == 0) return Status::Ok();
    return Status(ErrorCode::kAccessDenied, "denied " + std::string(q.resource));
  }
  std::set<std::string> denied;
  mutable std::vector<std::string> asked;
};

class InvokeGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::ProfileRecord p{.id = "acwt9yee9wzo",
                             .name = "rd-haiku-45",
                             .description = std::nullopt,
                             .arn = kHaikuArn,
                             .source_arn = "src",
                             .model_arns = {FoundationModelArn("eu-central-1", kModel),
                                            FoundationModelArn("eu-west-1", kModel),
                                            FoundationModelArn("eu-west-3", kModel)},
                             .tags = {},
                             .created_at_ms = 1,
                             .updated_at_ms = 1};
    ASSERT_OK(store_->Create({.profile = p, .client_token = "", .request_digest = ""}));
    call_.principal = {
        .name = "rd-e2e", .arn = "arn:aws:iam::123456789012:role/rd-e2e", .access_key_id = "AKIA"};
  }

  storage::MemoryProfileStore memory_;
  std::unique_ptr<storage::CachingProfileStore> store_ =
      std::move(storage::CachingProfileStore::Create(memory_).value());
  FakeAuthorizer authz_;
  InvokeGate gate_{{.account_id = "123456789012", .region = "eu-central-1"}, *store_, authz_};
  ApiCall call_;
};

TEST_F(InvokeGateTest, AdmitsTheProfileByArnOrIdAndChecksEveryRegion) {
  auto by_arn = gate_.Admit(call_, kHaikuArn, InvokeKind::kInvoke);
  ASSERT_OK(by_arn);
  EXPECT_EQ((*by_arn)->name, "rd-haiku-45");
  EXPECT_THAT(authz_.asked, ::testing::ElementsAre(
                                std::string("bedrock:InvokeModel ") + kHaikuArn,
                                "bedrock:InvokeModel " + FoundationModelArn("eu-central-1", kModel),
                                "bedrock:InvokeModel " + FoundationModelArn("eu-west-1", kModel),
                                "bedrock:InvokeModel " + FoundationModelArn("eu-west-3", kModel)));
  EXPECT_OK(gate_.Admit(call_, "acwt9yee9wzo", InvokeKind::kStream));
  EXPECT_THAT(authz_.asked.back(),
              HasSubstr("bedrock:InvokeModelWithResponseStream arn:aws:bedrock:eu-west-3::"));
}

TEST_F(InvokeGateTest, OneMissingRegionDeniesEveryCall) {
  authz_.denied.insert(FoundationModelArn("eu-west-3", kModel));
  auto r = gate_.Admit(call_, kHaikuArn, InvokeKind::kInvoke);
  EXPECT_THAT(r, testing::StatusIs(ErrorCode::kAccessDenied));
  EXPECT_THAT(r.status().message(), HasSubstr("eu-west-3"));
}

TEST_F(InvokeGateTest, RefusesRawModelsAndSystemProfilesNamingUsableProfiles) {
  for (std::string id :
       {std::string(kModel), "eu." + std::string(kModel), FoundationModelArn("eu-west-1", kModel),
        SystemProfileArn("eu-central-1", "123456789012", "eu." + std::string(kModel)),
        std::string("rd-nothing")}) {
    auto r = gate_.Admit(call_, id, InvokeKind::kInvoke);
    ASSERT_THAT(r, testing::StatusIs(ErrorCode::kValidation)) << id;
    EXPECT_THAT(r.status().message(), HasSubstr("ADR-0007")) << id;
    EXPECT_THAT(r.status().message(), HasSubstr(std::string("rd-haiku-45 (") + kHaikuArn + ")"));
  }
  authz_.denied.insert(kHaikuArn);
  auto none = gate_.Admit(call_, kModel, InvokeKind::kInvoke);
  EXPECT_THAT(none.status().message(), HasSubstr("No profile is available to you"));
}

// A profile's name as modelId: the fix is that profile's ARN, not a list that
// offers the name as the answer to itself.
TEST_F(InvokeGateTest, AProfileNameIsAnsweredWithItsArn) {
  auto r = gate_.Admit(call_, "rd-haiku-45", InvokeKind::kInvoke);
  ASSERT_THAT(r, testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(), HasSubstr("'rd-haiku-45' is the profile's name"));
  EXPECT_THAT(r.status().message(), HasSubstr(std::string("Use ") + kHaikuArn + " (or its id "));
  EXPECT_THAT(r.status().message(), ::testing::Not(HasSubstr("Use one of")));
  // Without the grant: the denial of the call itself, naming the profile by
  // the name given, never by its ARN; the action is the one of the call.
  authz_.denied.insert(kHaikuArn);
  authz_.asked.clear();
  auto denied = gate_.Admit(call_, "rd-haiku-45", InvokeKind::kStream);
  EXPECT_THAT(denied, testing::StatusIs(ErrorCode::kAccessDenied));
  EXPECT_THAT(denied.status().message(), ::testing::Not(HasSubstr(kHaikuArn)));
  EXPECT_EQ(denied.status().message(), "denied the inference profile named 'rd-haiku-45'");
  EXPECT_THAT(authz_.asked, ::testing::ElementsAre(
                                std::string("bedrock:InvokeModelWithResponseStream ") + kHaikuArn));
}

TEST_F(InvokeGateTest, UnknownProfileIsNotFoundOnlyWhenAllowed) {
  std::string missing =
      "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/zzzzzzzzzzzz";
  EXPECT_THAT(gate_.Admit(call_, missing, InvokeKind::kInvoke),
              testing::StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(
      gate_.Admit(
          call_,
          "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/acwt9yee9wzo",
          InvokeKind::kInvoke),
      testing::StatusIs(ErrorCode::kResourceNotFound));
  authz_.denied.insert(missing);
  EXPECT_THAT(gate_.Admit(call_, missing, InvokeKind::kInvoke),
              testing::StatusIs(ErrorCode::kAccessDenied));
}

TEST_F(InvokeGateTest, CountTokensChecksTheProfileOnly) {
  ASSERT_OK(gate_.Admit(call_, kHaikuArn, InvokeKind::kCountTokens));
  EXPECT_THAT(authz_.asked,
              ::testing::ElementsAre(std::string("bedrock:CountTokens ") + kHaikuArn));
}

}  // namespace
}  // namespace bp::api::runtime
