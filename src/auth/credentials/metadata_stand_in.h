#pragma once
// Test-only: a loopback stand-in (http::Server on 127.0.0.1, port 0) that
// plays the container credential endpoint and IMDSv2 for
// bp_auth_credentials_test. Never linked into the product.
//
// IMDSv2 as EC2 does it, strictly:
//   PUT /latest/api/token             needs x-aws-ec2-metadata-token-ttl-seconds
//                                     in 1..21600 (else 400); answers a new
//                                     token (or token_status when not 200)
//   GET /latest/meta-data/...         401 without a token it issued
//   GET .../iam/security-credentials/ the role name and "\n" (404: no role)
//   GET .../iam/security-credentials/<role>  the credentials JSON
// Container: GET <container_path> answers the credentials JSON, 401 unless
// the Authorization header equals `expected_authorization` (when set).
//
// Thread-safety: the setters and accessors may be called while the server
// answers (one mutex).

#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"
#include "http/server.h"
#include "testing/testing.h"

namespace bp::auth::credentials::testing {

// The JSON of a container/IMDS answer.
std::string RemoteJson(const std::string& key_id, const std::string& secret,
                       const std::string& token, std::chrono::system_clock::time_point expiration);

class MetadataStandIn final : public http::Handler {
 public:
  MetadataStandIn();
  ~MetadataStandIn() override;  // Shutdown() and wait for the server
  MetadataStandIn(const MetadataStandIn&) = delete;
  MetadataStandIn& operator=(const MetadataStandIn&) = delete;

  // "http://127.0.0.1:<port>"
  std::string url() const;

  void Handle(http::Request&& request, std::shared_ptr<http::ResponseStream> stream) override;
  http::Response ErrorResponse(const Status& status, std::string_view request_id) override;

  // What is served.
  void SetCredentialsJson(std::string json);
  void SetRole(std::optional<std::string> role);  // nullopt: no role attached (404)
  void SetTokenStatus(unsigned status);           // the PUT's answer status
  void SetContainerPath(std::string path);        // default "/creds"
  void SetExpectedAuthorization(std::optional<std::string> value);
  void SetFailCredentials(unsigned status);  // 0: serve them; else answer this status

  // Requests seen, in order ("PUT /latest/api/token").
  std::vector<std::string> log() const;
  std::vector<http::Request> requests() const;
  int credential_fetches() const;

 private:
  http::Response Answer(const http::Request& request);
  http::Response Imds(const http::Request& request);

  mutable std::mutex mu_;
  std::string credentials_json_;
  std::optional<std::string> role_ = "bp-test-role";
  unsigned token_status_ = 200;
  std::string container_path_ = "/creds";
  std::optional<std::string> expected_authorization_;
  unsigned fail_credentials_ = 0;
  std::vector<std::string> issued_tokens_;
  std::vector<http::Request> requests_;
  int credential_fetches_ = 0;

  bp::testing::FakeClock server_clock_;
  bp::testing::SeededRandom random_{7};
  std::unique_ptr<http::Server> server_;
  std::future<void> run_;
};

}  // namespace bp::auth::credentials::testing
