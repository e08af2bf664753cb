#pragma once
// BedrockBackend: a region answered by Amazon Bedrock itself (or anything
// that speaks its runtime API at a configured endpoint) through the
// non-blocking upstream client on the server's loops, re-signed with SigV4
// using serve's own AWS credentials (auth/credentials: the standard chain,
// refreshed in the background; a call only reads the current set). The
// translation is backends/bedrock (pure); this class only moves bytes.
// Public header of bp_backends_upstream; only the composition root names it.
//
// Each Start() sends POST /model/{modelId}/converse, or /converse-stream for
// a streaming call (ModelRequest::stream), with the canonical request
// re-encoded as Converse (so what reaches Bedrock is exactly what this
// endpoint validated, whichever API the caller used). The modelId is, in
// order: the profile's entry in profile_model_ids (the organisation's own
// application-profile ARN in AWS, say), else the region's foundation model
// (ModelRequest::model_id) or, with kSystemProfile, its geography's system
// profile ("eu." + model id). Answers:
// - 200 application/vnd.amazon.eventstream: frame by frame through a
//   ConverseStreamTranslator as the bytes arrive (never buffered whole).
// - 200 otherwise: read whole (bounded), decoded and checked, then replayed.
// - errors: bedrock::UpstreamErrorStatus (x-amzn-ErrorType and message);
//   an answer saying the credentials are expired or unknown also asks the
//   provider to refresh at once.
// - transport failures: kServiceUnavailable naming the endpoint.
// No credentials yet (or only expired ones): kServiceUnavailable before
// anything is sent, so the runtime tries another region.
//
// Thread-safe: the options, the Upstream and the provider are shared by
// every loop; each invocation lives on the loop it was started on.

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "auth/sigv4/signer.h"
#include "backends/backend.h"
#include "core/clock.h"
#include "http/client.h"
#include "http/upstream_client.h"

namespace bp::auth::credentials {
class CredentialProvider;
struct Credentials;
}  // namespace bp::auth::credentials

namespace bp::backends::upstream {

enum class BedrockModelId : uint8_t {
  kFoundationModel,  // the region's foundation model id, as the profile routes
  kSystemProfile,    // the geography's system profile: "eu.<model id>"
};

struct BedrockBackendOptions {
  std::string region;  // the SigV4 signing region: the configured region's name
  BedrockModelId model_id = BedrockModelId::kFoundationModel;
  // Profile name -> the modelId to send for it instead.
  std::map<std::string, std::string, std::less<>> profile_model_ids;
};

class BedrockBackend final : public ModelBackend {
  // `credentials` and `clock` must outlive the backend.
 public:
  BedrockBackend(http::Endpoint endpoint, http::UpstreamOptions upstream,
                 BedrockBackendOptions options, auth::credentials::CredentialProvider& credentials,
                 const Clock& clock);
  ~BedrockBackend() override;
  BedrockBackend(const BedrockBackend&) = delete;
  BedrockBackend& operator=(const BedrockBackend&) = delete;

  std::unique_ptr<Invocation> Start(const ModelRequest& request, EventLoop& loop,
                                    OutputSink& sink) override;
  // The local tokenizer's count (backends/tokenizer.h): Bedrock's own
  // CountTokens is not called, so counting stays free and local.
  int64_t CountInputTokens(const ModelRequest& request) const override;

  // The modelId sent upstream for `request`.
  std::string UpstreamModelId(const ModelRequest& request) const;

 private:
  const BedrockBackendOptions options_;
  const http::Upstream upstream_;
  const std::string host_;  // the host header, signed
  // The SigV4 key derived for the current credentials and UTC day, so a
  // call signs with one HMAC instead of five; replaced (never mutated) when
  // either changes, read without a lock by every loop.
  struct DerivedKeyEntry {
    std::shared_ptr<const auth::credentials::Credentials> credentials;
    std::string day;  // YYYYMMDD
    auth::sigv4::DerivedKey key;
  };
  std::shared_ptr<const DerivedKeyEntry> KeyFor(
      const std::shared_ptr<const auth::credentials::Credentials>& credentials,
      const auth::sigv4::SigningOptions& options) const;

  auth::credentials::CredentialProvider& credentials_;
  const Clock& clock_;
  mutable std::atomic<std::shared_ptr<const DerivedKeyEntry>> derived_key_;
};

// The system profile's geography prefix for a region: "eu" for eu-*, "us"
// for us-*, "apac" for ap-*, ... ("" when unknown).
std::string_view GeographyOf(std::string_view region);

}  // namespace bp::backends::upstream
