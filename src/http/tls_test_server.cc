#include "http/tls_test_server.h"

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <netinet/in.h>
#include <string_view>
#include <sys/socket.h>
#include <sys/time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <unistd.h>

namespace bp::http::testing {
namespace {

constexpr int kDeadlineMs = 5000;

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
  void operator()(SSL* p) const { SSL_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "tls_test_server: %s failed\n", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

void Check(bool ok, const char* what) {
  if (!ok) Die(what);
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  Check(ext != nullptr, "X509V3_EXT_conf_nid");
  Check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

// An unsigned certificate for `key` named `cn`, issued by `issuer` (by itself
// when `issuer` is null); the caller adds extensions and signs.
CertPtr MakeCert(EVP_PKEY* key, const std::string& cn, X509* issuer, long serial) {
  CertPtr cert(X509_new());
  Check(cert != nullptr, "X509_new");
  Check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  Check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1, "set issuer");
  return cert;
}

std::string ToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string ToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Parses "METHOD target HTTP/1.1\r\nname: value\r\n...\r\n\r\n".
bool ParseHead(std::string_view head, Request& out) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  out.method = std::string(line.substr(0, sp1));
  out.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  size_t at = eol + 2;
  while (at < head.size()) {
    size_t end = head.find("\r\n", at);
    if (end == std::string_view::npos || end == at) break;
    std::string_view field = head.substr(at, end - at);
    size_t colon = field.find(':');
    if (colon == std::string_view::npos) return false;
    out.headers.push_back({Lower(field.substr(0, colon)), Trim(field.substr(colon + 1))});
    at = end + 2;
  }
  return true;
}

std::string ReasonFor(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string Serialize(const Response& r) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + ReasonFor(r.status) + "\r\n";
  for (const Header& h : r.headers) out += h.name + ": " + h.value + "\r\n";
  out += "content-length: " + std::to_string(r.body.size()) + "\r\nconnection: close\r\n\r\n";
  return out + r.body;
}

bool ReadMore(SSL* ssl, std::string& buf) {
  char chunk[4096];
  int n = SSL_read(ssl, chunk, sizeof(chunk));
  if (n <= 0) return false;
  buf.append(chunk, static_cast<size_t>(n));
  return true;
}

// Reads one request; false when the client went away first.
bool ReadRequest(SSL* ssl, Request& out) {
  std::string buf;
  while (buf.find("\r\n\r\n") == std::string::npos) {
    if (buf.size() > 1 << 20 || !ReadMore(ssl, buf)) return false;
  }
  size_t head_end = buf.find("\r\n\r\n") + 4;
  if (!ParseHead(std::string_view(buf).substr(0, head_end), out)) return false;
  size_t length = 0;
  if (const std::string* cl = FindHeader(out.headers, "content-length")) {
    length = static_cast<size_t>(std::strtoull(cl->c_str(), nullptr, 10));
  }
  while (buf.size() < head_end + length) {
    if (!ReadMore(ssl, buf)) return false;
  }
  out.body = buf.substr(head_end, length);
  return true;
}

}  // namespace

TestPki MakeTestPki(const std::vector<std::string>& dns_names,
                    const std::vector<std::string>& ip_addresses) {
  KeyPtr ca_key(EVP_EC_gen("P-256"));
  KeyPtr server_key(EVP_EC_gen("P-256"));
  Check(ca_key && server_key, "EVP_EC_gen");
  CertPtr ca = MakeCert(ca_key.get(), "bedrock-profiles test CA", nullptr, 1);
  AddExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  Check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()) > 0, "X509_sign (CA)");

  std::string cn = !dns_names.empty() ? dns_names.front()
                                      : (!ip_addresses.empty() ? ip_addresses.front() : "server");
  CertPtr server = MakeCert(server_key.get(), cn, ca.get(), 2);
  std::string sans;
  for (const std::string& d : dns_names) sans += (sans.empty() ? "DNS:" : ",DNS:") + d;
  for (const std::string& ip : ip_addresses) sans += (sans.empty() ? "IP:" : ",IP:") + ip;
  AddExtension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  AddExtension(server.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  if (!sans.empty()) AddExtension(server.get(), ca.get(), NID_subject_alt_name, sans);
  Check(X509_sign(server.get(), ca_key.get(), EVP_sha256()) > 0, "X509_sign (server)");
  return TestPki{.ca_cert_pem = ToPem(ca.get()),
                 .server_cert_pem = ToPem(server.get()),
                 .server_key_pem = ToPem(server_key.get())};
}

struct TlsTestServer::Tls {
  std::unique_ptr<SSL_CTX, Free> ctx;
};

TlsTestServer::TlsTestServer(const TestPki& pki, Handler handler)
    : tls_(std::make_unique<Tls>()), handler_(std::move(handler)) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the test binary
  tls_->ctx.reset(SSL_CTX_new(TLS_server_method()));
  Check(tls_->ctx != nullptr, "SSL_CTX_new");
  BioPtr cert_bio(
      BIO_new_mem_buf(pki.server_cert_pem.data(), static_cast<int>(pki.server_cert_pem.size())));
  BioPtr key_bio(
      BIO_new_mem_buf(pki.server_key_pem.data(), static_cast<int>(pki.server_key_pem.size())));
  CertPtr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  Check(cert && key, "reading the test certificate");
  Check(SSL_CTX_use_certificate(tls_->ctx.get(), cert.get()) == 1, "SSL_CTX_use_certificate");
  Check(SSL_CTX_use_PrivateKey(tls_->ctx.get(), key.get()) == 1, "SSL_CTX_use_PrivateKey");

  if (::pipe(wake_fds_) != 0) return;
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return;
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

TlsTestServer::~TlsTestServer() {
  if (wake_fds_[1] >= 0) (void)!::write(wake_fds_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  for (int fd : {listen_fd_, wake_fds_[0], wake_fds_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

void TlsTestServer::Serve() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) return;
    if (fds[1].revents != 0) return;  // stopping
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    ++accepted_;
    timeval deadline{.tv_sec = kDeadlineMs / 1000, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof(deadline));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &deadline, sizeof(deadline));
    ServeOne(fd);
    ::close(fd);
  }
}

void TlsTestServer::ServeOne(int fd) {
  std::unique_ptr<SSL, Free> ssl(SSL_new(tls_->ctx.get()));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1 || SSL_accept(ssl.get()) != 1) {
    ++failed_handshakes_;
    ERR_clear_error();
    return;
  }
  Request request;
  request.remote_address = "127.0.0.1";
  if (ReadRequest(ssl.get(), request)) {
    Response response = handler_(request);
    if (response.status == 0) return;  // hang up without an answer
    std::string answer = Serialize(response);
    size_t at = 0;
    while (at < answer.size()) {
      int n = SSL_write(ssl.get(), answer.data() + at, static_cast<int>(answer.size() - at));
      if (n <= 0) break;
      at += static_cast<size_t>(n);
    }
    SSL_shutdown(ssl.get());  // close_notify; the client closes without waiting for ours
  }
  ERR_clear_error();
}

}  // namespace bp::http::testing
