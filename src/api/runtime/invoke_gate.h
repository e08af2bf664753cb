#pragma once
// The front door of every runtime call (auth.md order: authenticate -> route
// -> ADR-0007 check -> authorize -> serve). Resolves the path's modelId to an
// application inference profile, refuses raw model ids and system-defined
// profiles (ADR-0007) with the profiles the caller may use, and authorizes
// the invoke action on the profile ARN and then on its foundation model in
// EVERY destination region (auth.md §4: deterministic two-resource rule).
// Public header of bp_api_runtime.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/router.h"
#include "auth/authorizer.h"
#include "core/status.h"
#include "guardrails/guardrail.h"
#include "storage/caching_store.h"
#include "storage/profile_store.h"

namespace bp::api::runtime {

// Which action a runtime route needs.
enum class InvokeKind : uint8_t {
  kInvoke,       // InvokeModel, Converse: bedrock:InvokeModel
  kStream,       // InvokeModelWithResponseStream, ConverseStream
  kCountTokens,  // CountTokens: bedrock:CountTokens on the profile only
};

std::string_view ActionFor(InvokeKind kind);

class InvokeGate final {
 public:
  struct Options {
    std::string account_id;  // application profile ARNs must name this account
    std::string region;      // ... and this region
  };

  // `profiles` and `authorizer` must outlive the gate. Thread-safe. Reads
  // only the in-memory snapshot of `profiles` (never the database).
  InvokeGate(Options options, const storage::CachingProfileStore& profiles,
             const auth::Authorizer& authorizer,
             const guardrails::GuardrailSet* guardrails = nullptr);

  // The profile the call may use. Errors: kValidation (ADR-0007 refusal or a
  // malformed modelId; the message lists the profiles this caller may use),
  // kAccessDenied (AWS wording, naming the resource that is not allowed),
  // kResourceNotFound (no such profile; only after the caller was allowed on
  // the ARN it named, so a denied caller learns nothing).
  using Profile = std::shared_ptr<const storage::ProfileRecord>;
  Result<Profile> Admit(const ApiCall& call, std::string_view model_id, InvokeKind kind) const;

  // The guardrail a call names by id or ARN (already checked against
  // Bedrock's pattern) and version. Authorizes bedrock:ApplyGuardrail on
  // arn:aws:bedrock:REGION:ACCOUNT:guardrail/ID first (kAccessDenied), then
  // looks it up: an ARN of another region or account, an unknown id or a
  // version it does not have is `not_found` (kValidation for the inference
  // operations, as Bedrock answers; kResourceNotFound for ApplyGuardrail)
  // with Bedrock's sentence. Sets `arn` to the guardrail's ARN.
  Result<const guardrails::Guardrail*> AdmitGuardrail(const ApiCall& call,
                                                      std::string_view identifier,
                                                      std::string_view version, ErrorCode not_found,
                                                      std::string& arn) const;

 private:
  // "rd-haiku-45 (arn:...)" for each profile `call`'s principal may invoke.
  std::string UsableProfiles(const ApiCall& call) const;
  Status RefuseRawModel(const ApiCall& call, std::string_view model_id,
                        std::string_view what) const;
  // modelId is a profile's name: when the caller may call that profile, the
  // refusal names its ARN and id (instead of listing it as the fix for
  // itself); when not, the answer is the denial of the call itself, naming
  // the profile by the name the caller gave (not its ARN, which they may not
  // look up). A name no profile has gets RefuseRawModel's answer.
  Status RefuseProfileName(const ApiCall& call, std::string_view model_id, InvokeKind kind) const;

  const Options options_;
  const storage::CachingProfileStore& profiles_;
  const auth::Authorizer& authorizer_;
  const guardrails::GuardrailSet* guardrails_;  // may be null: none configured
};

}  // namespace bp::api::runtime
