#include "api/dashboard/session_auth.h"

#include <utility>

#include "auth/sigv4/signer.h"
#include "json/json.h"

namespace bp::api::dashboard {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status NoSession() {
  return Status(ErrorCode::kMissingAuthenticationToken,
                "No dashboard session, or it has expired: sign in at /ui/");
}

}  // namespace

std::optional<std::string_view> CookieValue(const http::Request& request, std::string_view name) {
  for (const http::Header& h : request.headers) {
    if (h.name != "cookie") continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = Trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
  }
  return std::nullopt;
}

std::string SessionCookie(std::string_view token, bool secure) {
  std::string cookie(kSessionCookie);
  cookie += '=';
  cookie += token;
  cookie += "; Path=/ui; HttpOnly; SameSite=Strict";
  if (token.empty()) cookie += "; Max-Age=0";
  if (secure) cookie += "; Secure";
  return cookie;
}

Result<auth::Principal> SessionAuthenticator::Authenticate(const http::Request& request) const {
  std::optional<std::string_view> token = CookieValue(request, kSessionCookie);
  if (!token || token->empty()) return NoSession();
  const bool activity = http::FindHeader(request.headers, kPollHeader) == nullptr;
  std::optional<Session> session = sessions_.Touch(*token, activity);
  if (!session) return NoSession();
  if (require_csrf_) {
    const std::string* csrf = http::FindHeader(request.headers, kCsrfHeader);
    if (csrf == nullptr || !SecretEquals(*csrf, session->csrf_token)) {
      return Status(ErrorCode::kAccessDenied,
                    "The request does not carry this session's CSRF token (header X-CSRF-Token)");
    }
  }
  return std::move(session->principal);
}

Result<SignInCredentials> ParseSignIn(std::string_view body) {
  Result<json::Value> parsed = json::Parse(body);
  if (!parsed.ok())
    return ValidationError("Sign-in body is not JSON: " + parsed.status().message());
  BP_ASSIGN_OR_RETURN(const json::Object* obj, json::RequireObject(*parsed, "$"));
  BP_RETURN_IF_ERROR(
      json::RejectUnknownKeys(*obj, {"accessKeyId", "secretAccessKey", "apiKey"}, "$"));
  SignInCredentials out;
  BP_ASSIGN_OR_RETURN(std::optional<std::string> key_id,
                      json::OptionalString(*obj, "accessKeyId", "$"));
  BP_ASSIGN_OR_RETURN(std::optional<std::string> secret,
                      json::OptionalString(*obj, "secretAccessKey", "$"));
  BP_ASSIGN_OR_RETURN(std::optional<std::string> api_key,
                      json::OptionalString(*obj, "apiKey", "$"));
  if (api_key) {
    if (key_id || secret) {
      return ValidationError("Sign in with either an API key or an access key pair, not both");
    }
    if (api_key->empty()) return ValidationError("$.apiKey is empty");
    out.api_key = std::move(*api_key);
    return out;
  }
  if (!key_id || key_id->empty() || !secret || secret->empty()) {
    return ValidationError("Sign in with accessKeyId and secretAccessKey, or with apiKey");
  }
  out.access_key_id = std::move(*key_id);
  out.secret_access_key = std::move(*secret);
  return out;
}

Result<auth::Principal> SignIn(const auth::Authenticator& authenticator,
                               const SignInCredentials& credentials, const SignInScope& scope) {
  http::Request request;
  request.method = "POST";
  request.target = "/ui/api/session";
  request.headers.push_back({"host", scope.host});
  if (!credentials.api_key.empty()) {
    request.headers.push_back({"authorization", "Bearer " + credentials.api_key});
    return authenticator.Authenticate(request);
  }
  auth::sigv4::Credentials keys{.access_key_id = credentials.access_key_id,
                                .secret_access_key = credentials.secret_access_key,
                                .session_token = std::nullopt};
  BP_ASSIGN_OR_RETURN(auth::sigv4::SigningResult signed_request,
                      auth::sigv4::SignWithHeaders(
                          keys,
                          {.method = request.method,
                           .path = request.target,
                           .query = {},
                           .headers = request.headers,
                           .body = {},
                           .payload_hash = std::nullopt},
                          {.region = scope.region, .service = "bedrock", .time = scope.time}));
  for (http::Header& h : signed_request.headers_to_add) request.headers.push_back(std::move(h));
  return authenticator.Authenticate(request);
}

}  // namespace bp::api::dashboard
