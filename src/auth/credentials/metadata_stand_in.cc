#include "auth/credentials/metadata_stand_in.h"

#include <charconv>

#include "core/clock.h"

namespace bp::auth::credentials::testing {
namespace {

constexpr std::string_view kRolesPath = "/latest/meta-data/iam/security-credentials/";

http::Response Text(unsigned status, std::string body) {
  return http::Response{
      .status = status, .headers = {{"content-type", "text/plain"}}, .body = std::move(body)};
}

}  // namespace

std::string RemoteJson(const std::string& key_id, const std::string& secret,
                       const std::string& token, std::chrono::system_clock::time_point expiration) {
  return R"({"Code":"Success","Type":"AWS-HMAC","AccessKeyId":")" + key_id +
         R"(","SecretAccessKey":")" + secret + R"(","Token":")" + token + R"(","Expiration":")" +
         FormatRfc3339(expiration) + R"("})";
}

MetadataStandIn::MetadataStandIn() {
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 1;
  options.drain_timeout = std::chrono::milliseconds(2'000);
  server_ = http::Server::Create(options, *this, server_clock_, random_);
  Status listen = server_->Listen();
  EXPECT_OK(listen);
  run_ = std::async(std::launch::async, [this] { server_->Run(false); });
}

MetadataStandIn::~MetadataStandIn() {
  server_->Shutdown();
  if (run_.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "the stand-in server did not stop";
  }
}

std::string MetadataStandIn::url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

void MetadataStandIn::Handle(http::Request&& request,
                             std::shared_ptr<http::ResponseStream> stream) {
  http::Response response = Answer(request);
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(std::move(request));
  }
  stream->Respond(std::move(response));
}

http::Response MetadataStandIn::ErrorResponse(const Status& status, std::string_view) {
  return Text(400, status.message());
}

http::Response MetadataStandIn::Answer(const http::Request& request) {
  std::lock_guard<std::mutex> lock(mu_);
  if (request.path().starts_with("/latest/")) return Imds(request);
  if (request.method != "GET" || request.path() != container_path_) return Text(404, "not found");
  if (expected_authorization_) {
    const std::string* auth = http::FindHeader(request.headers, "authorization");
    if (auth == nullptr || *auth != *expected_authorization_) return Text(401, "bad token");
  }
  ++credential_fetches_;
  if (fail_credentials_ != 0) return Text(fail_credentials_, "agent unavailable");
  return http::Response{
      .status = 200, .headers = {{"content-type", "application/json"}}, .body = credentials_json_};
}

http::Response MetadataStandIn::Imds(const http::Request& request) {
  if (request.method == "PUT" && request.path() == "/latest/api/token") {
    const std::string* ttl =
        http::FindHeader(request.headers, "x-aws-ec2-metadata-token-ttl-seconds");
    int seconds = 0;
    if (ttl == nullptr ||
        std::from_chars(ttl->data(), ttl->data() + ttl->size(), seconds).ec != std::errc() ||
        seconds < 1 || seconds > 21600) {
      return Text(400, "missing or invalid ttl");
    }
    if (token_status_ != 200) return Text(token_status_, "");
    issued_tokens_.push_back("imds-token-" + std::to_string(issued_tokens_.size() + 1));
    return Text(200, issued_tokens_.back());
  }
  if (request.method != "GET") return Text(405, "");
  const std::string* token = http::FindHeader(request.headers, "x-aws-ec2-metadata-token");
  bool known = false;
  for (const std::string& t : issued_tokens_) known = known || (token != nullptr && *token == t);
  if (!known) return Text(401, "");  // IMDSv2 required: no v1 answers
  if (request.path() == kRolesPath) {
    return role_ ? Text(200, *role_ + "\n") : Text(404, "");
  }
  if (role_ && request.path() == std::string(kRolesPath) + *role_) {
    ++credential_fetches_;
    if (fail_credentials_ != 0) return Text(fail_credentials_, "");
    return Text(200, credentials_json_);
  }
  return Text(404, "");
}

void MetadataStandIn::SetCredentialsJson(std::string json) {
  std::lock_guard<std::mutex> lock(mu_);
  credentials_json_ = std::move(json);
}
void MetadataStandIn::SetRole(std::optional<std::string> role) {
  std::lock_guard<std::mutex> lock(mu_);
  role_ = std::move(role);
}
void MetadataStandIn::SetTokenStatus(unsigned status) {
  std::lock_guard<std::mutex> lock(mu_);
  token_status_ = status;
}
void MetadataStandIn::SetContainerPath(std::string path) {
  std::lock_guard<std::mutex> lock(mu_);
  container_path_ = std::move(path);
}
void MetadataStandIn::SetExpectedAuthorization(std::optional<std::string> value) {
  std::lock_guard<std::mutex> lock(mu_);
  expected_authorization_ = std::move(value);
}
void MetadataStandIn::SetFailCredentials(unsigned status) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_credentials_ = status;
}

std::vector<std::string> MetadataStandIn::log() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const http::Request& r : requests_) out.push_back(r.method + " " + r.target);
  return out;
}
std::vector<http::Request> MetadataStandIn::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}
int MetadataStandIn::credential_fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return credential_fetches_;
}

}  // namespace bp::auth::credentials::testing
