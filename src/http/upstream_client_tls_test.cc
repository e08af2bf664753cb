// The upstream client over TLS against the in-test HTTPS server
// (tls_test_server.h), whose CA and certificate are made at test time:
// verified with the CA given (by IP address and by host name, SNI included),
// refused without it or when the certificate names another host, and a bad
// CA bundle reported by setup_status() and by every call.

#include <fstream>
#include <string>

#include "http/tls_test_server.h"
#include "http/upstream_client.h"
#include "http/upstream_test_support.h"
#include "testing/testing.h"

namespace bp::http {
namespace {

using ::bp::testing::StatusIs;
using ::bp::testing::TempDir;
using testing::CallRecorder;
using testing::ClientLoop;
using ::testing::HasSubstr;
using testing::MakeTestPki;
using testing::TestPki;
using testing::TlsTestServer;

Response Hello(const Request& request) {
  const std::string* host = FindHeader(request.headers, "host");
  return Response{.status = 200,
                  .headers = {{"content-type", "text/plain"}, {"x-host", host ? *host : ""}},
                  .body = "hello " + request.method + " " + request.target + " " + request.body};
}

class UpstreamClientTlsTest : public ::testing::Test {
 protected:
  std::string WriteBundle(const std::string& pem) {
    std::string path = (dir_.path() / "ca.pem").string();
    std::ofstream(path) << pem;
    return path;
  }

  Upstream MakeUpstream(const std::string& host, uint16_t port, std::string ca_bundle) {
    UpstreamOptions options;
    options.ca_bundle_file = std::move(ca_bundle);
    return Upstream(Endpoint{.host = host, .port = port, .base_path = "", .scheme = Scheme::kHttps},
                    options);
  }

  UpstreamResult RunCall(const Upstream& upstream, Request request, CallRecorder& recorder) {
    std::unique_ptr<UpstreamCall> handle;
    loop_.Run(
        [&] { handle = upstream.Start(loop_.loop(), std::move(request), recorder.Callbacks()); });
    EXPECT_TRUE(recorder.WaitDone());
    loop_.Run([&] { handle.reset(); });
    return recorder.result().value_or(UpstreamResult{});
  }

  TempDir dir_;
  const TestPki pki_ = MakeTestPki({"localhost"}, {"127.0.0.1"});
  ClientLoop loop_;
};

TEST_F(UpstreamClientTlsTest, VerifiedWithTheCaGivenByIpAddress) {
  TlsTestServer server(pki_, Hello);
  ASSERT_TRUE(server.ok());
  Upstream upstream = MakeUpstream("127.0.0.1", server.port(), WriteBundle(pki_.ca_cert_pem));
  ASSERT_OK(upstream.setup_status());
  CallRecorder rec;
  UpstreamResult result =
      RunCall(upstream, Request{.method = "POST", .target = "/model/x/invoke", .body = "{}"}, rec);
  ASSERT_OK(result.status);
  EXPECT_EQ(rec.head()->status, 200u);
  EXPECT_EQ(*FindHeader(rec.head()->headers, "x-host"),
            "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(rec.body(), "hello POST /model/x/invoke {}");
  EXPECT_EQ(server.failed_handshakes(), 0);
  // The test server closes after each answer ("connection: close"): the next
  // call connects again, without a stale retry.
  CallRecorder again;
  ASSERT_OK(RunCall(upstream, Request{.method = "GET", .target = "/again"}, again).status);
  EXPECT_EQ(again.body(), "hello GET /again ");
  EXPECT_EQ(upstream.stats().connections_opened, 2u);
  EXPECT_EQ(upstream.stats().stale_retries, 0u);
}

TEST_F(UpstreamClientTlsTest, VerifiedWithTheCaGivenByHostName) {
  TlsTestServer server(pki_, Hello);
  ASSERT_TRUE(server.ok());
  Upstream upstream = MakeUpstream("localhost", server.port(), WriteBundle(pki_.ca_cert_pem));
  CallRecorder rec;
  ASSERT_OK(RunCall(upstream, Request{.method = "GET", .target = "/"}, rec).status);
  EXPECT_EQ(*FindHeader(rec.head()->headers, "x-host"),
            "localhost:" + std::to_string(server.port()));
}

TEST_F(UpstreamClientTlsTest, RefusedWithoutTheCa) {
  TlsTestServer server(pki_, Hello);
  ASSERT_TRUE(server.ok());
  Upstream upstream = MakeUpstream("127.0.0.1", server.port(), "");
  CallRecorder rec;
  UpstreamResult result = RunCall(upstream, Request{.method = "GET", .target = "/"}, rec);
  EXPECT_THAT(result.status, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(result.failure, UpstreamFailure::kTls);
  EXPECT_TRUE(NothingSent(result.failure));
  EXPECT_EQ(result.status.message(),
            "TLS handshake with 127.0.0.1:" + std::to_string(server.port()) +
                " failed: certificate verify failed (unable to get local issuer certificate)");
  EXPECT_FALSE(rec.head().has_value());
}

TEST_F(UpstreamClientTlsTest, RefusedWhenTheCertificateNamesAnotherHost) {
  TestPki ip_only = MakeTestPki({}, {"127.0.0.1"});
  TlsTestServer server(ip_only, Hello);
  ASSERT_TRUE(server.ok());
  Upstream upstream = MakeUpstream("localhost", server.port(), WriteBundle(ip_only.ca_cert_pem));
  CallRecorder rec;
  UpstreamResult result = RunCall(upstream, Request{.method = "GET", .target = "/"}, rec);
  EXPECT_EQ(result.failure, UpstreamFailure::kTls);
  EXPECT_EQ(result.status.message(),
            "TLS handshake with localhost:" + std::to_string(server.port()) +
                " failed: certificate verify failed (hostname mismatch)");
}

TEST_F(UpstreamClientTlsTest, ABadCaBundleFailsEveryCall) {
  Upstream upstream = MakeUpstream("127.0.0.1", 443, (dir_.path() / "nope.pem").string());
  EXPECT_THAT(upstream.setup_status(), StatusIs(ErrorCode::kValidation));
  CallRecorder rec;
  UpstreamResult result = RunCall(upstream, Request{.method = "GET", .target = "/"}, rec);
  EXPECT_EQ(result.failure, UpstreamFailure::kSetup);
  EXPECT_THAT(result.status.message(), HasSubstr("nope.pem': no such file"));
  EXPECT_EQ(upstream.stats().connections_opened, 0u);
}

}  // namespace
}  // namespace bp::http
