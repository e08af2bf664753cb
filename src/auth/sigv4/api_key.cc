#include "auth/sigv4/api_key.h"

#include <utility>
#include <vector>

#include "auth/sigv4/auth_params.h"
#include "auth/sigv4/crypto.h"
#include "auth/sigv4/signer.h"
#include "core/uri.h"

namespace bp::auth::sigv4 {

namespace {

constexpr std::string_view kExcluded[] = {kQuerySignature, "Version"};

Status Malformed(std::string message) {
  return Status(ErrorCode::kIncompleteSignature,
                "Malformed Bedrock API key: " + std::move(message));
}

struct PresignedUrl {
  std::string host;
  std::string path;
  std::string query;
};

// "bedrock.amazonaws.com/?a=b" (an "https://" prefix is tolerated).
Result<PresignedUrl> SplitUrl(std::string_view url) {
  if (url.starts_with("https://")) url.remove_prefix(8);
  size_t slash = url.find('/');
  if (slash == std::string_view::npos) return Malformed("the decoded token is not a URL.");
  size_t question = url.find('?', slash);
  PresignedUrl out;
  out.host = url.substr(0, slash);
  out.path = url.substr(slash, question == std::string_view::npos ? question : question - slash);
  if (question != std::string_view::npos) out.query = url.substr(question + 1);
  if (out.host != kApiKeyHost || out.path != "/") {
    return Malformed("the token is not a presigned URL for " + std::string(kApiKeyHost) + "/.");
  }
  return out;
}

}  // namespace

Result<std::string> DecodeShortTermApiKey(std::string_view token) {
  if (!token.starts_with(kShortTermApiKeyPrefix)) {
    return Malformed("it does not start with '" + std::string(kShortTermApiKeyPrefix) + "'.");
  }
  Result<std::string> url = Base64Decode(token.substr(kShortTermApiKeyPrefix.size()));
  if (!url.ok()) return Malformed("the text after the prefix is not base64.");
  return url;
}

Result<VerifiedSignature> VerifyShortTermApiKey(std::string_view token, const Verifier& verifier,
                                                std::string_view endpoint_region,
                                                std::chrono::seconds max_lifetime) {
  BP_ASSIGN_OR_RETURN(std::string decoded, DecodeShortTermApiKey(token));
  BP_ASSIGN_OR_RETURN(PresignedUrl url, SplitUrl(decoded));
  Result<std::vector<std::pair<std::string, std::string>>> query = ParseQuery(url.query);
  if (!query.ok()) return Malformed("its query has a bad percent-escape.");
  BP_ASSIGN_OR_RETURN(AuthParams params,
                      ParseQueryAuth(*query, verifier.options().max_presign_expiry));
  if (params.signed_headers != std::vector<std::string>{"host"}) {
    return Malformed("X-Amz-SignedHeaders must be 'host'.");
  }
  http::Headers headers = {{"host", url.host}};
  SignedParts parts{"POST", url.path, url.query, headers, ""};
  return verifier.VerifyParams(parts, params,
                               VerifyRules{.region = endpoint_region,
                                           .excluded_query_names = kExcluded,
                                           .max_lifetime = max_lifetime,
                                           .explain_mismatch = false});
}

Result<std::string> MakeShortTermApiKey(const Credentials& credentials, std::string_view region,
                                        std::chrono::system_clock::time_point time,
                                        std::chrono::seconds expires) {
  if (expires.count() < 1 || expires > kMaxShortTermApiKeyLifetime) {
    return ValidationError("a short-term API key lasts 1 to 43200 seconds, not " +
                           std::to_string(expires.count()));
  }
  http::Headers headers = {{"host", std::string(kApiKeyHost)}};
  SigningRequest request{"POST", "/", "Action=CallWithBearerToken", headers, "", std::nullopt};
  SigningOptions options{
      .region = std::string(region), .service = "bedrock", .time = time, .expires = expires};
  BP_ASSIGN_OR_RETURN(SigningResult signed_url, Presign(credentials, request, options));
  std::string url = std::string(kApiKeyHost) + "/?" + signed_url.query + "&Version=1";
  return std::string(kShortTermApiKeyPrefix) + Base64Encode(url);
}

}  // namespace bp::auth::sigv4
