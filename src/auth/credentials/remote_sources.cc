#include "auth/credentials/remote_sources.h"

#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <utility>

#include "auth/credentials/credential_json.h"

namespace bp::auth::credentials {
namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024;
constexpr size_t kMaxTokenBytes = 16 * 1024;
constexpr char kImdsTokenPath[] = "/latest/api/token";
constexpr char kImdsRolesPath[] = "/latest/meta-data/iam/security-credentials/";

std::optional<std::string> Get(const EnvLookup& env, std::string_view name) {
  std::optional<std::string> v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status Unavailable(std::string m) { return Status(ErrorCode::kServiceUnavailable, std::move(m)); }

bool HasControlBytes(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// The start of an error answer's body, safe to print (error answers carry no
// credentials).
std::string BodyHint(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 120)) {
    if (c == '\n' || c == '\r') break;
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  return out.empty() ? "" : ": " + out;
}

bool AllowedHttpContainerHost(const std::string& host) {
  if (Lower(host) == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    uint32_t a = ntohl(v4.s_addr);
    return (a >> 24) == 127 || a == 0xA9FEAA02 /* 169.254.170.2 */ ||
           a == 0xA9FEAA17 /* 169.254.170.23 */;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    in6_addr eks{};
    ::inet_pton(AF_INET6, "fd00:ec2::23", &eks);
    return IN6_IS_ADDR_LOOPBACK(&v6) || std::memcmp(&v6, &eks, sizeof v6) == 0;
  }
  return false;
}

http::ClientOptions HttpOptions(const ChainOptions& options, int attempts) {
  http::ClientOptions o;
  o.connect_timeout = options.connect_timeout;
  o.read_timeout = options.read_timeout;
  o.max_header_bytes = 16 * 1024;
  o.max_body_bytes = kMaxAnswerBytes;
  o.retry.max_attempts = attempts;
  o.retry.base_delay = std::chrono::milliseconds(100);
  o.retry.max_delay = std::chrono::milliseconds(1000);
  return o;
}

// Splits an absolute URL into its endpoint and its target (path + query).
Result<ContainerTarget> SplitUrl(std::string_view url, std::string_view variable) {
  size_t scheme_end = url.find("://");
  size_t path_at = scheme_end == std::string_view::npos ? std::string_view::npos
                                                        : url.find_first_of("/?#", scheme_end + 3);
  std::string_view origin = url.substr(0, path_at);
  std::string_view rest = path_at == std::string_view::npos ? "" : url.substr(path_at);
  if (rest.find('#') != std::string_view::npos) {
    return ValidationError(std::string(variable) + ": a fragment ('#') is not allowed");
  }
  auto endpoint = http::ParseEndpointUrl(origin);
  if (!endpoint.ok()) return std::move(endpoint).status().Annotate(variable);
  std::string target =
      rest.empty() || rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
  if (HasControlBytes(target) || target.find(' ') != std::string::npos) {
    return ValidationError(std::string(variable) + ": the path holds spaces or control bytes");
  }
  std::string shown = endpoint->ToString() + target.substr(0, target.find('?'));
  return ContainerTarget{
      .endpoint = std::move(*endpoint), .target = std::move(target), .shown = std::move(shown)};
}

// The Authorization value for the container endpoint, if any.
Result<std::optional<std::string>> ContainerToken(const EnvLookup& env) {
  std::optional<std::string> token;
  if (auto file = Get(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    std::ifstream in(*file, std::ios::binary);
    if (!in) {
      return ValidationError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: cannot read " + *file + ": " +
                             std::strerror(errno));
    }
    std::string text(kMaxTokenBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxTokenBytes) {
      return ValidationError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: " + *file +
                             " is larger than " + std::to_string(kMaxTokenBytes) + " bytes");
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    token = std::move(text);
  } else {
    token = Get(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  }
  if (token && HasControlBytes(*token)) {
    return ValidationError("the container authorization token holds a line break or control byte");
  }
  if (token && token->empty()) token.reset();
  return token;
}

// One GET; a non-200 answer is an error naming `what`. `status` receives the
// HTTP status of an answer.
Result<std::string> Call(const http::Client& client, std::string target, http::Headers headers,
                         std::string_view what, unsigned& status) {
  http::Request request;
  request.method = "GET";
  request.target = std::move(target);
  request.headers = std::move(headers);
  status = 0;
  auto response = client.Send(request, http::Idempotency::kIdempotent);
  if (!response.ok()) return std::move(response).status().Annotate(what);
  status = response->status;
  if (response->status != 200) {
    return Unavailable(std::string(what) + ": HTTP " + std::to_string(response->status) +
                       BodyHint(response->body));
  }
  return std::move(response->body);
}

bool ValidRoleName(std::string_view role) {
  if (role.empty() || role.size() > 128) return false;
  for (char c : role) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("+=,.@_-").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ContainerConfigured(const EnvLookup& env) {
  return Get(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
         Get(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
}

Result<ContainerTarget> ContainerTargetFromEnv(const EnvLookup& env, const ChainOptions& options) {
  if (auto relative = Get(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    if (relative->front() != '/') {
      return ValidationError("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'");
    }
    return SplitUrl(options.container_relative_base + *relative,
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  }
  auto full = Get(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!full) return ValidationError("no container credentials endpoint is configured");
  BP_ASSIGN_OR_RETURN(ContainerTarget t, SplitUrl(*full, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
  if (t.endpoint.scheme == http::Scheme::kHttp && !AllowedHttpContainerHost(t.endpoint.host)) {
    return ValidationError(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI: http:// is allowed only to "
        "this machine (localhost, 127.0.0.0/8, ::1) or the container agents "
        "(169.254.170.2, 169.254.170.23, fd00:ec2::23), not to " +
        t.endpoint.host + "; use https://");
  }
  return t;
}

Result<Credentials> FetchContainerCredentials(const EnvLookup& env, const ChainOptions& options) {
  BP_ASSIGN_OR_RETURN(ContainerTarget t, ContainerTargetFromEnv(env, options));
  const std::string what = "container credentials from " + t.shown;
  auto token = ContainerToken(env);
  if (!token.ok()) return std::move(token).status().Annotate(what);
  http::Headers headers = {{"accept", "application/json"}};
  if (*token) headers.push_back({"authorization", **token});
  http::Client client(t.endpoint, HttpOptions(options, 2));
  unsigned status = 0;
  BP_ASSIGN_OR_RETURN(std::string body, Call(client, t.target, std::move(headers), what, status));
  auto creds = ParseRemoteCredentials(body, "container credentials (" + t.shown + ")");
  if (!creds.ok()) return std::move(creds).status().Annotate(what);
  return creds;
}

Result<http::Endpoint> ImdsEndpointFromEnv(const EnvLookup& env) {
  if (auto url = Get(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    auto endpoint = http::ParseEndpointUrl(*url);
    if (!endpoint.ok())
      return std::move(endpoint).status().Annotate("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    return endpoint;
  }
  std::string mode = Lower(Get(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE").value_or("ipv4"));
  if (mode == "ipv4") return http::ParseEndpointUrl("http://169.254.169.254");
  if (mode == "ipv6") return http::ParseEndpointUrl("http://[fd00:ec2::254]");
  return ValidationError("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6");
}

Result<Credentials> FetchImdsCredentials(const EnvLookup& env, const ChainOptions& options,
                                         bool& reachable) {
  reachable = false;
  BP_ASSIGN_OR_RETURN(http::Endpoint endpoint, ImdsEndpointFromEnv(env));
  const std::string where = "instance metadata (IMDSv2) at " + endpoint.ToString();
  // One attempt for the token: where nothing answers (a laptop) the chain
  // should give up after one connect timeout, not several.
  http::Client probe(endpoint, HttpOptions(options, 1));
  http::Request put{.method = "PUT", .target = kImdsTokenPath};
  put.headers = {
      {"x-aws-ec2-metadata-token-ttl-seconds", std::to_string(options.imds_token_ttl_seconds)}};
  auto answer = probe.Send(put, http::Idempotency::kIdempotent);
  if (!answer.ok()) return std::move(answer).status().Annotate(where);
  reachable = true;
  if (answer->status != 200) {
    return Unavailable(where + ": the session token request (PUT " + kImdsTokenPath +
                       ") was answered HTTP " + std::to_string(answer->status) +
                       "; IMDSv1 is never used");
  }
  const std::string token = std::move(answer->body);
  if (token.empty() || token.size() > kMaxTokenBytes || HasControlBytes(token)) {
    return ValidationError(where + ": the session token is empty, too long or not text");
  }
  http::Client client(endpoint, HttpOptions(options, 2));
  const http::Headers auth = {{"x-aws-ec2-metadata-token", token}};
  unsigned status = 0;
  auto roles = Call(client, kImdsRolesPath, auth, where + ": GET " + kImdsRolesPath, status);
  if (status == 404) {
    return Unavailable(where + ": no IAM role (instance profile) is attached to this instance");
  }
  BP_RETURN_IF_ERROR(roles.status());
  std::string_view list = *roles;
  std::string role(list.substr(0, list.find_first_of("\r\n")));
  if (!ValidRoleName(role)) {
    return ValidationError(where + ": the role list does not start with an IAM role name");
  }
  BP_ASSIGN_OR_RETURN(std::string body, Call(client, kImdsRolesPath + role, auth,
                                             where + ": GET " + kImdsRolesPath + role, status));
  auto creds = ParseRemoteCredentials(
      body, "instance metadata (IMDSv2, " + endpoint.ToString() + ", role " + role + ")");
  if (!creds.ok()) return std::move(creds).status().Annotate(where + ", role " + role);
  return creds;
}

}  // namespace bp::auth::credentials
