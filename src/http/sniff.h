#pragma once
// Protocol choice per connection: HTTP/2 with prior knowledge starts with the
// 24-byte client connection preface (RFC 9113 §3.4); anything else is
// HTTP/1.x. Private to bp_http.

#include <cstdint>
#include <string_view>

namespace bp::http {

inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

enum class Protocol : uint8_t { kUndecided, kHttp1, kHttp2 };

// kHttp2 once the first 24 bytes equal the preface, kHttp1 as soon as a byte
// differs from it, kUndecided while `first_bytes` is a proper prefix of it
// (read more; a preface may arrive split across reads).
Protocol SniffProtocol(std::string_view first_bytes);

}  // namespace bp::http
