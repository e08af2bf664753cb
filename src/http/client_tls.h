#pragma once
// TLS client setup shared by http::Client (client_exchange.cc) and the
// upstream client (upstream_connection.cc): the context (trust store, CA
// bundle, verification, TLS 1.2+), the per-connection settings (SNI, the
// name or IP address the certificate must carry) and the wording of a failed
// handshake. Private to bp_http; names OpenSSL and Asio types.
//
// Thread-safety: a TlsState is shared read-only by every connection made from
// it, on any thread (an SSL_CTX is safe to create connections from
// concurrently once set up).

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <openssl/ssl.h>

#include "core/status.h"

namespace bp::http {

struct TlsState {
  boost::asio::ssl::context context{boost::asio::ssl::context::tls_client};
};

// The system trust store (OpenSSL's default paths; SSL_CERT_FILE and
// SSL_CERT_DIR override them) plus the PEM certificates of `ca_bundle_file`
// (empty: none), peer verification on, TLS 1.2 at least. Errors
// (kValidation): an unreadable CA bundle or one without certificates.
Result<std::shared_ptr<TlsState>> MakeTlsState(const std::string& ca_bundle_file);

// Sets up one connection's SSL object before its handshake: SNI for a host
// name, and the name (DNS, no partial wildcards) or IP address the peer's
// certificate must carry. `who` is "host:port" for the message. Errors
// (kServiceUnavailable): OpenSSL refused the name.
Status PrepareTlsConnection(SSL* ssl, const std::string& host, const std::string& who);

// What a failed handshake (not a timeout: the callers own their deadlines)
// was, for the callers' retry rules.
enum class TlsFailureKind : uint8_t {
  kCertificate,  // the peer's certificate was refused: retrying cannot help
  kProtocol,     // a TLS protocol error, e.g. the peer does not speak TLS
  kTransport,    // reset or closed during the handshake: may be transient
};

struct TlsFailure {
  TlsFailureKind kind = TlsFailureKind::kTransport;
  // "TLS handshake with host:port failed: certificate verify failed (unable
  // to get local issuer certificate)".
  std::string message;
};

TlsFailure DescribeHandshakeFailure(SSL* ssl, const boost::system::error_code& ec,
                                    const std::string& who);

// The text of an error code; OpenSSL's reason string without Asio's
// "(SSL routines)" suffix for TLS errors.
std::string SslReason(const boost::system::error_code& ec);

}  // namespace bp::http
