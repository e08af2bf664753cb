#pragma once
// EndpointStack: the Bedrock endpoint wired the way `serve` wires it
// (src/server/serve.cc), in process and without a socket, for the benchmarks
// of bench/. Private to bench/.
//
// What is built, in serve's order:
//   the built-in config (config/bedrock-profiles.hcl), with every region's
//   simulated model set to answer at once (time_to_first_token_ms = 0,
//   tokens_per_second = 0) and no faults
//   -> CachingProfileStore over a MemoryProfileStore (serve uses SQLite under
//      the same cache; the runtime reads only the cache either way)
//   -> ControlService::Reconcile (creates the configured profiles)
//   -> SigV4Authenticator + IamAuthorizer over the configured principals
//   -> ApiHandler with the control routes, InvokeGate, RuntimeService over
//      server::BuildRuntimeParts (simulated backends, region router).
//
// The wall clock is frozen at construction (BenchClock) so that requests
// signed once stay inside SigV4's 5-minute skew window however long a run
// takes; steady time is real, so latencies in answers and logs are real.
//
// Thread-safety: Create() once; afterwards handler() may serve any number of
// loop threads (ApiHandler's contract), the const accessors are thread-safe.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "api/control/control_service.h"
#include "api/router.h"
#include "api/runtime/invoke_gate.h"
#include "api/runtime/runtime_service.h"
#include "auth/iam/iam_authorizer.h"
#include "auth/sigv4/sigv4_authenticator.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "http/message.h"
#include "server/runtime_parts.h"
#include "storage/caching_store.h"
#include "storage/memory/memory_profile_store.h"

namespace bp::bench {

// Wall time frozen at construction; steady time from the process clock.
class BenchClock final : public Clock {
 public:
  BenchClock() : wall_(std::chrono::system_clock::now()) {}
  std::chrono::system_clock::time_point Now() const override { return wall_; }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }

 private:
  const std::chrono::system_clock::time_point wall_;
};

// The runtime operation a signed request calls.
enum class RuntimeCall : uint8_t { kConverse, kConverseStream };

// The Converse body every benchmark sends: one short user turn whose answer
// is exactly the rest of the prompt (the simulated model's "Say:" rule), ten
// output tokens.
inline constexpr std::string_view kConverseBody =
    R"({"messages":[{"role":"user","content":[{"text":"Say: The quick brown fox jumps over the lazy dog."}]}],)"
    R"("inferenceConfig":{"maxTokens":64,"temperature":0.5}})";

class EndpointStack final {
 public:
  struct Options {
    std::string principal = "rd-e2e";     // who signs the requests (a configured principal)
    std::string profile = "rd-haiku-45";  // which configured profile they call
  };

  // Builds the stack. Errors: the built-in config does not load, the
  // principal or profile is not configured, or any wiring step fails (the
  // step's own Status).
  static Result<std::unique_ptr<EndpointStack>> Create(const Options& options);
  EndpointStack(const EndpointStack&) = delete;
  EndpointStack& operator=(const EndpointStack&) = delete;
  ~EndpointStack();

  api::ApiHandler& handler() { return *handler_; }
  const auth::sigv4::SigV4Authenticator& authenticator() const { return *authenticator_; }
  const auth::iam::IamAuthorizer& authorizer() const { return *authorizer_; }
  const api::runtime::InvokeGate& gate() const { return *gate_; }
  Clock& clock() { return clock_; }
  Random& random() { return random_; }

  // The signing principal as the authenticator identifies it.
  const auth::Principal& principal() const { return principal_; }
  // The called profile's ARN:
  // "arn:aws:bedrock:eu-central-1:...:application-inference-profile/<id>".
  const std::string& profile_arn() const { return profile_arn_; }

  // A `which` request with kConverseBody for the profile, addressed by its
  // percent-encoded ARN (as the AWS SDKs send it), with `host` as the Host
  // header, content-type and (when `with_content_length`) content-length,
  // SigV4-signed (header form, with x-amz-content-sha256) by the principal at
  // clock().Now(). remote_address is 127.0.0.1 and request_id is fixed.
  // Without content-length the request suits a load generator that frames
  // the body itself (h2load over HTTP/2, wrk). Errors: the signer's.
  Result<http::Request> SignedRequest(RuntimeCall which, std::string_view host,
                                      bool with_content_length = true) const;

 private:
  EndpointStack() = default;
  Status Wire(const Options& options);

  BenchClock clock_;
  SystemRandom random_;
  catalog::Catalog catalog_;
  config::Config config_;
  storage::MemoryProfileStore memory_;
  std::unique_ptr<storage::CachingProfileStore> store_;
  std::unique_ptr<api::control::ControlService> control_;
  std::unique_ptr<auth::sigv4::SigV4Authenticator> authenticator_;
  std::unique_ptr<auth::iam::IamAuthorizer> authorizer_;
  std::unique_ptr<api::ApiHandler> handler_;
  std::unique_ptr<api::runtime::InvokeGate> gate_;
  server::RuntimeParts runtime_;
  std::unique_ptr<api::runtime::RuntimeService> service_;
  auth::Principal principal_;
  auth::sigv4::Credentials credentials_;
  std::string profile_arn_;
};

}  // namespace bp::bench
