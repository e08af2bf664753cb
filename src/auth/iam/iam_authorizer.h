#pragma once
// The IAM-backed Authorizer (auth.md §3-§4): decides each question against the
// identity-based policies configured for the calling principal. Public header
// of bp_auth_iam.
//
// Policies are parsed once, at Create; Authorize only builds the request
// context and evaluates: pure logic over values (no clock, no HTTP). A
// principal whose policies have no condition and no policy variable gets no
// request context built (nothing would read it). Context
// keys derived here (auth.md §3):
//   aws:SourceIp          RequestFacts::source_ip
//   aws:CurrentTime       RequestFacts::time, ISO 8601 UTC to the second ("2026-11-25T12:00:00Z")
//   aws:EpochTime         RequestFacts::time, whole seconds since the Unix epoch
//   aws:SecureTransport   RequestFacts::secure_transport, "true" or "false"
//   aws:PrincipalArn      the configured ARN of the principal
//   aws:username          the last path part of an IAM `user/` ARN (absent otherwise)
//   aws:userid            the principal's name
//   aws:PrincipalTag/<k>  each configured tag
//   aws:RequestedRegion   Options::requested_region (absent when empty)
// then the question's own entries, which replace a derived key of the same
// name (e.g. aws:RequestedRegion for a data-plane check in another region).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "auth/authorizer.h"
#include "auth/iam/evaluator.h"
#include "auth/iam/policy.h"
#include "auth/iam/request.h"
#include "core/status.h"
#include "core/tags.h"

namespace bp::auth::iam {

// One policy document as configured (mirrors config::PolicyDocument).
struct PolicySource {
  std::string text;    // the IAM policy JSON
  std::string origin;  // "bedrock-profiles.hcl:40:14" or a policy file path
};

// One principal as configured (mirrors the authorization half of
// config::PrincipalConfig).
struct PrincipalPolicies {
  std::string name;  // matched against Principal::name
  std::string arn;   // "arn:aws:iam::123456789012:role/rd-e2e"
  Tags tags;         // aws:PrincipalTag/*
  std::vector<PolicySource> policies;
};

class IamAuthorizer final : public Authorizer {
 public:
  struct Options {
    // aws:RequestedRegion unless the question supplies it; usually the
    // configured home region. Empty leaves the key absent.
    std::string requested_region;
  };

  // Parses every policy of every principal. Fails with the parser's
  // kValidation status (location = the policy's origin, message = the JSON
  // path and the problem) on the first invalid policy, or kValidation when a
  // principal name is empty or repeated.
  static Result<std::unique_ptr<IamAuthorizer>> Create(std::vector<PrincipalPolicies> principals,
                                                       Options options);

  // See Authorizer::Authorize. An unknown principal name is denied as having
  // no policy. A question entry that is not `multi` but does not hold exactly
  // one value is a caller bug: kInternal. Logs the decision at info level
  // (principal name, action, resource, deciding statement). Thread-safe.
  Status Authorize(const Principal& principal, const RequestFacts& facts,
                   const AuthorizationRequest& question) const override;
  // The same decision with its deciding statement (Decision::Describe());
  // logs nothing. A caller bug Authorize reports as kInternal is an implicit
  // deny here, its reason saying so.
  Explanation Explain(const Principal& principal, const RequestFacts& facts,
                      const AuthorizationRequest& question) const override;

 private:
  struct Entry {
    std::string arn;
    std::vector<Policy> policies;
    std::vector<const Policy*> policy_ptrs;  // into `policies`, for Evaluate
    Context base_context;                    // the per-principal derived keys
    // Some statement has a condition or a policy variable. When none has,
    // no decision reads the request context, so Authorize builds none.
    bool reads_context = false;
  };

  explicit IamAuthorizer(Options options);
  // The decision of `question` for `entry`, or kInternal for a malformed
  // question (a single-valued key without exactly one value).
  Result<Decision> Decide(const Entry& entry, const RequestFacts& facts,
                          const AuthorizationRequest& question) const;
  Status AddPrincipal(PrincipalPolicies principal);
  Status Deny(const Principal& principal, const AuthorizationRequest& question,
              bool explicit_deny) const;

  const Options options_;
  std::map<std::string, Entry, std::less<>> principals_;  // by name; nodes are stable
};

}  // namespace bp::auth::iam
