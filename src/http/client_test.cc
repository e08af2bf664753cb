// http::Client against a scripted raw-socket server on 127.0.0.1:0 (or ::1):
// endpoint URLs, content-length, chunked (delivered live), read-until-close,
// interim 1xx, refused connections, read timeouts, truncated and malformed
// answers. TLS: client_tls_test.cc; retries: client_retry_test.cc.

#include "http/client.h"

#include <arpa/inet.h>
#include <chrono>
#include <functional>
#include <future>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <vector>

#include <poll.h>
#include <unistd.h>

#include "http/upstream_test_support.h"
#include "testing/testing.h"

namespace bp::http {
namespace {

using ::bp::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int kDeadlineMs = 5000;

using testing::ReadSome;  // upstream_test_support.h
using testing::WriteAll;

// Reads one request: head, then content-length body bytes.
std::string ReadRequest(int fd) {
  std::string buf;
  while (buf.find("\r\n\r\n") == std::string::npos) {
    if (!ReadSome(fd, buf)) return buf;
  }
  size_t head_end = buf.find("\r\n\r\n") + 4;
  size_t length = 0;
  size_t at = buf.find("content-length: ");
  if (at != std::string::npos && at < head_end) length = std::stoul(buf.substr(at + 16));
  while (buf.size() < head_end + length) {
    if (!ReadSome(fd, buf)) break;
  }
  return buf;
}

// Accepts one connection on a background thread, reads the request and runs
// the script on the socket. The destructor joins (scripts are bounded).
class ScriptedServer {
 public:
  using Script = std::function<void(int fd)>;

  explicit ScriptedServer(Script script, bool ipv6 = false) {
    listen_fd_ = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (ipv6) {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
      a6->sin6_family = AF_INET6;
      a6->sin6_addr = in6addr_loopback;
      len = sizeof(sockaddr_in6);
    } else {
      auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
      a4->sin_family = AF_INET;
      a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof(sockaddr_in);
    }
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 4) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(ipv6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                       : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    thread_ = std::thread([this, script = std::move(script)] {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, kDeadlineMs) <= 0) return;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      request_ = ReadRequest(fd);
      script(fd);
      ::close(fd);
    });
  }
  ~ScriptedServer() {
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  bool ok() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  // The raw request bytes (call after the client finished).
  std::string request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::string request_;
};

// Waits until the client closes its end (bounded).
void WaitForClose(int fd) {
  std::string ignored;
  while (ReadSome(fd, ignored)) {
  }
}

Client MakeClient(uint16_t port, ClientOptions options = {}) {
  return Client(Endpoint{.host = "127.0.0.1", .port = port, .base_path = ""}, options);
}

Request Post(std::string target, std::string body) {
  return Request{.method = "POST",
                 .target = std::move(target),
                 .headers = {{"content-type", "application/json"}, {"x-custom", "v 1"}},
                 .body = std::move(body)};
}

TEST(ParseEndpointUrlTest, AcceptsHostsPortsAndIpv6Literals) {
  auto a = ParseEndpointUrl("http://127.0.0.1:8700");
  ASSERT_OK(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8700);
  EXPECT_EQ(a->base_path, "");
  EXPECT_EQ(a->ToString(), "http://127.0.0.1:8700");

  auto b = ParseEndpointUrl("HTTP://[::1]:9000/");
  ASSERT_OK(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 9000);
  EXPECT_EQ(b->Authority(), "[::1]:9000");

  auto c = ParseEndpointUrl("http://localhost/prefix/v1/");
  ASSERT_OK(c);
  EXPECT_EQ(c->port, 80);
  EXPECT_EQ(c->Authority(), "localhost");
  EXPECT_EQ(c->base_path, "/prefix/v1");
  EXPECT_EQ(c->ToString(), "http://localhost/prefix/v1");
}

TEST(ParseEndpointUrlTest, HttpsDefaultsToPort443) {
  auto a = ParseEndpointUrl("https://bedrock-runtime.eu-central-1.amazonaws.com");
  ASSERT_OK(a);
  EXPECT_EQ(a->scheme, Scheme::kHttps);
  EXPECT_EQ(a->host, "bedrock-runtime.eu-central-1.amazonaws.com");
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->Authority(), "bedrock-runtime.eu-central-1.amazonaws.com");
  EXPECT_EQ(a->ToString(), "https://bedrock-runtime.eu-central-1.amazonaws.com");

  auto b = ParseEndpointUrl("HTTPS://127.0.0.1:8443/base/");
  ASSERT_OK(b);
  EXPECT_EQ(b->scheme, Scheme::kHttps);
  EXPECT_EQ(b->port, 8443);
  EXPECT_EQ(b->base_path, "/base");
  EXPECT_EQ(b->ToString(), "https://127.0.0.1:8443/base");

  // Port 80 is not the default for https, nor 443 for http.
  EXPECT_EQ(ParseEndpointUrl("https://h:80")->Authority(), "h:80");
  EXPECT_EQ(ParseEndpointUrl("http://h:443")->Authority(), "h:443");
  EXPECT_EQ(ParseEndpointUrl("http://h")->scheme, Scheme::kHttp);
}

TEST(ParseEndpointUrlTest, RefusesMalformedUrls) {
  for (const char* bad :
       {"127.0.0.1:8700", "ftp://host", "httpss://host", "https://", "https://user@host", "http://",
        "http://:8700", "http://user@host", "http://[::1:8700", "http://[zz::1]:80",
        "http://[::1]x", "http://::1:8700", "http://host:0", "http://host:65536",
        "http://host:12ab", "http://host:8700?x=1", "http://host#frag", "http://ho st:80",
        "http://host/a b"}) {
    auto r = ParseEndpointUrl(bad);
    EXPECT_THAT(r, StatusIs(ErrorCode::kValidation)) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr(bad));
  }
}

TEST(ClientTest, ContentLengthResponseAndTheRequestAsSent) {
  ScriptedServer server([](int fd) {
    WriteAll(fd, "HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Test: a b\r\n\r\nhello");
  });
  ASSERT_TRUE(server.ok());
  Client client(Endpoint{.host = "127.0.0.1", .port = server.port(), .base_path = "/base"}, {});
  auto r = client.Send(Post("/model/x%3Ay/converse?q=1", "{\"a\":1}"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 201u);
  EXPECT_EQ(r->body, "hello");
  ASSERT_NE(FindHeader(r->headers, "x-test"), nullptr);
  EXPECT_EQ(*FindHeader(r->headers, "x-test"), "a b");

  std::string sent = server.request();
  EXPECT_THAT(sent, StartsWith("POST /base/model/x%3Ay/converse?q=1 HTTP/1.1\r\n"
                               "content-type: application/json\r\nx-custom: v 1\r\n"));
  EXPECT_THAT(sent, HasSubstr("\r\nhost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"));
  EXPECT_THAT(sent, HasSubstr("\r\ncontent-length: 7\r\n"));
  EXPECT_THAT(sent, HasSubstr("\r\nuser-agent: bedrock-profiles/"));
  EXPECT_THAT(sent, ::testing::EndsWith("\r\n\r\n{\"a\":1}"));
}

TEST(ClientTest, GivenHostAndLengthAreNotDuplicated) {
  ScriptedServer server([](int fd) { WriteAll(fd, "HTTP/1.1 204 No Content\r\n\r\n"); });
  ASSERT_TRUE(server.ok());
  Request get{.method = "GET", .target = "/inference-profiles", .headers = {{"host", "h:1"}}};
  auto r = MakeClient(server.port()).Send(get);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 204u);
  std::string sent = server.request();
  EXPECT_THAT(sent, HasSubstr("\r\nhost: h:1\r\n"));
  EXPECT_EQ(sent.find("host: 127.0.0.1"), std::string::npos);
  EXPECT_EQ(sent.find("content-length"), std::string::npos);  // GET without a body
}

TEST(ClientTest, ChunkedPiecesArriveLiveAfterTheHead) {
  std::promise<void> first_seen;
  std::future<void> first_seen_future = first_seen.get_future();
  bool server_saw_signal = false;
  ScriptedServer server([&](int fd) {
    WriteAll(fd,
             "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\n"
             "Transfer-Encoding: chunked\r\n\r\n3\r\none\r\n");
    // The next chunk is sent only once the client has shown the first.
    server_saw_signal = first_seen_future.wait_for(std::chrono::milliseconds(kDeadlineMs)) ==
                        std::future_status::ready;
    WriteAll(fd, "5\r\nthree\r\n0\r\n\r\n");
  });
  ASSERT_TRUE(server.ok());
  std::vector<std::string> events;
  ResponseCallbacks callbacks{.on_head = [&](const Response& head) -> Status {
                                events.push_back("head " + std::to_string(head.status));
                                return Status::Ok();
                              },
                              .on_body = [&](std::string_view piece) -> Status {
                                events.emplace_back(piece);
                                if (piece == "one") first_seen.set_value();
                                return Status::Ok();
                              }};
  auto r = MakeClient(server.port()).Send(Post("/s", "x"), callbacks);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "");
  EXPECT_THAT(events, ElementsAre("head 200", "one", "three"));
  server.request();
  EXPECT_TRUE(server_saw_signal) << "the first chunk was not delivered before the second arrived";
}

TEST(ClientTest, BodyUntilCloseAndInterimContinue) {
  ScriptedServer server([](int fd) {
    WriteAll(fd, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nall of it");
  });
  ASSERT_TRUE(server.ok());
  auto r = MakeClient(server.port()).Send(Post("/", ""));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "all of it");
  EXPECT_NE(FindHeader(r->headers, "x-a"), nullptr);
  EXPECT_THAT(server.request(), HasSubstr("\r\ncontent-length: 0\r\n"));  // POST always says so
}

TEST(ClientTest, RefusedConnectionNamesTheEndpoint) {
  uint16_t port = testing::FreePort();  // upstream_test_support.h
  ASSERT_NE(port, 0);
  ClientOptions once;
  once.retry.max_attempts = 1;
  auto r = MakeClient(port, once).Send(Post("/", ""));
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(r.status().message(),
            "cannot connect to http://127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST(ClientTest, SilentServerTimesOut) {
  ScriptedServer server([](int fd) { WaitForClose(fd); });
  ASSERT_TRUE(server.ok());
  auto start = std::chrono::steady_clock::now();
  auto r = MakeClient(server.port(), {.read_timeout = std::chrono::milliseconds(200)})
               .Send(Post("/", "x"));
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("timed out"));
  EXPECT_THAT(r.status().message(), HasSubstr("200 ms"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

TEST(ClientTest, TruncatedBodyIsAnError) {
  ScriptedServer server(
      [](int fd) { WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"); });
  ASSERT_TRUE(server.ok());
  auto r = MakeClient(server.port()).Send(Post("/", ""));
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("closed the connection before the response"));
}

TEST(ClientTest, ClosedWithoutAnswerIsAnError) {
  ScriptedServer server([](int) {});
  ASSERT_TRUE(server.ok());
  auto r = MakeClient(server.port()).Send(Post("/", ""));
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("closed the connection"));
}

TEST(ClientTest, MalformedResponseIsAnError) {
  ScriptedServer server([](int fd) { WriteAll(fd, "SMTP ready\r\n\r\n"); });
  ASSERT_TRUE(server.ok());
  auto r = MakeClient(server.port()).Send(Post("/", ""));
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("malformed HTTP response from http://127.0.0.1:"));
}

TEST(ClientTest, OversizedHeaderIsAnError) {
  ScriptedServer server([](int fd) {
    WriteAll(fd, "HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  });
  ASSERT_TRUE(server.ok());
  auto r = MakeClient(server.port(), {.max_header_bytes = 512}).Send(Post("/", ""));
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
}

TEST(ClientTest, CollectedBodyIsCapped) {
  ScriptedServer server(
      [](int fd) { WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"); });
  ASSERT_TRUE(server.ok());
  auto r = MakeClient(server.port(), {.max_body_bytes = 4}).Send(Post("/", ""));
  EXPECT_THAT(r, StatusIs(ErrorCode::kPayloadTooLarge));
}

TEST(ClientTest, CallbackErrorStopsTheExchange) {
  ScriptedServer server([](int fd) {
    WriteAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n");
    WaitForClose(fd);  // never finishes the body: the client must stop by itself
  });
  ASSERT_TRUE(server.ok());
  ResponseCallbacks stop{.on_head = nullptr,
                         .on_body = [](std::string_view) { return ValidationError("enough"); }};
  auto r = MakeClient(server.port()).Send(Post("/", ""), stop);
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(r.status().message(), "enough");
}

TEST(ClientTest, RefusesRequestsThatWouldSplitTheMessage) {
  Client client = MakeClient(1);  // never contacted
  Request bad_header = Post("/", "");
  bad_header.headers.push_back({"x-evil", "a\r\nx-injected: 1"});
  EXPECT_THAT(client.Send(bad_header), StatusIs(ErrorCode::kValidation));
  Request bad_target = Post("/a b", "");
  EXPECT_THAT(client.Send(bad_target), StatusIs(ErrorCode::kValidation));
  Request bad_method = Post("/", "");
  bad_method.method = "PO ST";
  EXPECT_THAT(client.Send(bad_method), StatusIs(ErrorCode::kValidation));
  Request bad_name = Post("/", "");
  bad_name.headers.push_back({"x:y", "1"});
  EXPECT_THAT(client.Send(bad_name), StatusIs(ErrorCode::kValidation));
}

TEST(ClientTest, Ipv6Loopback) {
  ScriptedServer server(
      [](int fd) { WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6"); },
      /*ipv6=*/true);
  if (!server.ok()) GTEST_SKIP() << "no IPv6 loopback here";
  auto endpoint = ParseEndpointUrl("http://[::1]:" + std::to_string(server.port()));
  ASSERT_OK(endpoint);
  auto r = Client(*endpoint, {}).Send(Post("/", ""));
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "v6");
  EXPECT_THAT(server.request(), HasSubstr("\r\nhost: [::1]:" + std::to_string(server.port())));
}

}  // namespace
}  // namespace bp::http
