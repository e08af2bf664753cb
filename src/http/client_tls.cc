#include "http/client_tls.h"

#include <exception>
#include <filesystem>
#include <system_error>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace bp::http {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;

bool IsIpLiteral(const std::string& host) {
  error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

std::string SslReason(const error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category()) {
    if (const char* reason = ::ERR_reason_error_string(static_cast<unsigned long>(ec.value()))) {
      return reason;
    }
  }
  return ec.message();
}

Result<std::shared_ptr<TlsState>> MakeTlsState(const std::string& ca_bundle_file) {
  try {
    auto state = std::make_shared<TlsState>();
    SSL_CTX* ctx = state->context.native_handle();
    if (::SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
      return InternalError("cannot require TLS 1.2 or later");
    }
    error_code ec;
    state->context.set_default_verify_paths(ec);
    if (ec) return ValidationError("cannot load the system trust store: " + SslReason(ec));
    if (!ca_bundle_file.empty()) {
      std::error_code fs_ec;
      if (!std::filesystem::is_regular_file(ca_bundle_file, fs_ec)) {
        return ValidationError("cannot load the CA bundle '" + ca_bundle_file +
                               "': no such file (from AWS_CA_BUNDLE or the client options)");
      }
      state->context.load_verify_file(ca_bundle_file, ec);
      if (ec) {
        return ValidationError("cannot load the CA bundle '" + ca_bundle_file +
                               "': " + SslReason(ec) + " (expected PEM certificates)");
      }
    }
    state->context.set_verify_mode(ssl::verify_peer);
    return state;
  } catch (const std::exception& e) {  // allocation or OpenSSL setup failures
    return InternalError(std::string("cannot set up TLS: ") + e.what());
  }
}

Status PrepareTlsConnection(SSL* ssl, const std::string& host, const std::string& who) {
  X509_VERIFY_PARAM* param = ::SSL_get0_param(ssl);
  ::X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  bool set = false;
  if (IsIpLiteral(host)) {
    set = ::X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;  // no SNI for addresses
  } else {
    set = ::SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
          ::X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) == 1;
  }
  if (set) return Status::Ok();
  return Status(ErrorCode::kServiceUnavailable,
                "TLS handshake with " + who + " failed: cannot set the expected host name");
}

TlsFailure DescribeHandshakeFailure(SSL* ssl, const error_code& ec, const std::string& who) {
  std::string prefix = "TLS handshake with " + who + " failed: ";
  long verify = ::SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return {TlsFailureKind::kCertificate,
            prefix + "certificate verify failed (" + ::X509_verify_cert_error_string(verify) + ")"};
  }
  if (ec.category() == asio::error::get_ssl_category()) {
    std::string hint;
    if (ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_WRONG_VERSION_NUMBER) {
      hint = " (the server does not speak TLS: is it an http:// endpoint?)";
    }
    return {TlsFailureKind::kProtocol, prefix + SslReason(ec) + hint};
  }
  return {TlsFailureKind::kTransport, prefix + ec.message()};  // reset, EOF
}

}  // namespace bp::http
