#include "auth/iam/condition_eval.h"

#include <gtest/gtest.h>

#include "auth/iam/policy_parser.h"
#include "testing/testing.h"

namespace bp::auth::iam {
namespace {

// One condition per test, written as `"Operator": {"key": values}`.
class ConditionTest : public ::testing::Test {
 protected:
  bool Holds(std::string_view op_and_key, Effect effect = Effect::kAllow) {
    std::string text =
        R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",)"
        R"("Condition":{)" +
        std::string(op_and_key) + "}}}";
    Result<Policy> p = ParsePolicy(text, "test");
    EXPECT_OK(p);
    if (!p.ok() || p->statements[0].conditions.size() != 1) {
      ADD_FAILURE() << "expected exactly one condition in " << text;
      return false;
    }
    return ConditionHolds(p->statements[0].conditions[0], context_, effect);
  }
  Context context_;
};

TEST_F(ConditionTest, StringOperators) {
  context_.Set("aws:PrincipalTag/team", "Research");
  EXPECT_TRUE(Holds(R"("StringEquals":{"aws:PrincipalTag/team":"Research"})"));
  EXPECT_FALSE(Holds(R"("StringEquals":{"aws:PrincipalTag/team":"research"})"));
  EXPECT_TRUE(Holds(R"("StringNotEquals":{"aws:PrincipalTag/team":["a","b"]})"));
  EXPECT_FALSE(Holds(R"("StringNotEquals":{"aws:PrincipalTag/team":["a","Research"]})"));
  EXPECT_TRUE(Holds(R"("StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"RESEARCH"})"));
  EXPECT_FALSE(Holds(R"("StringNotEqualsIgnoreCase":{"aws:PrincipalTag/team":"research"})"));
  EXPECT_TRUE(Holds(R"("StringLike":{"aws:PrincipalTag/team":"Re*ch"})"));
  EXPECT_FALSE(Holds(R"("StringLike":{"aws:PrincipalTag/team":"re*"})"));
  EXPECT_TRUE(Holds(R"("StringNotLike":{"aws:PrincipalTag/team":"x*"})"));
  EXPECT_FALSE(Holds(R"("StringNotLike":{"aws:PrincipalTag/team":"R?search"})"));
  EXPECT_FALSE(Holds(R"("StringEquals":{"aws:PrincipalTag/team":"Re*"})"));  // no wildcards
}

TEST_F(ConditionTest, NumericOperators) {
  context_.Set("custom:n", "10");
  EXPECT_TRUE(Holds(R"("NumericEquals":{"custom:n":"10.0"})"));
  EXPECT_TRUE(Holds(R"("NumericNotEquals":{"custom:n":"11"})"));
  EXPECT_FALSE(Holds(R"("NumericNotEquals":{"custom:n":["11","10"]})"));
  EXPECT_TRUE(Holds(R"("NumericLessThan":{"custom:n":"10.5"})"));
  EXPECT_FALSE(Holds(R"("NumericLessThan":{"custom:n":"10"})"));
  EXPECT_TRUE(Holds(R"("NumericLessThanEquals":{"custom:n":10})"));
  EXPECT_TRUE(Holds(R"("NumericGreaterThan":{"custom:n":"-3"})"));
  EXPECT_FALSE(Holds(R"("NumericGreaterThan":{"custom:n":"10"})"));
  EXPECT_TRUE(Holds(R"("NumericGreaterThanEquals":{"custom:n":"10"})"));
  context_.Set("custom:n", "ten");
  EXPECT_FALSE(Holds(R"("NumericEquals":{"custom:n":"10"})"));
  EXPECT_TRUE(Holds(R"("NumericNotEquals":{"custom:n":"10"})"));
}

TEST_F(ConditionTest, DateOperatorsCompareInstants) {
  context_.Set("aws:CurrentTime", "2026-06-15T12:00:00Z");
  EXPECT_TRUE(Holds(R"("DateEquals":{"aws:CurrentTime":"2026-06-15T14:00:00+02:00"})"));
  EXPECT_TRUE(Holds(R"("DateEquals":{"aws:CurrentTime":"1781524800"})"));
  EXPECT_TRUE(Holds(R"("DateNotEquals":{"aws:CurrentTime":"2026-06-15T12:00:01Z"})"));
  EXPECT_TRUE(Holds(R"("DateLessThan":{"aws:CurrentTime":"2026-06-15T12:00:00.001Z"})"));
  EXPECT_FALSE(Holds(R"("DateLessThan":{"aws:CurrentTime":"2026-06-15T12:00:00Z"})"));
  EXPECT_TRUE(Holds(R"("DateLessThanEquals":{"aws:CurrentTime":"2026-06-15T12:00:00Z"})"));
  EXPECT_TRUE(Holds(R"("DateGreaterThan":{"aws:CurrentTime":"2026-01-01"})"));
  EXPECT_FALSE(Holds(R"("DateGreaterThanEquals":{"aws:CurrentTime":"2027-01-01"})"));
  context_.Set("aws:CurrentTime", "not a date");
  EXPECT_FALSE(Holds(R"("DateGreaterThan":{"aws:CurrentTime":"2026-01-01"})"));
}

TEST_F(ConditionTest, BoolAndNull) {
  context_.Set("aws:SecureTransport", "TRUE");
  EXPECT_TRUE(Holds(R"("Bool":{"aws:SecureTransport":true})"));
  EXPECT_TRUE(Holds(R"("Bool":{"aws:SecureTransport":"true"})"));
  EXPECT_FALSE(Holds(R"("Bool":{"aws:SecureTransport":"false"})"));
  EXPECT_FALSE(Holds(R"("Null":{"aws:SecureTransport":"true"})"));
  EXPECT_TRUE(Holds(R"("Null":{"aws:SecureTransport":false})"));
  EXPECT_TRUE(Holds(R"("Null":{"aws:Absent":"true"})"));
  EXPECT_FALSE(Holds(R"("Null":{"aws:Absent":"false"})"));
  context_.SetList("aws:TagKeys", {});
  EXPECT_TRUE(Holds(R"("Null":{"aws:TagKeys":"false"})"));  // present, with no values
  context_.Set("aws:SecureTransport", "1");
  EXPECT_FALSE(Holds(R"("Bool":{"aws:SecureTransport":"true"})"));
}

TEST_F(ConditionTest, BinaryEqualsComparesBytes) {
  context_.Set("custom:blob", "aGk=");
  EXPECT_TRUE(Holds(R"("BinaryEquals":{"custom:blob":"aGk"})"));
  EXPECT_FALSE(Holds(R"("BinaryEquals":{"custom:blob":"aGo="})"));
  context_.Set("custom:blob", "hi");  // not base64
  EXPECT_FALSE(Holds(R"("BinaryEquals":{"custom:blob":"aGk="})"));
}

TEST_F(ConditionTest, IpOperators) {
  context_.Set("aws:SourceIp", "10.1.2.3");
  EXPECT_TRUE(Holds(R"("IpAddress":{"aws:SourceIp":["192.168.0.0/16","10.0.0.0/8"]})"));
  EXPECT_FALSE(Holds(R"("IpAddress":{"aws:SourceIp":"10.1.2.4/32"})"));
  EXPECT_FALSE(Holds(R"("NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"})"));
  EXPECT_TRUE(Holds(R"("NotIpAddress":{"aws:SourceIp":"2001:db8::/32"})"));
  context_.Set("aws:SourceIp", "2001:db8:1::5");
  EXPECT_TRUE(Holds(R"("IpAddress":{"aws:SourceIp":"2001:db8::/32"})"));
  context_.Set("aws:SourceIp", "garbage");
  EXPECT_FALSE(Holds(R"("IpAddress":{"aws:SourceIp":"0.0.0.0/0"})"));
  EXPECT_TRUE(Holds(R"("NotIpAddress":{"aws:SourceIp":"0.0.0.0/0"})"));
}

TEST_F(ConditionTest, ArnOperators) {
  context_.Set("aws:PrincipalArn", "arn:aws:iam::123456789012:role/rd-e2e");
  EXPECT_TRUE(Holds(R"("ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/rd-e2e"})"));
  EXPECT_TRUE(Holds(R"("ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/rd-*"})"));
  EXPECT_TRUE(Holds(R"("ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/rd-*"})"));
  EXPECT_FALSE(Holds(R"("ArnLike":{"aws:PrincipalArn":"arn:aws:iam:*:role/rd-e2e"})"));
  EXPECT_FALSE(Holds(R"("ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:ROLE/*"})"));
  EXPECT_TRUE(Holds(R"("ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/x"})"));
  EXPECT_FALSE(Holds(R"("ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:*"})"));
  EXPECT_TRUE(Holds(
      R"("ArnLike":{"aws:PrincipalArn":"arn:aws:iam::${aws:userid, '123456789012'}:role/*"})"));
}

TEST_F(ConditionTest, AbsentKeyRules) {
  EXPECT_FALSE(Holds(R"("StringEquals":{"aws:x":"a"})"));
  EXPECT_TRUE(Holds(R"("StringNotEquals":{"aws:x":"a"})"));
  EXPECT_TRUE(Holds(R"("NotIpAddress":{"aws:x":"10.0.0.0/8"})"));
  EXPECT_TRUE(Holds(R"("ArnNotLike":{"aws:x":"*"})"));
  EXPECT_TRUE(Holds(R"("StringEqualsIfExists":{"aws:x":"a"})"));
  EXPECT_TRUE(Holds(R"("NumericLessThanIfExists":{"aws:x":"1"})"));
  EXPECT_TRUE(Holds(R"("ForAllValues:StringEquals":{"aws:x":"a"})"));
  EXPECT_FALSE(Holds(R"("ForAnyValue:StringEquals":{"aws:x":"a"})"));
  EXPECT_FALSE(Holds(R"("ForAnyValue:StringNotEquals":{"aws:x":"a"})"));
  EXPECT_TRUE(Holds(R"("ForAnyValue:StringEqualsIfExists":{"aws:x":"a"})"));
}

TEST_F(ConditionTest, IfExistsStillTestsAPresentKey) {
  context_.Set("aws:RequestedRegion", "us-east-1");
  EXPECT_FALSE(Holds(R"("StringEqualsIfExists":{"aws:RequestedRegion":["eu-west-1"]})"));
  EXPECT_TRUE(Holds(R"("StringEqualsIfExists":{"aws:RequestedRegion":["us-east-1"]})"));
}

TEST_F(ConditionTest, SetQualifiers) {
  context_.SetList("aws:TagKeys", {"team", "env"});
  EXPECT_TRUE(Holds(R"("ForAnyValue:StringEquals":{"aws:TagKeys":"env"})"));
  EXPECT_FALSE(Holds(R"("ForAnyValue:StringEquals":{"aws:TagKeys":"owner"})"));
  EXPECT_TRUE(Holds(R"("ForAllValues:StringEquals":{"aws:TagKeys":["env","team","x"]})"));
  EXPECT_FALSE(Holds(R"("ForAllValues:StringEquals":{"aws:TagKeys":["team"]})"));
  EXPECT_TRUE(Holds(R"("ForAllValues:StringNotEquals":{"aws:TagKeys":["owner"]})"));
  EXPECT_FALSE(Holds(R"("ForAllValues:StringNotEquals":{"aws:TagKeys":["team"]})"));
  EXPECT_TRUE(Holds(R"("ForAnyValue:StringNotEquals":{"aws:TagKeys":["team"]})"));
  context_.SetList("aws:TagKeys", {});
  EXPECT_TRUE(Holds(R"("ForAllValues:StringEquals":{"aws:TagKeys":"team"})"));
  EXPECT_FALSE(Holds(R"("ForAnyValue:StringEquals":{"aws:TagKeys":"team"})"));
}

TEST_F(ConditionTest, SetQualifierOnSingleValuedKey) {
  context_.Set("aws:RequestedRegion", "eu-west-1");
  EXPECT_TRUE(Holds(R"("ForAnyValue:StringEquals":{"aws:RequestedRegion":"eu-west-1"})"));
  EXPECT_FALSE(Holds(R"("ForAllValues:StringEquals":{"aws:RequestedRegion":"eu-west-3"})"));
}

TEST_F(ConditionTest, PlainOperatorOnListTreatsItAsAnyOf) {
  context_.SetList("aws:TagKeys", {"team", "env"});
  EXPECT_TRUE(Holds(R"("StringEquals":{"aws:TagKeys":"env"})"));
  EXPECT_FALSE(Holds(R"("StringNotEquals":{"aws:TagKeys":"env"})"));
  EXPECT_TRUE(Holds(R"("StringNotEquals":{"aws:TagKeys":"owner"})"));
  context_.SetList("aws:TagKeys", {});
  EXPECT_FALSE(Holds(R"("StringEquals":{"aws:TagKeys":"env"})"));
  EXPECT_TRUE(Holds(R"("StringNotEquals":{"aws:TagKeys":"env"})"));
}

TEST_F(ConditionTest, KeyNamesAreCaseInsensitive) {
  context_.Set("AWS:SOURCEIP", "10.1.2.3");
  EXPECT_TRUE(Holds(R"("IpAddress":{"aws:sourceip":"10.0.0.0/8"})"));
  EXPECT_TRUE(Holds(R"("Null":{"Aws:SourceIp":"false"})"));
}

TEST_F(ConditionTest, VariablesInValues) {
  context_.Set("aws:ResourceTag/team", "research");
  context_.Set("aws:PrincipalTag/team", "research");
  EXPECT_TRUE(Holds(R"("StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"})"));
  EXPECT_TRUE(Holds(R"("StringLike":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}*"})"));
  EXPECT_FALSE(Holds(R"("StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/env}"})"));
  EXPECT_TRUE(
      Holds(R"("StringNotEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/env, 'x'}"})"));
}

// A value whose variable has no value matches nothing; the other values count.
TEST_F(ConditionTest, UnresolvedValueUnderPositiveOperators) {
  context_.Set("aws:ResourceTag/team", "research");
  for (Effect effect : {Effect::kAllow, Effect::kDeny}) {
    EXPECT_FALSE(Holds(R"("StringEquals":{"aws:ResourceTag/team":"${aws:username}"})", effect));
    EXPECT_TRUE(
        Holds(R"("StringEquals":{"aws:ResourceTag/team":["${aws:username}","research"]})", effect));
    EXPECT_TRUE(
        Holds(R"("StringLike":{"aws:ResourceTag/team":["${aws:username}*","re*"]})", effect));
    EXPECT_FALSE(Holds(R"("StringLike":{"aws:ResourceTag/team":"*${aws:username}*"})", effect));
    EXPECT_TRUE(Holds(R"("StringEqualsIfExists":{"aws:ResourceTag/env":"${aws:username}"})",
                      effect));  // key absent: IfExists holds whatever the values
    EXPECT_FALSE(
        Holds(R"("StringEqualsIfExists":{"aws:ResourceTag/team":"${aws:username}"})", effect));
  }
}

// Negated operators: true in a Deny (AWS's documentation), false in an Allow
// (the simulator), unless another value already decides.
TEST_F(ConditionTest, UnresolvedValueUnderNegatedOperators) {
  context_.Set("aws:ResourceTag/team", "research");
  context_.Set("aws:PrincipalArn", "arn:aws:iam::123456789012:role/rd");
  EXPECT_FALSE(Holds(R"("StringNotEquals":{"aws:ResourceTag/team":"${aws:username}"})"));
  EXPECT_TRUE(
      Holds(R"("StringNotEquals":{"aws:ResourceTag/team":"${aws:username}"})", Effect::kDeny));
  // Another value matches: false in both.
  EXPECT_FALSE(
      Holds(R"("StringNotLike":{"aws:ResourceTag/team":["${aws:username}","r*"]})", Effect::kDeny));
  EXPECT_TRUE(Holds(R"("StringNotEqualsIfExists":{"aws:ResourceTag/team":"${aws:username}"})",
                    Effect::kDeny));
  EXPECT_FALSE(Holds(R"("StringNotEqualsIfExists":{"aws:ResourceTag/team":"${aws:username}"})"));
  EXPECT_TRUE(Holds(R"("ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/${aws:username}"})",
                    Effect::kDeny));
  EXPECT_FALSE(Holds(R"("ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/${aws:username}"})"));
  // An absent key: a negated operator holds whatever its values.
  EXPECT_TRUE(Holds(R"("StringNotEquals":{"aws:ResourceTag/env":"${aws:username}"})"));
}

TEST_F(ConditionTest, UnresolvedValueUnderSetOperators) {
  context_.SetList("aws:TagKeys", {"team", "env"});
  EXPECT_TRUE(Holds(R"("ForAnyValue:StringEquals":{"aws:TagKeys":["${aws:username}","env"]})"));
  EXPECT_FALSE(Holds(R"("ForAllValues:StringEquals":{"aws:TagKeys":["${aws:username}","env"]})"));
  EXPECT_TRUE(
      Holds(R"("ForAllValues:StringEquals":{"aws:TagKeys":["${aws:username}","env","team"]})"));
  EXPECT_FALSE(Holds(R"("ForAllValues:StringNotEquals":{"aws:TagKeys":"${aws:username}"})"));
  EXPECT_TRUE(
      Holds(R"("ForAllValues:StringNotEquals":{"aws:TagKeys":"${aws:username}"})", Effect::kDeny));
  EXPECT_FALSE(Holds(R"("ForAnyValue:StringNotEquals":{"aws:TagKeys":"${aws:username}"})"));
  EXPECT_TRUE(
      Holds(R"("ForAnyValue:StringNotEquals":{"aws:TagKeys":"${aws:username}"})", Effect::kDeny));
  EXPECT_FALSE(
      Holds(R"("ForAnyValue:StringNotEquals":{"aws:TagKeys":["${aws:username}","team","env"]})",
            Effect::kDeny));
  context_.SetList("aws:TagKeys", {});  // no values: ForAllValues holds, ForAnyValue does not
  EXPECT_TRUE(Holds(R"("ForAllValues:StringNotEquals":{"aws:TagKeys":"${aws:username}"})"));
  EXPECT_FALSE(
      Holds(R"("ForAnyValue:StringNotEquals":{"aws:TagKeys":"${aws:username}"})", Effect::kDeny));
}

}  // namespace
}  // namespace bp::auth::iam
