#include "auth/iam/evaluator.h"

#include <cstdlib>
#include <new>

#include <gtest/gtest.h>

#include "auth/iam/policy_parser.h"
#include "testing/testing.h"

// Counts heap allocations made while `g_counting` is set, to check that
// evaluation stays allocation-free on the hot path.
namespace {
bool g_counting = false;
long g_allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace bp::auth::iam {
namespace {

constexpr std::string_view kProfile =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
constexpr std::string_view kOtherProfile =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/tkxdfdh17c6o";
constexpr std::string_view kModel =
    "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0";

Policy Parse(std::string_view text, std::string_view origin = "test") {
  Result<Policy> p = ParsePolicy(text, origin);
  EXPECT_OK(p);
  return p.ok() ? std::move(p).value() : Policy{};
}

class EvaluatorTest : public ::testing::Test {
 protected:
  Decision Decide(const std::vector<const Policy*>& policies) {
    return Evaluate(policies, request_);
  }
  Request request_{"bedrock:InvokeModel", std::string(kProfile), {}};
};

TEST_F(EvaluatorTest, NoPolicyIsImplicitDeny) {
  Decision d = Decide({});
  EXPECT_EQ(d.outcome, Outcome::kImplicitDeny);
  EXPECT_EQ(d.statement, nullptr);
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.Describe(), "implicitly denied: no statement allows it");
  EXPECT_EQ(Decide({nullptr}).outcome, Outcome::kImplicitDeny);
}

TEST_F(EvaluatorTest, AllowNamesTheFirstApplicableStatement) {
  Policy p = Parse(R"({"Version":"2012-10-17","Statement":[
      {"Sid":"Other","Effect":"Allow","Action":"s3:*","Resource":"*"},
      {"Sid":"Invoke","Effect":"Allow","Action":"bedrock:Invoke*","Resource":"*"},
      {"Effect":"Allow","Action":"*","Resource":"*"}]})",
                   "bedrock-profiles.hcl:40:14");
  Decision d = Decide({nullptr, &p});
  ASSERT_EQ(d.outcome, Outcome::kAllow);
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.policy, &p);
  EXPECT_EQ(d.policy_index, 1u);
  ASSERT_NE(d.statement, nullptr);
  EXPECT_EQ(d.statement->sid, "Invoke");
  EXPECT_EQ(d.Describe(), "allowed by statement Invoke of policy 1 (bedrock-profiles.hcl:40:14)");
}

TEST_F(EvaluatorTest, ExplicitDenyWinsWhateverTheOrder) {
  Policy allow = Parse(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})");
  Policy deny = Parse(R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
      {"Effect":"Deny","Action":"bedrock:InvokeModel","Resource":"*"}]})",
                      "deny.json");
  for (const auto& order :
       {std::vector<const Policy*>{&allow, &deny}, std::vector<const Policy*>{&deny, &allow}}) {
    Decision d = Decide(order);
    ASSERT_EQ(d.outcome, Outcome::kExplicitDeny);
    EXPECT_EQ(d.policy, &deny);
    EXPECT_EQ(d.statement->index, 1u);
    EXPECT_EQ(d.Describe().rfind("explicitly denied by statement #1 of policy", 0), 0u);
  }
}

TEST_F(EvaluatorTest, NotActionAndNotResource) {
  Policy p = Parse(R"({"Statement":{"Effect":"Allow","NotAction":"bedrock:Create*",
      "NotResource":")" +
                   std::string(kOtherProfile) + R"("}})");
  EXPECT_TRUE(Decide({&p}).allowed());
  request_.action = "bedrock:CreateInferenceProfile";
  EXPECT_FALSE(Decide({&p}).allowed());
  request_.action = "bedrock:InvokeModel";
  request_.resource = kOtherProfile;
  EXPECT_FALSE(Decide({&p}).allowed());
}

TEST_F(EvaluatorTest, UnresolvedVariableInANegatedConditionOfADeny) {
  Policy p = Parse(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"*","Resource":"*"},
      {"Effect":"Deny","Action":"*","Resource":"*",
       "Condition":{"StringNotEquals":{"aws:ResourceTag/owner":"${aws:username}"}}}]})");
  request_.context.Set("aws:ResourceTag/owner", "alice");
  // No aws:username: AWS's documented example, the Deny applies.
  EXPECT_EQ(Decide({&p}).outcome, Outcome::kExplicitDeny);
  request_.context.Set("aws:username", "alice");
  EXPECT_EQ(Decide({&p}).outcome, Outcome::kAllow);
  request_.context.Set("aws:username", "bob");
  EXPECT_EQ(Decide({&p}).outcome, Outcome::kExplicitDeny);
  request_.context.SetList("aws:username", {"alice"});  // multi-valued: not a variable value
  EXPECT_EQ(Decide({&p}).outcome, Outcome::kExplicitDeny);
}

TEST_F(EvaluatorTest, UnresolvedVariableInANegatedConditionOfAnAllow) {
  Policy p = Parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*",
      "Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/owner":"${aws:username}"}}}})");
  request_.context.Set("aws:ResourceTag/owner", "alice");
  EXPECT_EQ(Decide({&p}).outcome, Outcome::kImplicitDeny);
  request_.context.Set("aws:username", "bob");
  EXPECT_EQ(Decide({&p}).outcome, Outcome::kAllow);
}

TEST_F(EvaluatorTest, UnresolvedResourceEntryMatchesNothingTheOthersCount) {
  for (const char* effect : {"Allow", "Deny"}) {
    Policy p = Parse(std::string(R"({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"arn:aws:bedrock:*:*:*"},
        {"Effect":")") +
                     effect + R"(","Action":"*","Resource":[
          "arn:aws:bedrock:*:*:application-inference-profile/${aws:username}",
          "arn:aws:bedrock:*:*:foundation-model/*"]}]})");
    Outcome matched = std::string(effect) == "Deny" ? Outcome::kExplicitDeny : Outcome::kAllow;
    request_.resource = kModel;
    EXPECT_EQ(Decide({&p}).outcome, matched) << effect;
    request_.resource = kProfile;
    EXPECT_EQ(Decide({&p}).outcome, Outcome::kAllow) << effect;  // only the first statement
  }
}

TEST_F(EvaluatorTest, UnresolvedNotResourceEntry) {
  const std::string entries =
      R"(["arn:aws:bedrock:*:*:application-inference-profile/${aws:username}",
      "arn:aws:bedrock:*:*:foundation-model/*"])";
  Policy deny = Parse(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"*","Resource":"*"},
      {"Effect":"Deny","Action":"*","NotResource":)" +
                      entries + "}]}");
  // In a Deny the unknown entry excludes nothing: only the model is spared.
  request_.resource = kProfile;
  EXPECT_EQ(Decide({&deny}).outcome, Outcome::kExplicitDeny);
  request_.resource = kModel;
  EXPECT_EQ(Decide({&deny}).outcome, Outcome::kAllow);
  // In an Allow the unknown entry voids the element, unless the resource is
  // one the entry could never name (another resource type).
  Policy allow = Parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*",
      "NotResource":"arn:aws:bedrock:*:*:application-inference-profile/${aws:username}"}})");
  request_.resource = kProfile;
  EXPECT_EQ(Decide({&allow}).outcome, Outcome::kImplicitDeny);
  request_.resource = kModel;
  EXPECT_EQ(Decide({&allow}).outcome, Outcome::kAllow);
}

TEST_F(EvaluatorTest, VariablesInResource) {
  Policy p = Parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*",
      "Resource":"arn:aws:bedrock:*:*:application-inference-profile/${aws:PrincipalTag/profile}"}})");
  EXPECT_FALSE(Decide({&p}).allowed());
  request_.context.Set("aws:PrincipalTag/profile", "acwt9yee9wzo");
  EXPECT_TRUE(Decide({&p}).allowed());
  request_.context.Set("aws:PrincipalTag/profile", "acwt9yee9wz?");
  EXPECT_FALSE(Decide({&p}).allowed());  // a '?' from a value is not a wildcard
}

TEST_F(EvaluatorTest, StatementAppliesIgnoresEffect) {
  Policy p = Parse(R"({"Statement":{"Effect":"Deny","Action":"bedrock:InvokeModel",
      "Resource":"arn:aws:bedrock:*::foundation-model/*"}})");
  EXPECT_FALSE(StatementApplies(p.statements[0], request_));
  request_.resource = kModel;
  EXPECT_TRUE(StatementApplies(p.statements[0], request_));
}

TEST_F(EvaluatorTest, OutcomeNames) {
  EXPECT_EQ(OutcomeName(Outcome::kAllow), "allow");
  EXPECT_EQ(OutcomeName(Outcome::kExplicitDeny), "explicit_deny");
  EXPECT_EQ(OutcomeName(Outcome::kImplicitDeny), "implicit_deny");
}

TEST(AllocationCounterTest, SeesAllocations) {
  g_allocations = 0;
  g_counting = true;
  auto* s = new std::string(100, 'x');
  g_counting = false;
  delete s;
  EXPECT_GE(g_allocations, 1);
}

TEST_F(EvaluatorTest, HotPathDoesNotAllocate) {
  Policy seed = Parse(R"({"Version":"2012-10-17","Statement":[
      {"Sid":"InvokeBedrockProfile","Effect":"Allow",
       "Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream"],
       "Resource":[")" +
                      std::string(kProfile) + R"("]},
      {"Sid":"InvokeFoundationModel","Effect":"Allow",
       "Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream"],
       "Resource":["arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"]},
      {"Sid":"Guard","Effect":"Deny","Action":"*","Resource":"*","Condition":{
        "StringEquals":{"aws:RequestedRegion":["eu-central-1","eu-west-1","eu-west-3"]},
        "IpAddress":{"aws:SourceIp":["2001:db8::/32","10.0.0.0/8"]},
        "DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},
        "NumericGreaterThan":{"aws:EpochTime":"1700000000"},
        "BoolIfExists":{"aws:SecureTransport":"true"},
        "ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/rd-*"},
        "ForAnyValue:StringLike":{"aws:TagKeys":"secret-*"}}}]})");
  request_.context.Set("aws:RequestedRegion", "eu-west-3");
  request_.context.Set("aws:SourceIp", "10.1.2.3");
  request_.context.Set("aws:CurrentTime", "2026-06-15T12:00:00Z");
  request_.context.Set("aws:EpochTime", "1781524800");
  request_.context.Set("aws:SecureTransport", "true");
  request_.context.SetList("aws:TagKeys", {"team"});
  request_.context.Set("aws:PrincipalArn", "arn:aws:iam::123456789012:role/rd-e2e");
  std::vector<const Policy*> policies{&seed};
  std::string model(kModel);

  g_allocations = 0;
  g_counting = true;
  Decision on_profile = Evaluate(policies, request_);
  request_.resource.swap(model);
  Decision on_model = Evaluate(policies, request_);
  g_counting = false;
  request_.context.SetList("aws:TagKeys", {"secret-x"});
  g_counting = true;
  Decision denied = Evaluate(policies, request_);  // every condition of Guard evaluated
  g_counting = false;

  EXPECT_EQ(g_allocations, 0);
  EXPECT_EQ(denied.outcome, Outcome::kExplicitDeny);
  EXPECT_EQ(on_profile.outcome, Outcome::kAllow);
  EXPECT_EQ(on_model.outcome, Outcome::kAllow);
  EXPECT_EQ(on_model.statement->sid, "InvokeFoundationModel");
}

TEST(ContextTest, AFallbackIsReadNotCopiedAndTheOverlayWins) {
  Context base;
  base.Set("aws:PrincipalArn", "arn:aws:iam::123456789012:role/rd-e2e");
  base.Set("aws:RequestedRegion", "eu-central-1");
  Context ctx;
  ctx.SetFallback(&base);
  ctx.Set("aws:RequestedRegion", "eu-west-3");
  ASSERT_NE(ctx.Find("AWS:PrincipalArn"), nullptr);
  EXPECT_EQ(ctx.Find("aws:principalarn")->values.front(), "arn:aws:iam::123456789012:role/rd-e2e");
  EXPECT_EQ(ctx.Find("aws:RequestedRegion")->values.front(), "eu-west-3");
  EXPECT_EQ(base.Find("aws:RequestedRegion")->values.front(), "eu-central-1");
  EXPECT_TRUE(ctx.Erase("aws:RequestedRegion"));
  EXPECT_EQ(ctx.Find("aws:RequestedRegion")->values.front(), "eu-central-1");
  EXPECT_FALSE(ctx.Erase("aws:PrincipalArn")) << "only keys set here are erased";
  EXPECT_EQ(ctx.size(), 0u);
  EXPECT_EQ(ctx.Find("aws:SourceIp"), nullptr);
}

}  // namespace
}  // namespace bp::auth::iam
