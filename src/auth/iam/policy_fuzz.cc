// Fuzz target for IAM policy documents: arbitrary bytes through ParsePolicy,
// then one evaluation of whatever parses against a fixed request whose
// context has every key type the endpoint supplies. Checks the parser's
// contract on every input: no crash, hang or leak; an error always names a
// JSON path and carries the origin; a parsed policy has no empty statement
// parts; Evaluate names the deciding statement unless it is an implicit deny.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/iam/evaluator.h"
#include "auth/iam/policy_parser.h"

namespace {

using bp::auth::iam::Decision;
using bp::auth::iam::Outcome;
using bp::auth::iam::Policy;
using bp::auth::iam::Request;

void Require(bool condition) {
  if (!condition) std::abort();
}

const Request& FixedRequest() {
  static const Request request = [] {
    Request r;
    r.action = "bedrock:InvokeModel";
    r.resource =
        "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
    r.context.Set("aws:RequestedRegion", "eu-central-1");
    r.context.Set("aws:SourceIp", "10.1.2.3");
    r.context.Set("aws:CurrentTime", "2026-06-15T12:00:00Z");
    r.context.Set("aws:EpochTime", "1781524800");
    r.context.Set("aws:SecureTransport", "true");
    r.context.Set("aws:PrincipalArn", "arn:aws:iam::123456789012:role/rd-e2e");
    r.context.Set("aws:username", "rd-e2e");
    r.context.Set("aws:PrincipalTag/team", "research");
    r.context.Set("aws:ResourceTag/billing-mode", "rd");
    r.context.SetList("aws:TagKeys", {"team", "env"});
    r.context.Set("bedrock:InferenceProfileArn", r.resource);
    return r;
  }();
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bp::Result<Policy> policy = bp::auth::iam::ParsePolicy(text, "fuzz.json");
  if (!policy.ok()) {
    const bp::Status& s = policy.status();
    Require(s.code() == bp::ErrorCode::kValidation);
    Require(!s.message().empty() && s.message().front() == '$');
    Require(s.location() == "fuzz.json");
    return 0;
  }
  Require(policy->origin == "fuzz.json");
  for (const bp::auth::iam::Statement& st : policy->statements) {
    Require(!st.actions.empty() && !st.resources.empty());
  }
  Decision d = bp::auth::iam::Evaluate({&*policy}, FixedRequest());
  Require((d.outcome == Outcome::kImplicitDeny) == (d.statement == nullptr));
  Require(d.statement == nullptr || d.policy == &*policy);
  return 0;
}
