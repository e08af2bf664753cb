// libFuzzer target over SigV4 and API-key parsing and verification, with a
// fixed clock (2026-11-25T10:25:55Z), the endpoint region eu-central-1 and
// one known credential (AKIDEXAMPLE, plus one long-term API key).
//
// Input: byte 0 picks where the rest goes:
//   0  the Authorization header value of GET /model/x/converse
//   1  the query string of GET /model/x/converse (presigned form)
//   2  a bearer token (Authorization: Bearer <rest>)
//   3  "<request target>\n<Authorization value>\n<body>"
// The rest is also fed to the canonicalisation and decoding helpers.
// Invariants checked on every input: only the auth.md §5 codes come back;
// no message holds the secret or the API key (unless the input does); a
// normalised canonical URI starts with '/'; every canonical URI holds only unreserved characters,
// '%' escapes and '/'.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "auth/sigv4/api_key.h"
#include "auth/sigv4/canonical_request.h"
#include "auth/sigv4/crypto.h"
#include "auth/sigv4/sigv4_authenticator.h"

namespace {

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kApiKey[] = "fuzz-long-term-api-key-0123456789abcdef";

class FixedClock final : public bp::Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1795602355));
  }
  std::chrono::steady_clock::time_point SteadyNow() const override { return {}; }
};

void Check(bool ok) {
  if (!ok) std::abort();
}

bool IsAuthCode(bp::ErrorCode code) {
  return code == bp::ErrorCode::kMissingAuthenticationToken ||
         code == bp::ErrorCode::kIncompleteSignature ||
         code == bp::ErrorCode::kUnrecognizedClient || code == bp::ErrorCode::kInvalidSignature;
}

bool IsCanonicalUriByte(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~' || c == '%' || c == '/';
}

bp::http::Request BaseRequest() {
  bp::http::Request r;
  r.method = "GET";
  r.target = "/model/x/converse";
  r.headers = {{"host", "localhost"}, {"x-amz-date", "20261125T102555Z"}};
  return r;
}

bp::http::Request RequestFor(uint8_t mode, std::string_view rest) {
  bp::http::Request r = BaseRequest();
  switch (mode % 4) {
    case 0:
      r.headers.push_back({"authorization", std::string(rest)});
      break;
    case 1:
      r.target += "?" + std::string(rest);
      break;
    case 2:
      r.headers.push_back({"authorization", "Bearer " + std::string(rest)});
      break;
    default: {
      size_t nl = rest.find('\n');
      r.target = std::string(rest.substr(0, nl));
      if (nl == std::string_view::npos) break;
      std::string_view tail = rest.substr(nl + 1);
      size_t nl2 = tail.find('\n');
      r.headers.push_back({"authorization", std::string(tail.substr(0, nl2))});
      if (nl2 != std::string_view::npos) r.body = std::string(tail.substr(nl2 + 1));
      break;
    }
  }
  return r;
}

void CheckHelpers(std::string_view rest) {
  for (bool normalize : {true, false}) {
    std::string uri = bp::auth::sigv4::CanonicalUri(rest, normalize);
    Check(!uri.empty() && (uri.front() == '/' || !normalize));
    for (char c : uri) Check(IsCanonicalUriByte(c));
  }
  (void)bp::auth::sigv4::CanonicalQuery(rest);
  std::string value = bp::auth::sigv4::CanonicalHeaderValue(rest);
  Check(value.empty() || (value.front() != ' ' && value.back() != ' '));
  (void)bp::Base64Decode(rest);
  (void)bp::auth::sigv4::DecodeShortTermApiKey(rest);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FixedClock* clock = new FixedClock();
  static bp::auth::sigv4::SigV4Authenticator* auth = [] {
    spdlog::set_level(spdlog::level::off);
    bp::auth::sigv4::CredentialSet set = {{.principal_name = "fuzz",
                                           .principal_arn = "arn:aws:iam::123456789012:user/fuzz",
                                           .access_key_id = "AKIDEXAMPLE",
                                           .secret_access_key = kSecret,
                                           .session_token = std::nullopt,
                                           .api_key_sha256 = {bp::Sha256Hex(kApiKey)}}};
    return new bp::auth::sigv4::SigV4Authenticator(std::move(set), *clock,
                                                   {.region = "eu-central-1"});
  }();
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  CheckHelpers(rest);
  bp::Result<bp::auth::Principal> p = auth->Authenticate(RequestFor(data[0], rest));
  if (p.ok()) {
    Check(p->name == "fuzz");
    return 0;
  }
  Check(IsAuthCode(p.status().code()));
  // Messages may quote what the client sent, so only secrets the input does
  // not itself contain must be absent.
  if (rest.find(kSecret) == std::string_view::npos) {
    Check(p.status().message().find(kSecret) == std::string::npos);
  }
  if (rest.find(kApiKey) == std::string_view::npos) {
    Check(p.status().message().find(kApiKey) == std::string::npos);
  }
  return 0;
}
