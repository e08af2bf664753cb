#include "golden/sigv4/raw_request.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace bp::golden {

namespace {

std::vector<std::string_view> Lines(std::string_view text, std::string_view& body) {
  std::vector<std::string_view> lines;
  body = {};
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (line.empty() && !lines.empty()) {
      body = text.substr(1);
      return lines;
    }
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

}  // namespace

RawRequest ParseRawRequest(std::string_view text) {
  std::string_view body;
  std::vector<std::string_view> lines = Lines(text, body);
  RawRequest out;
  if (lines.empty()) {
    ADD_FAILURE() << "empty request file";
    return out;
  }
  std::string_view first = lines[0];
  size_t sp1 = first.find(' ');
  size_t sp2 = first.rfind(' ');
  EXPECT_TRUE(sp1 != std::string_view::npos && sp2 > sp1) << "bad request line: " << first;
  if (sp1 == std::string_view::npos || sp2 <= sp1) return out;
  out.method = first.substr(0, sp1);
  out.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  for (size_t i = 1; i < lines.size(); ++i) out.header_lines.emplace_back(lines[i]);
  out.body = body;
  return out;
}

std::string_view RawRequest::path() const {
  return std::string_view(target).substr(0, target.find('?'));
}

std::string_view RawRequest::query() const {
  size_t q = target.find('?');
  return q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1);
}

http::Headers RawRequest::headers() const {
  http::Headers out;
  for (const std::string& line : header_lines) {
    if ((line.starts_with(' ') || line.starts_with('\t')) && !out.empty()) {
      out.back().value += " " + line;
      continue;
    }
    size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << "bad header line: " << line;
    if (colon == std::string::npos) continue;
    out.push_back({Lower(line.substr(0, colon)), line.substr(colon + 1)});
  }
  return out;
}

http::Request RawRequest::ToHttpRequest() const {
  http::Request request;
  request.method = method;
  request.target = target;
  request.headers = headers();
  request.body = body;
  return request;
}

std::string RawRequest::Render() const {
  std::string out = method + " " + target + " HTTP/1.1\n";
  for (const std::string& line : header_lines) out += line + "\n";
  return out + "\n" + body;
}

}  // namespace bp::golden
