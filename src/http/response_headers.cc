#include "http/response_headers.h"

#include <array>
#include <charconv>

namespace bp::http {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != lower[i]) return false;
  }
  return true;
}

// RFC 9110 tchar.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsValidValue(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool IsServerOwned(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "date") ||
         EqualsIgnoreCase(name, "x-amzn-requestid");
}

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

bool IsConnectionSpecificHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "keep-alive") ||
         EqualsIgnoreCase(name, "proxy-connection") ||
         EqualsIgnoreCase(name, "transfer-encoding") || EqualsIgnoreCase(name, "upgrade");
}

bool ShouldForwardHeader(const Header& header) {
  return IsValidName(header.name) && IsValidValue(header.value) &&
         !IsConnectionSpecificHeader(header.name) && !IsServerOwned(header.name);
}

bool StatusForbidsBody(unsigned status) { return status < 200 || status == 204 || status == 304; }

std::string_view ReasonPhrase(unsigned status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 424:
      return "Failed Dependency";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

std::string FormatHttp1Head(const Http1Head& head) {
  std::string out;
  out.reserve(192);
  char num[24];
  const unsigned status = (head.status >= 100 && head.status <= 999) ? head.status : 500;
  auto [end, ec] = std::to_chars(num, num + sizeof(num), status);
  out.append("HTTP/1.1 ").append(num, end).append(" ").append(ReasonPhrase(status)).append("\r\n");
  if (head.headers != nullptr) {
    for (const Header& h : *head.headers) {
      if (ShouldForwardHeader(h)) AppendField(out, h.name, h.value);
    }
  }
  AppendField(out, "date", head.date);
  AppendField(out, "x-amzn-RequestId", head.request_id);
  switch (head.framing) {
    case BodyFraming::kContentLength: {
      if (StatusForbidsBody(status)) break;
      auto [len_end, len_ec] = std::to_chars(num, num + sizeof(num), head.content_length);
      AppendField(out, "content-length", std::string_view(num, len_end - num));
      break;
    }
    case BodyFraming::kChunked:
      AppendField(out, "transfer-encoding", "chunked");
      break;
    case BodyFraming::kUntilClose:
      break;
  }
  if (head.close) {
    AppendField(out, "connection", "close");
  } else if (head.http10_keep_alive) {
    AppendField(out, "connection", "keep-alive");
  }
  out.append("\r\n");
  return out;
}

std::string ChunkSizeLine(size_t size) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf) - 2, size, 16);
  *end++ = '\r';
  *end++ = '\n';
  return std::string(buf, end);
}

}  // namespace bp::http
