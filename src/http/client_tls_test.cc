// http::Client over TLS against an in-test HTTPS server on 127.0.0.1:0 whose
// certificate (and CA) are made at test time: verified with the CA given,
// refused without it, refused when the certificate names another host, and
// clear errors for a bad CA bundle.

#include <arpa/inet.h>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>

#include <poll.h>
#include <unistd.h>

#include "http/client.h"
#include "http/tls_test_server.h"
#include "testing/testing.h"

namespace bp::http {
namespace {

using ::bp::testing::StatusIs;
using ::bp::testing::TempDir;
using ::testing::HasSubstr;
using testing::MakeTestPki;
using testing::TestPki;
using testing::TlsTestServer;

Response Hello(const Request& request) {
  return Response{.status = 200,
                  .headers = {{"content-type", "text/plain"}},
                  .body = "hello " + request.method + " " + request.target};
}

class ClientTlsTest : public ::testing::Test {
 protected:
  // Writes `pem` to a file in the temp dir and returns its path.
  std::string WriteBundle(const std::string& pem, const std::string& name = "ca.pem") {
    std::string path = (dir_.path() / name).string();
    std::ofstream(path) << pem;
    return path;
  }

  Client MakeClient(const std::string& host, uint16_t port, std::string ca_bundle) {
    ClientOptions options;
    options.ca_bundle_file = std::move(ca_bundle);
    options.retry.sleep = [](std::chrono::milliseconds) {};
    return Client(Endpoint{.host = host, .port = port, .base_path = "", .scheme = Scheme::kHttps},
                  options);
  }

  TempDir dir_;
  const TestPki pki_ = MakeTestPki({"localhost"}, {"127.0.0.1"});
};

TEST_F(ClientTlsTest, VerifiedWithTheCaGivenByIpAddress) {
  std::string seen_host;
  TlsTestServer server(pki_, [&](const Request& request) {
    const std::string* host = FindHeader(request.headers, "host");
    seen_host = host ? *host : "";
    return Hello(request);
  });
  ASSERT_TRUE(server.ok());
  Client client = MakeClient("127.0.0.1", server.port(), WriteBundle(pki_.ca_cert_pem));
  ASSERT_OK(client.setup_status());
  auto r = client.Send(Request{.method = "GET", .target = "/inference-profiles?type=APPLICATION"});
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "hello GET /inference-profiles?type=APPLICATION");
  EXPECT_EQ(seen_host, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(server.failed_handshakes(), 0);
}

TEST_F(ClientTlsTest, VerifiedWithTheCaGivenByHostName) {
  TlsTestServer server(pki_, Hello);
  ASSERT_TRUE(server.ok());
  Client client = MakeClient("localhost", server.port(), WriteBundle(pki_.ca_cert_pem));
  auto r = client.Send(Request{.method = "POST", .target = "/x", .body = "{}"});
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "hello POST /x");
}

TEST_F(ClientTlsTest, ACaBundleWithSeveralCertificatesWorks) {
  TestPki other = MakeTestPki({"other.example"}, {});
  TlsTestServer server(pki_, Hello);
  ASSERT_TRUE(server.ok());
  Client client =
      MakeClient("127.0.0.1", server.port(), WriteBundle(other.ca_cert_pem + pki_.ca_cert_pem));
  EXPECT_OK(client.Send(Request{.method = "GET", .target = "/"}));
}

TEST_F(ClientTlsTest, RefusedWithoutTheCa) {
  TlsTestServer server(pki_, Hello);
  ASSERT_TRUE(server.ok());
  Client client = MakeClient("127.0.0.1", server.port(), "");
  auto r = client.Send(Request{.method = "GET", .target = "/"});
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(r.status().message(),
            "TLS handshake with 127.0.0.1:" + std::to_string(server.port()) +
                " failed: certificate verify failed (unable to get local issuer certificate)");
  EXPECT_EQ(server.accepted(), 1);  // a verification failure is never retried
}

TEST_F(ClientTlsTest, RefusedWithAnotherCa) {
  TestPki other = MakeTestPki({"localhost"}, {"127.0.0.1"});
  TlsTestServer server(pki_, Hello);
  ASSERT_TRUE(server.ok());
  Client client = MakeClient("127.0.0.1", server.port(), WriteBundle(other.ca_cert_pem));
  auto r = client.Send(Request{.method = "GET", .target = "/"});
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("certificate verify failed"));
}

TEST_F(ClientTlsTest, RefusedWhenTheCertificateNamesAnotherIpAddress) {
  TestPki elsewhere = MakeTestPki({"bedrock.eu-central-1.amazonaws.com"}, {"10.1.2.3"});
  TlsTestServer server(elsewhere, Hello);
  ASSERT_TRUE(server.ok());
  Client client = MakeClient("127.0.0.1", server.port(), WriteBundle(elsewhere.ca_cert_pem));
  auto r = client.Send(Request{.method = "GET", .target = "/"});
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(r.status().message(), "TLS handshake with 127.0.0.1:" + std::to_string(server.port()) +
                                      " failed: certificate verify failed (IP address mismatch)");
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(ClientTlsTest, RefusedWhenTheCertificateNamesAnotherHost) {
  TestPki ip_only = MakeTestPki({}, {"127.0.0.1"});
  TlsTestServer server(ip_only, Hello);
  ASSERT_TRUE(server.ok());
  Client client = MakeClient("localhost", server.port(), WriteBundle(ip_only.ca_cert_pem));
  auto r = client.Send(Request{.method = "GET", .target = "/"});
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(r.status().message(), "TLS handshake with localhost:" + std::to_string(server.port()) +
                                      " failed: certificate verify failed (hostname mismatch)");
}

TEST_F(ClientTlsTest, AMissingCaBundleIsAClearError) {
  Client client = MakeClient("127.0.0.1", 443, (dir_.path() / "nope.pem").string());
  EXPECT_THAT(client.setup_status(), StatusIs(ErrorCode::kValidation));
  auto r = client.Send(Request{.method = "GET", .target = "/"});
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(), HasSubstr("cannot load the CA bundle '"));
  EXPECT_THAT(r.status().message(), HasSubstr("nope.pem': no such file"));
}

TEST_F(ClientTlsTest, ACaBundleWithoutCertificatesIsAClearError) {
  Client client = MakeClient("127.0.0.1", 443, WriteBundle("not a certificate\n", "junk.pem"));
  EXPECT_THAT(client.setup_status(), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(client.setup_status().message(), HasSubstr("junk.pem"));
  EXPECT_THAT(client.setup_status().message(), HasSubstr("expected PEM certificates"));
}

TEST_F(ClientTlsTest, PlainHttpEndpointsNeedNoTlsSetup) {
  ClientOptions options;
  options.ca_bundle_file = (dir_.path() / "nope.pem").string();  // unused for http
  Client client(Endpoint{.host = "127.0.0.1", .port = 1, .base_path = "", .scheme = Scheme::kHttp},
                options);
  EXPECT_OK(client.setup_status());
}

// A plain-HTTP server: answers the first connection at once with a 400 and
// closes (what an http:// endpoint does to a TLS ClientHello).
class PlainHttpServer {
 public:
  PlainHttpServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 4) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return;
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      std::string_view answer = "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
      (void)!::send(conn, answer.data(), answer.size(), MSG_NOSIGNAL);
      ::close(conn);
    });
  }
  ~PlainHttpServer() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(ClientTlsTest, AnHttpServerBehindAnHttpsUrlIsNamedAsSuch) {
  PlainHttpServer server;
  ASSERT_NE(server.port(), 0);
  Client client = MakeClient("127.0.0.1", server.port(), "");
  auto r = client.Send(Request{.method = "GET", .target = "/"});
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(r.status().message(),
            "TLS handshake with 127.0.0.1:" + std::to_string(server.port()) +
                " failed: wrong version number (the server does not speak TLS: is it an http:// "
                "endpoint?)");
}

}  // namespace
}  // namespace bp::http
