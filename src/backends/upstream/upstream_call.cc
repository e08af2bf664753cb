#include "backends/upstream/upstream_call.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace bp::backends::upstream {

std::unique_ptr<TimerHandle> PostError(EventLoop& loop, OutputSink& sink, Status status) {
  return loop.After(std::chrono::milliseconds(0),
                    [&sink, status = std::move(status)] { sink.OnError(status); });
}

bool HasContentType(const http::Headers& headers, std::string_view type) {
  const std::string* value = http::FindHeader(headers, "content-type");
  if (value == nullptr) return false;
  std::string_view v = *value;
  v = v.substr(0, std::min(v.find(';'), v.size()));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  return v.size() == type.size() &&
         std::equal(v.begin(), v.end(), type.begin(), [](char a, char b) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(a) == lower(b);
         });
}

void AppendCapped(std::string& out, std::string_view piece, size_t cap) {
  if (out.size() >= cap) return;
  out.append(piece.substr(0, cap - out.size()));
}

Status TransportError(std::string_view who, std::string_view region, const Status& status) {
  std::string message;
  message.append(who).append(" ").append(region).append(" failed: ").append(status.message());
  return Status(status.code(), std::move(message));
}

}  // namespace bp::backends::upstream
