#include "api/metrics_route.h"

#include <algorithm>
#include <arpa/inet.h>

#include "api/errors.h"

namespace bp::api {

namespace {

// Compares in time that depends only on the lengths.
bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

std::vector<std::string> MetricsErrorCodes() {
  std::vector<std::string> codes;
  // kIo is the last ErrorCode (core/status.h); WireFor has a row for each.
  for (int c = 0; c <= static_cast<int>(ErrorCode::kIo); ++c) {
    std::string type(WireFor(static_cast<ErrorCode>(c)).type);
    if (std::find(codes.begin(), codes.end(), type) == codes.end()) codes.push_back(type);
  }
  return codes;
}

bool IsLoopbackPeer(std::string_view address) {
  std::string text(address);
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  in_addr v4{};
  return inet_pton(AF_INET, text.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

Status AuthorizeMetricsRequest(const http::Request& request, const auth::RequestFacts& facts,
                               const MetricsAccess& access) {
  if (access.loopback_listener && IsLoopbackPeer(request.remote_address)) return Status::Ok();
  const std::string* header = http::FindHeader(request.headers, "authorization");
  std::string_view authorization = header != nullptr ? *header : std::string_view();
  constexpr std::string_view kBearer = "Bearer ";
  if (!access.bearer_token.empty() && authorization.starts_with(kBearer) &&
      SameSecret(authorization.substr(kBearer.size()), access.bearer_token)) {
    return Status::Ok();
  }
  BP_ASSIGN_OR_RETURN(auth::Principal principal, access.authenticator.Authenticate(request));
  return access.authorizer.Authorize(principal, facts,
                                     {.action = kGetMetricsAction, .resource = "*", .context = {}});
}

Status RegisterMetricsRoute(ApiHandler& handler, std::function<std::string()> render,
                            MetricsAccess access) {
  return handler.Register(
      "GET", "/metrics", "GetMetrics",
      [render = std::move(render),
       access = std::move(access)](const ApiCall& call) -> Result<http::Response> {
        BP_RETURN_IF_ERROR(AuthorizeMetricsRequest(call.request, call.facts, access));
        http::Response response;
        response.status = 200;
        response.headers.push_back({"content-type", std::string(kPrometheusTextType)});
        response.headers.push_back({"cache-control", "no-store"});
        response.body = render();
        return response;
      },
      RouteOptions{.max_body_bytes = 0, .authenticate = false});
}

}  // namespace bp::api
