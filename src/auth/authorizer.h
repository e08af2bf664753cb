#pragma once
// May the caller do this? The Authorizer seam (auth.md §3-§4). The IAM-backed
// implementation lives in auth/iam (IamAuthorizer); operations call this
// interface with the Bedrock action and resource they are about to touch.
// Public header of bp_auth. Plain values only: no HTTP types, so an
// Authorizer is pure logic over what the API layer tells it.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "core/status.h"

namespace bp::auth {

// What the transport knows about one request, gathered once per request by
// the API layer (api/router.h, ApiCall::facts) so every decision of that
// request sees the same values.
struct RequestFacts {
  std::string source_ip;                       // aws:SourceIp: "127.0.0.1" or "::1"
  bool secure_transport = false;               // aws:SecureTransport: TLS to the endpoint
  std::chrono::system_clock::time_point time;  // aws:CurrentTime, aws:EpochTime
};

// A request-context condition key the operation knows (aws:ResourceTag/k,
// aws:RequestTag/k, aws:TagKeys, bedrock:InferenceProfileArn, ...). Keys the
// authorizer derives itself (aws:SourceIp, aws:CurrentTime, aws:EpochTime,
// aws:SecureTransport, aws:PrincipalArn, aws:username, aws:userid,
// aws:PrincipalTag/*, aws:RequestedRegion) need not be given; the request's
// own come from RequestFacts.
struct ContextEntry {
  std::string key;
  std::vector<std::string> values;  // one value unless `multi`
  bool multi = false;               // multi-valued key (aws:TagKeys)
};

struct AuthorizationRequest {
  std::string_view action;  // "bedrock:GetInferenceProfile"
  std::string_view
      resource;  // a concrete ARN, or "*" for actions without resource-level permissions
  std::vector<ContextEntry> context;
};

// Why a question is decided as it is (the dashboard's Access page, like
// `simulate`).
struct Explanation {
  enum class Outcome : uint8_t { kAllow, kImplicitDeny, kExplicitDeny };
  Outcome outcome = Outcome::kImplicitDeny;
  // "allowed by statement InvokeBedrockProfile of policy 0
  // (bedrock-profiles.hcl:40:14)", "implicitly denied: no statement allows it".
  std::string reason;
  bool allowed() const { return outcome == Outcome::kAllow; }
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // OK when an identity policy allows and none denies. Otherwise
  // kAccessDenied with AWS's wording: "User: <principal ARN> is not
  // authorized to perform: <action> on resource: <resource> because no
  // identity-based policy allows the <action> action" (or "... with an
  // explicit deny in an identity-based policy"). Logs which statement decided.
  // Never reveals a secret. Thread-safe.
  virtual Status Authorize(const Principal& principal, const RequestFacts& facts,
                           const AuthorizationRequest& question) const = 0;

  // The decision Authorize makes, with the statement that made it. The
  // default knows only the outcome (Authorize's status; an explicit deny
  // looks like an implicit one). Never reveals a secret. Thread-safe.
  virtual Explanation Explain(const Principal& principal, const RequestFacts& facts,
                              const AuthorizationRequest& question) const {
    Status s = Authorize(principal, facts, question);
    return s.ok()
               ? Explanation{.outcome = Explanation::Outcome::kAllow, .reason = "allowed"}
               : Explanation{.outcome = Explanation::Outcome::kImplicitDeny, .reason = s.message()};
  }
};

// Allows everything. For unit tests of operations only; never used by serve.
class AllowAllAuthorizer final : public Authorizer {
 public:
  Status Authorize(const Principal&, const RequestFacts&,
                   const AuthorizationRequest&) const override {
    return Status::Ok();
  }
};

}  // namespace bp::auth
