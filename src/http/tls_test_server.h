#pragma once
// Test-only: certificates made at test time with the OpenSSL API and a small
// blocking HTTPS/1.1 server on 127.0.0.1 port 0, for http::Client's TLS tests
// and the loopback Bedrock test doubles of other modules' tests (compiled
// into those test binaries; never linked into the product).
//
// The server accepts one connection at a time on its own thread, reads one
// request (head + content-length body), answers it with the handler's
// Response (content-length framing, "connection: close") and closes. Every
// socket operation has a deadline, so a broken client fails the test
// instead of hanging it.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/message.h"

namespace bp::http::testing {

// A throw-away certificate authority and one server certificate it signed.
struct TestPki {
  std::string ca_cert_pem;      // trust anchor: give it to the client as a CA bundle
  std::string server_cert_pem;  // CN = first name, SANs = the DNS names and IP addresses
  std::string server_key_pem;
};

// Makes a P-256 CA ("bedrock-profiles test CA") and a server certificate for
// `dns_names` (DNS SANs) and `ip_addresses` (IP SANs), valid from an hour ago
// for a day. Aborts the test binary on an OpenSSL failure (cannot happen with
// valid input).
TestPki MakeTestPki(const std::vector<std::string>& dns_names,
                    const std::vector<std::string>& ip_addresses);

class TlsTestServer final {
 public:
  // Called on the server thread with each complete request (names
  // lower-cased, target as sent, remote_address set). A Response with status
  // 0 closes the connection without answering (a transport failure).
  using Handler = std::function<Response(const Request& request)>;

  TlsTestServer(const TestPki& pki, Handler handler);
  ~TlsTestServer();  // stops accepting and joins
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  bool ok() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  // Connections accepted, and those whose TLS handshake failed (e.g. the
  // client refused the certificate).
  int accepted() const { return accepted_.load(); }
  int failed_handshakes() const { return failed_handshakes_.load(); }

 private:
  void Serve();
  void ServeOne(int fd);

  struct Tls;  // OpenSSL objects, defined in the .cc
  std::unique_ptr<Tls> tls_;
  Handler handler_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<int> failed_handshakes_{0};
  std::thread thread_;
};

}  // namespace bp::http::testing
