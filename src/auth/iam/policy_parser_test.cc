#include "auth/iam/policy_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::auth::iam {
namespace {

using ::testing::HasSubstr;

// A 2012-10-17 policy with one statement made of `members` (JSON text).
std::string OneStatement(std::string_view members) {
  return std::string(R"({"Version":"2012-10-17","Statement":[{)") + std::string(members) + "}]}";
}

constexpr std::string_view kAllowAll = R"("Effect":"Allow","Action":"*","Resource":"*")";

std::string WithCondition(std::string_view block) {
  return OneStatement(std::string(kAllowAll) + R"(,"Condition":)" + std::string(block));
}

// The full error text ("origin: $.path: message"), or "OK".
std::string ErrorOf(std::string_view text, const ParseOptions& options = {}) {
  Result<Policy> p = ParsePolicy(text, "test.hcl:3:7", options);
  return p.ok() ? "OK" : p.status().ToString();
}

TEST(PolicyParserTest, ParsesTheSeedPolicy) {
  Result<Policy> p = ParsePolicy(R"({
    "Version": "2012-10-17",
    "Statement": [
      {"Sid": "InvokeBedrockProfile", "Effect": "Allow",
       "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
       "Resource": ["arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo"]},
      {"Sid": "InvokeFoundationModel", "Effect": "Allow",
       "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
       "Resource": ["arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"]}
    ]})",
                                 "seed");
  ASSERT_OK(p);
  EXPECT_EQ(p->origin, "seed");
  EXPECT_EQ(p->version, PolicyVersion::k2012_10_17);
  ASSERT_EQ(p->statements.size(), 2u);
  const Statement& fm = p->statements[1];
  EXPECT_EQ(fm.sid, "InvokeFoundationModel");
  EXPECT_EQ(fm.index, 1u);
  EXPECT_EQ(fm.effect, Effect::kAllow);
  ASSERT_EQ(fm.actions.size(), 2u);
  EXPECT_EQ(fm.actions[1].text, "bedrock:invokemodelwithresponsestream");
  ASSERT_EQ(fm.resources.size(), 1u);
  EXPECT_EQ(fm.resources[0].split.count, 6u);
  EXPECT_FALSE(fm.resources[0].match_all);
  EXPECT_TRUE(fm.conditions.empty());
}

TEST(PolicyParserTest, VersionDefaultsTo2008AndKeepsVariablesLiteral) {
  Result<Policy> p = ParsePolicy(R"({"Statement":{"Effect":"Deny","NotAction":"s3:*",
      "NotResource":"arn:aws:s3:::${aws:username}"}})",
                                 "x");
  ASSERT_OK(p);
  EXPECT_EQ(p->version, PolicyVersion::k2008_10_17);
  ASSERT_EQ(p->statements.size(), 1u);
  const Statement& st = p->statements[0];
  EXPECT_TRUE(st.not_action);
  EXPECT_TRUE(st.not_resource);
  EXPECT_EQ(st.effect, Effect::kDeny);
  EXPECT_TRUE(st.resources[0].pattern.constant());
}

TEST(PolicyParserTest, KeepsVariablesOfResourcesAndConditions) {
  Result<Policy> p = ParsePolicy(OneStatement(R"("Effect":"Allow","Action":"*",
      "Resource":["arn:aws:s3:::${aws:username}/*", "arn:aws:s3:::${aws:userName}/x"],
      "Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}",
                                   "aws:ResourceTag/env":"${aws:PrincipalTag/env, 'dev'}"}})"),
                                 "x");
  ASSERT_OK(p);
  const Statement& st = p->statements[0];
  ASSERT_EQ(st.resources.size(), 2u);
  EXPECT_EQ(st.resources[0].pattern.variables[0].key, "aws:username");
  EXPECT_EQ(st.resources[1].pattern.variables[0].key, "aws:username");
  ASSERT_EQ(st.conditions.size(), 2u);
  for (const Condition& c : st.conditions) {
    const auto& values = std::get<std::vector<PolicyString>>(c.values);
    ASSERT_EQ(values.size(), 1u);
    ASSERT_EQ(values[0].variables.size(), 1u);
    const VariableRef& var = values[0].variables[0];
    if (c.key == "aws:resourcetag/team") {
      EXPECT_EQ(var.key, "aws:principaltag/team");
      EXPECT_FALSE(var.fallback);
    } else {
      EXPECT_EQ(var.key, "aws:principaltag/env");
      EXPECT_EQ(var.fallback, "dev");
    }
  }
}

TEST(PolicyParserTest, ResolvesOperatorsAndQualifiers) {
  Result<Policy> p = ParsePolicy(WithCondition(R"({
      "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]},
      "NumericLessThan": {"aws:EpochTime": [1800000000, "1.5"]},
      "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00+01:00"},
      "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
      "Bool": {"aws:SecureTransport": true},
      "Null": {"aws:ResourceTag/x": ["true", "false"]},
      "BinaryEquals": {"custom:Blob": "aGk="},
      "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}})"),
                                 "x");
  ASSERT_OK(p);
  const std::vector<Condition>& c = p->statements[0].conditions;
  ASSERT_EQ(c.size(), 8u);
  EXPECT_EQ(c[0].op, ConditionOperator::kStringLike);
  EXPECT_EQ(c[0].set, SetQualifier::kForAnyValue);
  EXPECT_TRUE(c[0].if_exists);
  EXPECT_EQ(c[0].key, "aws:tagkeys");
  EXPECT_EQ(c[0].operator_text, "ForAnyValue:StringLikeIfExists");
  EXPECT_EQ(std::get<std::vector<PolicyString>>(c[0].values).size(), 2u);
  EXPECT_THAT(std::get<std::vector<double>>(c[1].values), ::testing::ElementsAre(1.8e9, 1.5));
  EXPECT_EQ(std::get<std::vector<int64_t>>(c[2].values)[0], (1767225600LL - 3600) * 1000000);
  EXPECT_EQ(std::get<std::vector<Cidr>>(c[3].values).size(), 2u);
  EXPECT_TRUE(std::get<BoolSet>(c[4].values).has_true);
  EXPECT_FALSE(std::get<BoolSet>(c[4].values).has_false);
  EXPECT_TRUE(std::get<BoolSet>(c[5].values).has_false);
  EXPECT_EQ(std::get<std::vector<std::string>>(c[6].values)[0], "hi");
  EXPECT_EQ(std::get<std::vector<ArnPattern>>(c[7].values)[0].split.count, 6u);
}

TEST(PolicyParserTest, ErrorsCarryOriginAndPath) {
  EXPECT_EQ(ErrorOf(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",
      "Resource":"*"},{"Effect":"Allowed","Action":"*","Resource":"*"}]})"),
            "test.hcl:3:7: $.Statement[1].Effect: expected \"Allow\" or \"Deny\", got \"Allowed\"");
}

struct BadCase {
  std::string text;
  std::string expected;  // substring of the error
};

class PolicyParserErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(PolicyParserErrorTest, RefusesWithPathAndReason) {
  EXPECT_THAT(ErrorOf(GetParam().text), HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Documents, PolicyParserErrorTest,
    ::testing::Values(
        BadCase{"", "$: malformed JSON"}, BadCase{"[]", "$: expected an object, got an array"},
        BadCase{R"({"Version":"2012-10-18","Statement":[]})",
                R"($.Version: expected "2012-10-17" or "2008-10-17", got "2012-10-18")"},
        BadCase{R"({"Version":20121017,"Statement":[]})", "$.Version: expected"},
        BadCase{R"({"Statement":[],"Id":1})", "$.Id: expected a string"},
        BadCase{R"({"Version":"2012-10-17"})", "$: Statement is required"},
        BadCase{R"({"Statement":"x"})", "$.Statement: expected an object or a list"},
        BadCase{R"({"Statement":[],"Statements":[]})", "$.Statements: unknown policy element"},
        BadCase{R"({"Statement":[1]})", "$.Statement[0]: expected an object, got a number"},
        BadCase{R"({"Statement":[],"Statement":[]})", "$.Statement: duplicate key"},
        BadCase{R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"Bool":{"aws:SecureTransport":"true","aws:SecureTransport":"false"}}}})",
                R"($.Statement.Condition.Bool["aws:SecureTransport"]: duplicate key)"},
        BadCase{
            R"({"Statement":{"Eff\u0065ct":"Allow","Effect":"Deny","Action":"*","Resource":"*"}})",
            "$.Statement.Effect: duplicate key"}));

INSTANTIATE_TEST_SUITE_P(
    Statements, PolicyParserErrorTest,
    ::testing::Values(
        BadCase{OneStatement(R"("Effect":"Allow","Principal":"*","Action":"*","Resource":"*")"),
                "$.Statement[0].Principal: Principal is not allowed in an identity-based policy"},
        BadCase{OneStatement(R"("Effect":"Allow","NotPrincipal":{},"Action":"*","Resource":"*")"),
                "$.Statement[0].NotPrincipal: NotPrincipal is not allowed"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":"*","Resource":"*","Foo":1)"),
                "$.Statement[0].Foo: unknown statement element"},
        BadCase{OneStatement(R"("Action":"*","Resource":"*")"),
                "$.Statement[0]: Effect is required"},
        BadCase{OneStatement(R"("Effect":"allow","Action":"*","Resource":"*")"),
                R"($.Statement[0].Effect: expected "Allow" or "Deny", got "allow")"},
        BadCase{OneStatement(R"("Effect":true,"Action":"*","Resource":"*")"),
                "$.Statement[0].Effect: expected \"Allow\" or \"Deny\", got a boolean"},
        BadCase{OneStatement(R"("Effect":"Allow","Resource":"*")"),
                "$.Statement[0]: one of Action or NotAction is required"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":"*","NotAction":"*","Resource":"*")"),
                "$.Statement[0]: Action and NotAction are mutually exclusive"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":"*")"),
                "$.Statement[0]: one of Resource or NotResource is required"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":"*","Resource":"*","NotResource":"*")"),
                "$.Statement[0]: Resource and NotResource are mutually exclusive"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":[],"Resource":"*")"),
                "$.Statement[0].Action: expected at least one entry"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":["s3:x",7],"Resource":"*")"),
                "$.Statement[0].Action[1]: expected a string, got a number"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":{},"Resource":"*")"),
                "$.Statement[0].Action: expected a string or a list of strings, got an object"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":"InvokeModel","Resource":"*")"),
                "$.Statement[0].Action: expected \"*\" or \"service:ActionName\""},
        BadCase{OneStatement(R"("Effect":"Allow","Action":"bed*:InvokeModel","Resource":"*")"),
                "service prefix has no wildcards"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":"bedrock:a:b","Resource":"*")"),
                "$.Statement[0].Action: expected"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":"bedrock:","Resource":"*")"),
                "$.Statement[0].Action: expected"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":"*","Resource":["*","profile/x"])"),
                "$.Statement[0].Resource[1]: expected \"*\" or an ARN"},
        BadCase{OneStatement(R"("Effect":"Allow","Action":"*","Resource":"arn:${x")"),
                "$.Statement[0].Resource: malformed policy variable"},
        BadCase{OneStatement(R"("Sid":"my-sid","Effect":"Allow","Action":"*","Resource":"*")"),
                "$.Statement[0].Sid: expected up to 128 letters and digits"},
        BadCase{R"({"Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},
                                 {"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]})",
                "$.Statement[1].Sid: duplicate Sid \"A\" (also $.Statement[0])"}));

INSTANTIATE_TEST_SUITE_P(
    Conditions, PolicyParserErrorTest,
    ::testing::Values(
        BadCase{WithCondition(R"([])"), "$.Statement[0].Condition: expected an object"},
        BadCase{WithCondition(R"({"StringEqualz":{"aws:x":"y"}})"),
                "$.Statement[0].Condition.StringEqualz: unknown condition operator "
                "\"StringEqualz\" (did you mean \"StringEquals\"?)"},
        BadCase{WithCondition(R"({"stringequals":{"aws:x":"y"}})"),
                "(did you mean \"StringEquals\"?)"},
        BadCase{WithCondition(R"({"ForAnyValues:StringEquals":{"aws:x":"y"}})"),
                "unknown set qualifier \"ForAnyValues:\""},
        BadCase{WithCondition(R"({"NullIfExists":{"aws:x":"true"}})"),
                "Null tests whether the key is present"},
        BadCase{WithCondition(R"({"ForAllValues:Null":{"aws:x":"true"}})"),
                "Null tests whether the key is present"},
        BadCase{WithCondition(R"({"StringEquals":{}})"),
                "$.Statement[0].Condition.StringEquals: names no condition key"},
        BadCase{WithCondition(R"({"StringEquals":"x"})"),
                "$.Statement[0].Condition.StringEquals: expected an object"},
        BadCase{WithCondition(R"({"StringEquals":{"SourceIp":"x"}})"),
                "$.Statement[0].Condition.StringEquals.SourceIp: expected a condition key with a "
                "service prefix"},
        BadCase{WithCondition(R"({"StringEquals":{"aws:x":[]}})"),
                "expected at least one value, got an empty list"},
        BadCase{WithCondition(R"({"StringEquals":{"aws:x":null}})"),
                R"(["aws:x"]: expected a string, a boolean or a number, got null)"},
        BadCase{WithCondition(R"({"StringEquals":{"aws:x":["a",["b"]]}})"),
                R"(["aws:x"][1]: expected a string, a boolean or a number, got an array)"},
        BadCase{WithCondition(R"({"NumericEquals":{"aws:x":"ten"}})"), "expected a number"},
        BadCase{WithCondition(R"({"DateEquals":{"aws:x":"2026-13-01"}})"), "expected a date"},
        BadCase{WithCondition(R"({"IpAddress":{"aws:x":"10.0.0.0/40"}})"),
                "expected an IPv4 or IPv6 address or CIDR block"},
        BadCase{WithCondition(R"({"Bool":{"aws:x":"yes"}})"), R"(expected "true" or "false")"},
        BadCase{WithCondition(R"({"Null":{"aws:x":1}})"), R"(expected "true" or "false")"},
        BadCase{WithCondition(R"({"BinaryEquals":{"aws:x":"%%%"}})"), "expected base64 text"},
        BadCase{WithCondition(R"({"StringLike":{"aws:x":"${aws:y"}})"),
                "malformed policy variable"}));

TEST(PolicyParserLimitsTest, CapsSizes) {
  ParseOptions small{
      .max_document_bytes = 200, .max_statements = 2, .max_entries = 2, .max_string_bytes = 16};
  EXPECT_THAT(ErrorOf(std::string(201, ' '), small), HasSubstr("$: the document has 201 bytes"));
  EXPECT_THAT(ErrorOf(R"({"Statement":[{},{},{}]})", small),
              HasSubstr("$.Statement: more than 2 statements"));
  EXPECT_THAT(
      ErrorOf(OneStatement(R"("Effect":"Allow","Action":["a:b","a:c","a:d"],"Resource":"*")"),
              small),
      HasSubstr("$.Statement[0].Action: more than 2 entries"));
  EXPECT_THAT(
      ErrorOf(OneStatement(R"("Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::0123456789")"),
              small),
      HasSubstr("$.Statement[0].Resource: longer than 16 bytes"));
  EXPECT_THAT(ErrorOf(WithCondition(R"({"Bool":{"a:a":"true","a:b":"true","a:c":"true"}})"), small),
              HasSubstr("$.Statement[0].Condition: more than 2 conditions"));
}

TEST(PolicyParserLimitsTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep = R"({"Statement":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_THAT(ErrorOf(deep), HasSubstr("$: malformed JSON"));
}

TEST(PolicyParserTest, AcceptsEmptyStatementListAndConditionBlock) {
  EXPECT_EQ(ErrorOf(R"({"Version":"2012-10-17","Id":"x","Statement":[]})"), "OK");
  EXPECT_EQ(ErrorOf(WithCondition("{}")), "OK");
}

}  // namespace
}  // namespace bp::auth::iam
