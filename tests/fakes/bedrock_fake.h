#pragma once
// The Amazon Bedrock runtime upstream, faked on loopback for tests
// (tests/fakes/README.md): POST /model/{modelId}/converse and
// /converse-stream, every request verified with the project's own SigV4
// verifier (service "bedrock", the configured region and credentials),
// bodies parsed with the project's Converse parser and answered by the
// simulated model through the project's Converse encoders. Errors carry
// Bedrock's shape: x-amzn-ErrorType "<Type>:http://internal.amazon.com/coral/
// <namespace>/" and {"message": ...}.
//
// Model identifiers (percent-decoded from the path), as Bedrock accepts them
// in the configured region: a foundation model id of the built-in catalog
// served there, a system inference profile id ("eu.<model id>") whose
// regions include it, the ARN of either in that region, or the ARN of an
// application inference profile (its model: the --profile ARN=MODEL map,
// else anthropic.claude-haiku-4-5-20251001-v1:0, since the fake has no control
// plane to look it up). Anything else is 400 ValidationException "The
// provided model identifier is invalid.".

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "auth/sigv4/verifier.h"
#include "backends/simulated/prompt_cache.h"
#include "backends/simulated/simulated_backend.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "fakes/fake_common.h"
#include "http/message.h"

namespace bp::fakes {

struct BedrockFakeOptions {
  std::string region;  // required
  auth::sigv4::Credentials credentials;
  bool split_bytes = false;  // every body one byte per write
  // The simulated model's pace (0: every token at once); > 0 makes a stream
  // last long enough to be cut by a drill (killing the fake mid-answer).
  double tokens_per_second = 0;
  // Application inference profile ARN -> foundation model id.
  std::map<std::string, std::string, std::less<>> profiles;
  std::chrono::seconds allowed_skew{300};  // AWS's
};

class BedrockFake final : public http::Handler {
 public:
  // `clock`, `log` and `held` must outlive the fake.
  static Result<std::unique_ptr<BedrockFake>> Create(BedrockFakeOptions options, const Clock& clock,
                                                     RequestLog& log, HeldStreams& held);
  ~BedrockFake() override;

  void Handle(http::Request&& request, std::shared_ptr<http::ResponseStream> stream) override;
  http::Response ErrorResponse(const Status& status, std::string_view request_id) override;

 private:
  class Lookup;
  class Call;
  BedrockFake(BedrockFakeOptions options, const Clock& clock, RequestLog& log, HeldStreams& held,
              catalog::Catalog catalog);

  // The foundation model `identifier` (decoded) names in the region.
  std::optional<std::string> ResolveModel(std::string_view identifier) const;
  void Fail(http::Request&& request, const std::shared_ptr<http::ResponseStream>& stream,
            unsigned status, std::string_view type, std::string_view message);
  void FailWith(http::Request&& request, const std::shared_ptr<http::ResponseStream>& stream,
                const Status& status);

  const BedrockFakeOptions options_;
  const Clock& clock_;
  RequestLog& log_;
  HeldStreams& held_;
  const catalog::Catalog catalog_;
  std::unique_ptr<Lookup> lookup_;
  std::unique_ptr<auth::sigv4::Verifier> verifier_;
  std::unique_ptr<backends::simulated::PromptCache> prompt_cache_;
  std::unique_ptr<backends::simulated::SimulatedBackend> model_;
  FailSwitch fail_switch_;
};

// The x-amzn-ErrorType value Bedrock sends for `type`: the authentication
// and routing errors come from Coral's service namespace, the rest from
// Bedrock's.
std::string BedrockErrorTypeHeader(std::string_view type);

}  // namespace bp::fakes
