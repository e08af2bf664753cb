#include "auth/sigv4/signer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "auth/sigv4/auth_params.h"
#include "auth/sigv4/canonical_request.h"
#include "auth/sigv4/crypto.h"
#include "core/uri.h"

namespace bp::auth::sigv4 {

namespace {

constexpr std::chrono::seconds kMaxPresignExpiry{7 * 24 * 60 * 60};

// Never signed: hop-by-hop headers, and ones proxies and clients rewrite.
bool IsUnsignable(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "authorization", "cache-control",     "connection", "expect",     "from",
      "keep-alive",    "max-forwards",      "pragma",     "referer",    "te",
      "trailer",       "transfer-encoding", "upgrade",    "user-agent", "x-amzn-trace-id"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// Replaced by the signer in either form.
bool IsSignerOwned(std::string_view name) {
  return name == "authorization" || name == "x-amz-date" || name == "x-amz-security-token";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// The request's headers with lower-case names, minus the ones the signer owns.
http::Headers LowerHeaders(const http::Headers& in) {
  http::Headers out;
  out.reserve(in.size() + 4);
  for (const http::Header& h : in) {
    std::string name = Lower(h.name);
    if (!IsSignerOwned(name)) out.push_back({std::move(name), h.value});
  }
  return out;
}

// Sorted, unique names of the signable headers.
std::vector<std::string> SignedNames(const http::Headers& headers) {
  std::vector<std::string> names;
  for (const http::Header& h : headers) {
    if (!IsUnsignable(h.name)) names.push_back(h.name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Status RequireHost(const std::vector<std::string>& names) {
  if (std::binary_search(names.begin(), names.end(), "host") ||
      std::binary_search(names.begin(), names.end(), ":authority")) {
    return Status::Ok();
  }
  return ValidationError("SigV4 signing needs a 'host' or ':authority' header");
}

CredentialScope ScopeFor(const SigningOptions& options) {
  return CredentialScope{FormatAmzDate(options.time).substr(0, 8), options.region, options.service};
}

std::string PayloadHashFor(const SigningRequest& request) {
  return request.payload_hash ? std::string(*request.payload_hash) : Sha256Hex(request.body);
}

// Fills canonical_request, string_to_sign and signature.
void Sign(const Credentials& credentials, const SigningOptions& options, std::string_view method,
          std::string_view path, std::string_view canonical_query, const http::Headers& headers,
          const std::vector<std::string>& signed_names, std::string_view payload_hash,
          SigningResult& out) {
  CredentialScope scope = ScopeFor(options);
  out.canonical_request = CanonicalRequest(method, path, options.normalize_path, canonical_query,
                                           headers, signed_names, payload_hash);
  out.string_to_sign = BuildStringToSign(FormatAmzDate(options.time), scope, out.canonical_request);
  out.signature = options.signing_key != nullptr
                      ? ComputeSignature(*options.signing_key, out.string_to_sign)
                      : ComputeSignature(DeriveSigningKey(credentials.secret_access_key, scope),
                                         out.string_to_sign);
}

void AppendParam(std::string& query, std::string_view name, std::string_view value) {
  if (!query.empty()) query.push_back('&');
  query.append(name).append("=").append(UriEncode(value));
}

}  // namespace

DerivedKey DeriveKeyFor(std::string_view secret_access_key, const SigningOptions& options) {
  return DeriveSigningKey(secret_access_key, ScopeFor(options));
}

std::string SigningDay(std::chrono::system_clock::time_point time) {
  return FormatAmzDate(time).substr(0, 8);
}

Result<SigningResult> SignWithHeaders(const Credentials& credentials, const SigningRequest& request,
                                      const SigningOptions& options) {
  http::Headers headers = LowerHeaders(request.headers);
  std::string amz_date = FormatAmzDate(options.time);
  std::string payload_hash = PayloadHashFor(request);
  SigningResult out;
  out.headers_to_add.push_back({"x-amz-date", amz_date});
  if (credentials.session_token) {
    out.headers_to_add.push_back({"x-amz-security-token", *credentials.session_token});
  }
  if (options.add_content_sha256_header && !http::FindHeader(headers, "x-amz-content-sha256")) {
    out.headers_to_add.push_back({"x-amz-content-sha256", payload_hash});
  }
  for (const http::Header& h : out.headers_to_add) {
    if (h.name != "x-amz-security-token" || options.sign_session_token) headers.push_back(h);
  }
  std::vector<std::string> signed_names = SignedNames(headers);
  BP_RETURN_IF_ERROR(RequireHost(signed_names));
  BP_ASSIGN_OR_RETURN(std::string canonical_query, CanonicalQuery(request.query));
  Sign(credentials, options, request.method, request.path, canonical_query, headers, signed_names,
       payload_hash, out);
  out.headers_to_add.push_back(
      {"authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                            ScopeFor(options).ToString() + ", SignedHeaders=" +
                            JoinSignedHeaders(signed_names) + ", Signature=" + out.signature});
  return out;
}

Result<SigningResult> Presign(const Credentials& credentials, const SigningRequest& request,
                              const SigningOptions& options) {
  if (options.expires.count() < 1 || options.expires > kMaxPresignExpiry) {
    return ValidationError("X-Amz-Expires must be between 1 and 604800 seconds, not " +
                           std::to_string(options.expires.count()));
  }
  http::Headers headers = LowerHeaders(request.headers);
  std::vector<std::string> signed_names = SignedNames(headers);
  BP_RETURN_IF_ERROR(RequireHost(signed_names));
  std::string query(request.query);
  AppendParam(query, kQueryAlgorithm, kAlgorithm);
  AppendParam(query, kQueryCredential,
              credentials.access_key_id + "/" + ScopeFor(options).ToString());
  AppendParam(query, kQueryDate, FormatAmzDate(options.time));
  AppendParam(query, kQuerySignedHeaders, JoinSignedHeaders(signed_names));
  AppendParam(query, kQueryExpires, std::to_string(options.expires.count()));
  if (credentials.session_token && options.sign_session_token) {
    AppendParam(query, kQuerySecurityToken, *credentials.session_token);
  }
  BP_ASSIGN_OR_RETURN(std::string canonical_query, CanonicalQuery(query));
  SigningResult out;
  Sign(credentials, options, request.method, request.path, canonical_query, headers, signed_names,
       PayloadHashFor(request), out);
  if (credentials.session_token && !options.sign_session_token) {
    AppendParam(query, kQuerySecurityToken, *credentials.session_token);
  }
  AppendParam(query, kQuerySignature, out.signature);
  out.query = std::move(query);
  return out;
}

}  // namespace bp::auth::sigv4
