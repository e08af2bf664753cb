#pragma once
// The SigV4 canonical request, string to sign and signing key (auth.md §1.3-
// §1.5), shared by the signer (client side) and the verifier (server side) so
// both compute byte-identical text. Public header of bp_auth_sigv4.
//
// Everything here is a pure function over values; thread-safe.
//
// Canonical URI rule (every service but S3): the path exactly as it travels
// on the wire, each segment URI-encoded once more, so an SDK's "%3A" becomes
// "%253A" and the Anthropic SDK's raw ':' becomes "%3A" (bedrock-api.md §1.2).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace bp::auth::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kScopeTerminator = "aws4_request";
// Hex SHA-256 of the empty string: the payload hash of a bodiless request.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// "DATE/REGION/SERVICE/aws4_request" without the access key.
struct CredentialScope {
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;

  // "20150830/us-east-1/service/aws4_request".
  std::string ToString() const;
};

// "20150830T123600Z" (basic ISO 8601, UTC, whole seconds; sub-seconds dropped).
std::string FormatAmzDate(std::chrono::system_clock::time_point t);
// Parses exactly "YYYYMMDDTHHMMSSZ" with a real calendar date; nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> ParseAmzDate(std::string_view text);

// The canonical URI of a raw wire path (the request target up to '?').
// With `normalize`, "." segments and empty segments ("//") are dropped and ".."
// removes the segment before it; a trailing '/' is kept when the path had one
// and something is left (the JS SDK's rule, matching the suite's *-normalized
// cases). Each remaining segment is URI-encoded (unreserved set only). An empty
// result is "/".
std::string CanonicalUri(std::string_view raw_path, bool normalize);

// The canonical query of a raw wire query (after '?', without it): each
// "name=value" item percent-decoded and re-encoded, items whose decoded name
// is in `excluded_names` dropped, sorted by encoded name then encoded value,
// joined with '&'. An item without '=' or with an empty value becomes "name=".
// '+' is a literal plus (AWS clients send spaces as %20). kValidation on a
// malformed percent-escape.
Result<std::string> CanonicalQuery(std::string_view raw_query,
                                   std::span<const std::string_view> excluded_names = {});

// A header value in canonical form: leading and trailing whitespace removed,
// every inner run of whitespace (space, tab, CR, LF) folded to one space.
std::string CanonicalHeaderValue(std::string_view value);

// The canonical header lines for `signed_names` (lower-case), in the order
// given: "name:value\n" each, where the value joins every header of that name
// in arrival order with ',' after canonicalising each. `headers` names must be
// lower-case (http::Request guarantees it). A name with no header yields
// "name:\n".
std::string CanonicalHeaders(const http::Headers& headers,
                             std::span<const std::string> signed_names);

// "host;x-amz-date": the names joined with ';'.
std::string JoinSignedHeaders(std::span<const std::string> signed_names);

// The same four, appended to `out` (the verifier builds its canonical
// request in one buffer with them; the functions above are these on an empty
// string).
void AppendCanonicalUri(std::string& out, std::string_view raw_path, bool normalize);
void AppendCanonicalHeaderValue(std::string& out, std::string_view value);
void AppendCanonicalHeaders(std::string& out, const http::Headers& headers,
                            std::span<const std::string> signed_names);
void AppendSignedHeaders(std::string& out, std::span<const std::string> signed_names);

// BuildCanonicalRequest(method, CanonicalUri(raw_path, normalize),
// canonical_query, CanonicalHeaders(headers, signed_names),
// JoinSignedHeaders(signed_names), payload_hash), built in one buffer.
std::string CanonicalRequest(std::string_view method, std::string_view raw_path, bool normalize,
                             std::string_view canonical_query, const http::Headers& headers,
                             std::span<const std::string> signed_names,
                             std::string_view payload_hash);

// The six canonical-request lines joined with '\n'. `canonical_headers`
// already ends with '\n' per header, so an empty line follows it, as AWS
// specifies.
std::string BuildCanonicalRequest(std::string_view method, std::string_view canonical_uri,
                                  std::string_view canonical_query,
                                  std::string_view canonical_headers,
                                  std::string_view signed_headers, std::string_view payload_hash);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(canonical_request)>".
std::string BuildStringToSign(std::string_view amz_date, const CredentialScope& scope,
                              std::string_view canonical_request);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
// "aws4_request"). Holds secret-derived bytes: never log it.
using SigningKey = std::array<uint8_t, 32>;
SigningKey DeriveSigningKey(std::string_view secret_access_key, const CredentialScope& scope);

// Lower-case hex HMAC-SHA256(signing_key, string_to_sign).
std::string ComputeSignature(const SigningKey& signing_key, std::string_view string_to_sign);

}  // namespace bp::auth::sigv4
