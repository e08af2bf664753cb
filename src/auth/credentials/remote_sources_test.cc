// Container credentials and IMDSv2 against a loopback stand-in (reached
// through their endpoint variables), the FULL_URI host rules, and the whole
// chain's order.

#include "auth/credentials/remote_sources.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <sys/socket.h>

#include <unistd.h>

#include "auth/credentials/metadata_stand_in.h"
#include "testing/testing.h"

namespace bp::auth::credentials {
namespace {

using ::bp::auth::credentials::testing::MetadataStandIn;
using ::bp::auth::credentials::testing::RemoteJson;
using ::bp::testing::StatusIs;
using ::bp::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const auto kExpiry = std::chrono::system_clock::time_point(std::chrono::seconds(1767247200));

// A loopback port with nothing listening (bound, then closed).
uint16_t ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string Header(const http::Request& r, std::string_view name) {
  const std::string* v = http::FindHeader(r.headers, name);
  return v ? *v : "<absent>";
}

class RemoteSourcesTest : public ::testing::Test {
 protected:
  RemoteSourcesTest() {
    stand_in_.SetCredentialsJson(RemoteJson("ASIAREMOTE", "REMOTESECRET", "REMOTETOKEN", kExpiry));
    options_.container_relative_base = stand_in_.url();
  }
  EnvLookup Env() {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  std::filesystem::path Write(const std::string& relative, const std::string& text) {
    std::filesystem::path p = dir_.path() / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  Result<Credentials> Chain() { return ResolveChain(Env(), dir_.path(), options_); }

  MetadataStandIn stand_in_;
  ChainOptions options_;
  std::map<std::string, std::string> env_;
  TempDir dir_;
};

TEST_F(RemoteSourcesTest, ContainerRelativeUri) {
  stand_in_.SetContainerPath("/v2/credentials/7e1f");
  env_ = {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/7e1f"}};
  auto c = FetchContainerCredentials(Env(), options_);
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "ASIAREMOTE");
  EXPECT_EQ(c->secret_access_key, "REMOTESECRET");
  EXPECT_EQ(c->session_token, "REMOTETOKEN");
  EXPECT_EQ(c->expiration, kExpiry);
  EXPECT_EQ(c->source, "container credentials (" + stand_in_.url() + "/v2/credentials/7e1f)");
  ASSERT_EQ(stand_in_.requests().size(), 1u);
  EXPECT_EQ(Header(stand_in_.requests()[0], "authorization"), "<absent>");
}

TEST_F(RemoteSourcesTest, ContainerFullUriWithTokenFromTheEnvironment) {
  stand_in_.SetExpectedAuthorization("Basic c2VjcmV0");
  env_ = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", stand_in_.url() + "/creds?id=42"},
          {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic c2VjcmV0"}};
  auto c = FetchContainerCredentials(Env(), options_);
  ASSERT_OK(c);
  EXPECT_EQ(c->source, "container credentials (" + stand_in_.url() + "/creds)");  // no query
  EXPECT_THAT(stand_in_.log(), ElementsAre("GET /creds?id=42"));
}

TEST_F(RemoteSourcesTest, TokenFileWinsAndIsReadOnEveryFetch) {
  auto file = Write("token", "rotated-1\n");
  env_ = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", stand_in_.url() + "/creds"},
          {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env"},
          {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file.string()}};
  stand_in_.SetExpectedAuthorization("rotated-1");
  EXPECT_OK(FetchContainerCredentials(Env(), options_));
  Write("token", "rotated-2");
  stand_in_.SetExpectedAuthorization("rotated-2");
  EXPECT_OK(FetchContainerCredentials(Env(), options_));
  stand_in_.SetExpectedAuthorization("from-env");
  auto refused = FetchContainerCredentials(Env(), options_);
  EXPECT_THAT(refused, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(refused.status().message(), HasSubstr("HTTP 401"));
  EXPECT_THAT(refused.status().message(), Not(HasSubstr("rotated")));
}

TEST_F(RemoteSourcesTest, BadTokens) {
  env_ = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", stand_in_.url() + "/creds"},
          {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "abc\r\nx-injected: 1"}};
  auto c = FetchContainerCredentials(Env(), options_);
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr("line break"));
  EXPECT_THAT(c.status().message(), Not(HasSubstr("abc")));
  env_["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = (dir_.path() / "missing").string();
  c = FetchContainerCredentials(Env(), options_);
  EXPECT_THAT(c.status().message(),
              HasSubstr("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: cannot read"));
  EXPECT_TRUE(stand_in_.log().empty());
}

TEST_F(RemoteSourcesTest, ContainerFailures) {
  env_ = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", stand_in_.url() + "/creds"}};
  stand_in_.SetFailCredentials(503);
  auto c = FetchContainerCredentials(Env(), options_);
  EXPECT_THAT(c, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(c.status().message(), HasSubstr("container credentials from " + stand_in_.url() +
                                              "/creds: HTTP 503: agent unavailable"));
  stand_in_.SetFailCredentials(0);
  stand_in_.SetCredentialsJson(R"({"AccessKeyId":"A","SecretAccessKey":"TOPSECRET"})");
  c = FetchContainerCredentials(Env(), options_);
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr("$.Token is required"));
  EXPECT_THAT(c.status().message(), Not(HasSubstr("TOPSECRET")));
}

TEST_F(RemoteSourcesTest, FullUriHostRules) {
  for (const char* allowed :
       {"http://127.0.0.1:80/x", "http://127.1.2.3/", "http://LOCALHOST:9/creds",
        "http://[::1]:9/x", "http://169.254.170.2/v2/credentials",
        "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
        "http://[fd00:ec2:0::23]/v1", "https://creds.example.com/get", "https://10.0.0.1/",
        "http://127.0.0.1"}) {
    env_ = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", allowed}};
    EXPECT_OK(ContainerTargetFromEnv(Env(), options_)) << allowed;
  }
  for (const char* refused :
       {"http://169.254.169.254/latest", "http://10.0.0.1/creds", "http://creds.example.com/",
        "http://[fd00:ec2::24]/", "http://169.254.170.3/", "http://127.0.0.1.example.com/",
        "http://[::2]/"}) {
    env_ = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", refused}};
    auto t = ContainerTargetFromEnv(Env(), options_);
    EXPECT_THAT(t, StatusIs(ErrorCode::kValidation)) << refused;
    EXPECT_THAT(t.status().message(), HasSubstr("use https://")) << refused;
  }
  for (const char* malformed : {"ftp://127.0.0.1/", "127.0.0.1/creds", "http://127.0.0.1/a#frag",
                                "http://user@127.0.0.1/", "http://127.0.0.1:0/"}) {
    env_ = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", malformed}};
    EXPECT_THAT(ContainerTargetFromEnv(Env(), options_), StatusIs(ErrorCode::kValidation))
        << malformed;
  }
}

TEST_F(RemoteSourcesTest, RelativeUriWinsAndMustBeAPath) {
  env_ = {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/rel"},
          {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.1/refused-if-used"}};
  auto t = ContainerTargetFromEnv(Env(), options_);
  ASSERT_OK(t);
  EXPECT_EQ(t->target, "/rel");
  EXPECT_EQ(t->shown, stand_in_.url() + "/rel");
  ChainOptions defaults;
  t = ContainerTargetFromEnv(Env(), defaults);
  ASSERT_OK(t);
  EXPECT_EQ(t->shown, "http://169.254.170.2/rel");
  env_ = {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "rel"}};
  EXPECT_THAT(ContainerTargetFromEnv(Env(), options_).status().message(),
              HasSubstr("must start with '/'"));
}

TEST_F(RemoteSourcesTest, ImdsV2) {
  env_ = {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", stand_in_.url()}};
  bool reachable = false;
  auto c = FetchImdsCredentials(Env(), options_, reachable);
  ASSERT_OK(c);
  EXPECT_TRUE(reachable);
  EXPECT_EQ(c->access_key_id, "ASIAREMOTE");
  EXPECT_EQ(c->session_token, "REMOTETOKEN");
  EXPECT_EQ(c->expiration, kExpiry);
  EXPECT_EQ(c->source, "instance metadata (IMDSv2, " + stand_in_.url() + ", role bp-test-role)");
  EXPECT_THAT(
      stand_in_.log(),
      ElementsAre("PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/",
                  "GET /latest/meta-data/iam/security-credentials/bp-test-role"));
  auto requests = stand_in_.requests();
  EXPECT_EQ(Header(requests[0], "x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(Header(requests[1], "x-aws-ec2-metadata-token"), "imds-token-1");
  EXPECT_EQ(Header(requests[2], "x-aws-ec2-metadata-token"), "imds-token-1");
}

TEST_F(RemoteSourcesTest, TheStandInRefusesImdsV1) {
  http::Client client(*http::ParseEndpointUrl(stand_in_.url()), http::ClientOptions{});
  auto answer = client.Send(
      http::Request{.method = "GET", .target = "/latest/meta-data/iam/security-credentials/"});
  ASSERT_OK(answer);
  EXPECT_EQ(answer->status, 401u);
}

TEST_F(RemoteSourcesTest, ARefusedTokenIsNeverAReasonForImdsV1) {
  stand_in_.SetTokenStatus(403);
  env_ = {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", stand_in_.url() + "/"}};
  bool reachable = false;
  auto c = FetchImdsCredentials(Env(), options_, reachable);
  EXPECT_TRUE(reachable);
  EXPECT_THAT(c, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(c.status().message(), HasSubstr("answered HTTP 403; IMDSv1 is never used"));
  EXPECT_THAT(stand_in_.log(), ElementsAre("PUT /latest/api/token"));
}

TEST_F(RemoteSourcesTest, ImdsWithoutARole) {
  stand_in_.SetRole(std::nullopt);
  env_ = {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", stand_in_.url()}};
  bool reachable = false;
  auto c = FetchImdsCredentials(Env(), options_, reachable);
  EXPECT_THAT(c.status().message(), HasSubstr("no IAM role (instance profile) is attached"));
  stand_in_.SetRole("../../etc");
  c = FetchImdsCredentials(Env(), options_, reachable);
  EXPECT_THAT(c.status().message(), HasSubstr("does not start with an IAM role name"));
}

TEST_F(RemoteSourcesTest, NoImdsFailsFast) {
  env_ = {
      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(ClosedPort())}};
  bool reachable = true;
  auto start = std::chrono::steady_clock::now();
  auto c = FetchImdsCredentials(Env(), options_, reachable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_FALSE(reachable);
  EXPECT_THAT(c, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(c.status().message(), HasSubstr("instance metadata (IMDSv2) at http://127.0.0.1:"));
  EXPECT_THAT(c.status().message(), Not(HasSubstr("gave up after")));  // one attempt
}

TEST_F(RemoteSourcesTest, ImdsEndpointFromTheEnvironment) {
  auto e = ImdsEndpointFromEnv(Env());
  ASSERT_OK(e);
  EXPECT_EQ(e->ToString(), "http://169.254.169.254");
  env_ = {{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}};
  e = ImdsEndpointFromEnv(Env());
  ASSERT_OK(e);
  EXPECT_EQ(e->ToString(), "http://[fd00:ec2::254]");
  env_ = {{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv5"}};
  EXPECT_THAT(ImdsEndpointFromEnv(Env()), StatusIs(ErrorCode::kValidation));
  env_ = {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "imds.local"}};
  EXPECT_THAT(ImdsEndpointFromEnv(Env()).status().message(),
              HasSubstr("AWS_EC2_METADATA_SERVICE_ENDPOINT"));
}

TEST_F(RemoteSourcesTest, ChainOrder) {
  Write(".aws/credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = f\n");
  stand_in_.SetCredentialsJson(RemoteJson("ASIACONTAINER", "s", "t", kExpiry));
  env_ = {{"AWS_ACCESS_KEY_ID", "AKIAENV"},
          {"AWS_SECRET_ACCESS_KEY", "e"},
          {"AWS_BEARER_TOKEN_BEDROCK", "ignored-by-the-server-chain"},
          {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds"},
          {"AWS_EC2_METADATA_SERVICE_ENDPOINT", stand_in_.url()}};
  auto c = Chain();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "AKIAENV");
  EXPECT_FALSE(c->is_bearer());
  env_.erase("AWS_ACCESS_KEY_ID");
  env_.erase("AWS_SECRET_ACCESS_KEY");
  c = Chain();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "AKIAFILE");
  std::filesystem::remove(dir_.path() / ".aws" / "credentials");
  c = Chain();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER");
  EXPECT_TRUE(stand_in_.log() == std::vector<std::string>{"GET /creds"});
  env_.erase("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  stand_in_.SetCredentialsJson(RemoteJson("ASIAIMDS", "s", "t", kExpiry));
  c = Chain();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
}

TEST_F(RemoteSourcesTest, AFailingContainerIsFinal) {
  stand_in_.SetFailCredentials(500);
  env_ = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", stand_in_.url() + "/creds"},
          {"AWS_EC2_METADATA_SERVICE_ENDPOINT", stand_in_.url()}};
  auto c = Chain();
  EXPECT_THAT(c, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(c.status().message(), HasSubstr("HTTP 500"));
  for (const std::string& line : stand_in_.log()) EXPECT_EQ(line, "GET /creds");
}

TEST_F(RemoteSourcesTest, MetadataDisabled) {
  env_ = {{"AWS_EC2_METADATA_DISABLED", "TRUE"},
          {"AWS_EC2_METADATA_SERVICE_ENDPOINT", stand_in_.url()}};
  auto c = Chain();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr("no AWS credentials found for profile 'default'"));
  EXPECT_THAT(c.status().message(), HasSubstr("instance metadata: AWS_EC2_METADATA_DISABLED=true"));
  EXPECT_TRUE(stand_in_.log().empty());
}

TEST_F(RemoteSourcesTest, NoImdsEndsTheChainWithEverythingItTried) {
  env_ = {
      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(ClosedPort())}};
  auto c = Chain();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  const std::string& m = c.status().message();
  EXPECT_THAT(m, HasSubstr("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: not set"));
  EXPECT_THAT(m, HasSubstr("/.aws/credentials: no such file"));
  EXPECT_THAT(m, HasSubstr("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI: not set"));
  EXPECT_THAT(m, HasSubstr("instance metadata (IMDSv2) at http://127.0.0.1:"));
  EXPECT_THAT(m, Not(HasSubstr("AWS_BEARER_TOKEN_BEDROCK")));
}

TEST_F(RemoteSourcesTest, AReachableImdsReportsItsOwnError) {
  stand_in_.SetRole(std::nullopt);
  env_ = {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", stand_in_.url()}};
  auto c = Chain();
  EXPECT_THAT(c, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(c.status().message(), HasSubstr("no IAM role"));
  EXPECT_THAT(c.status().message(), Not(HasSubstr("no AWS credentials found")));
}

TEST_F(RemoteSourcesTest, WebIdentityStopsTheChainBeforeTheInstanceRole) {
  env_ = {{"AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token"},
          {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod"},
          {"AWS_EC2_METADATA_SERVICE_ENDPOINT", stand_in_.url()}};
  auto c = Chain();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr("web identity"));
  EXPECT_TRUE(stand_in_.log().empty());
}

TEST_F(RemoteSourcesTest, TheCliChainNeverCallsOut) {
  env_ = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", stand_in_.url() + "/creds"},
          {"AWS_EC2_METADATA_SERVICE_ENDPOINT", stand_in_.url()}};
  auto c = Resolve(Env(), dir_.path());
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr("no AWS credentials found"));
  EXPECT_TRUE(stand_in_.log().empty());
}

}  // namespace
}  // namespace bp::auth::credentials
