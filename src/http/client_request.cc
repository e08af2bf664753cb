#include "http/client_request.h"

#include <cctype>

namespace bp::http {
namespace {

bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool EqualsLower(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != lower[i]) return false;
  }
  return true;
}

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

bool IsSafeRequestText(std::string_view s, bool allow_space) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == '\t' || u == ' ') {
      if (!allow_space) return false;
      continue;
    }
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

Status CheckClientRequest(const Request& request) {
  if (!IsToken(request.method)) {
    return ValidationError("invalid HTTP method '" + request.method + "'");
  }
  if (request.target.empty() || request.target.front() != '/' ||
      !IsSafeRequestText(request.target, /*allow_space=*/false)) {
    return ValidationError("invalid request target '" + request.target +
                           "': it must start with '/' and hold no spaces or control bytes");
  }
  static constexpr std::string_view kHopByHop[] = {"connection", "keep-alive", "transfer-encoding",
                                                   "te",         "upgrade",    "proxy-connection"};
  for (const Header& h : request.headers) {
    if (!IsToken(h.name)) return ValidationError("invalid header name '" + h.name + "'");
    if (!IsSafeRequestText(h.value, /*allow_space=*/true)) {
      return ValidationError("the value of header '" + h.name + "' holds control bytes");
    }
    for (std::string_view hop : kHopByHop) {
      if (EqualsLower(h.name, hop)) {
        return ValidationError("header '" + h.name +
                               "' is hop-by-hop: the client sets the framing itself");
      }
    }
    if (EqualsLower(h.name, "content-length") && h.value != std::to_string(request.body.size())) {
      return ValidationError("content-length " + h.value + " is not the body's " +
                             std::to_string(request.body.size()) + " bytes");
    }
  }
  return Status::Ok();
}

void AppendRequestHead(std::string_view base_path, std::string_view authority,
                       std::string_view user_agent, const Request& request, bool keep_alive,
                       std::string& out) {
  size_t size = request.method.size() + base_path.size() + request.target.size() +
                authority.size() + user_agent.size() + 96;  // fixed text and the added fields
  for (const Header& h : request.headers) size += h.name.size() + h.value.size() + 4;
  out.reserve(out.size() + size);  // one allocation per head
  out.append(request.method).append(" ").append(base_path).append(request.target);
  out.append(" HTTP/1.1\r\n");
  bool has_length = false;
  bool has_host = false;
  bool has_agent = false;
  for (const Header& h : request.headers) {
    AppendField(out, h.name, h.value);
    has_length = has_length || EqualsLower(h.name, "content-length");
    has_host = has_host || EqualsLower(h.name, "host");
    has_agent = has_agent || EqualsLower(h.name, "user-agent");
  }
  if (!has_host) AppendField(out, "host", authority);
  if (!has_agent && !user_agent.empty()) AppendField(out, "user-agent", user_agent);
  bool body_method =
      request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (!has_length && (!request.body.empty() || body_method)) {
    AppendField(out, "content-length", std::to_string(request.body.size()));
  }
  if (!keep_alive) out.append("connection: close\r\n");
  out.append("\r\n");
}

}  // namespace bp::http
