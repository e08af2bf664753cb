// Frame accessors and the encoder (bedrock-api.md §4.1). AppendFrame checks
// every header before writing anything so that `out` is untouched on error;
// AppendEvent/AppendException are the allocation-free hot path.

#include "eventstream/eventstream.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/status.h"
#include "eventstream/wire.h"

namespace bp::eventstream {
namespace {

constexpr std::string_view kContentTypeHeader = ":content-type";
constexpr std::string_view kMessageTypeHeader = ":message-type";
constexpr std::string_view kJsonContentType = "application/json";

template <class Int>
bool Fits(int64_t v) {
  return v >= std::numeric_limits<Int>::min() && v <= std::numeric_limits<Int>::max();
}

std::string Describe(const Header& h, size_t index) {
  return "header " + std::to_string(index) + " (\"" + h.name + "\")";
}

// Bytes the value takes after the type byte, or why it cannot be encoded.
Result<size_t> ValueBytes(const Header& h, size_t index) {
  auto out_of_range = [&](std::string_view what) {
    return ValidationError(Describe(h, index) + ": value " + std::to_string(h.integer) +
                           " does not fit in " + std::string(what));
  };
  switch (h.type) {
    case HeaderType::kBoolTrue:
    case HeaderType::kBoolFalse:
      return size_t{0};
    case HeaderType::kByte:
      if (!Fits<int8_t>(h.integer)) return out_of_range("a byte");
      return size_t{1};
    case HeaderType::kShort:
      if (!Fits<int16_t>(h.integer)) return out_of_range("a short");
      return size_t{2};
    case HeaderType::kInt32:
      if (!Fits<int32_t>(h.integer)) return out_of_range("an int32");
      return size_t{4};
    case HeaderType::kInt64:
    case HeaderType::kTimestamp:
      return size_t{8};
    case HeaderType::kBytes:
    case HeaderType::kString:
      if (h.bytes.size() > wire::kMaxValueBytes) {
        return ValidationError(Describe(h, index) + ": value is " + std::to_string(h.bytes.size()) +
                               " bytes, the limit is 32767");
      }
      return 2 + h.bytes.size();
    case HeaderType::kUuid:
      if (h.bytes.size() != wire::kUuidBytes) {
        return ValidationError(Describe(h, index) + ": a uuid must be 16 bytes, got " +
                               std::to_string(h.bytes.size()));
      }
      return wire::kUuidBytes;
  }
  return ValidationError(Describe(h, index) + ": unknown header type " +
                         std::to_string(static_cast<int>(h.type)));
}

// Encoded size of the whole header, or why it cannot be encoded.
Result<size_t> HeaderBytes(const Header& h, size_t index) {
  if (h.name.empty() || h.name.size() > wire::kMaxNameBytes) {
    return ValidationError(Describe(h, index) + ": a header name must be 1 to 255 bytes, got " +
                           std::to_string(h.name.size()));
  }
  BP_ASSIGN_OR_RETURN(size_t value_bytes, ValueBytes(h, index));
  return 1 + h.name.size() + 1 + value_bytes;
}

// REQUIRES: HeaderBytes(h) succeeded.
void AppendHeader(std::string& out, const Header& h) {
  out.push_back(static_cast<char>(h.name.size()));
  out.append(h.name);
  out.push_back(static_cast<char>(h.type));
  const auto bits = static_cast<uint64_t>(h.integer);
  switch (h.type) {
    case HeaderType::kBoolTrue:
    case HeaderType::kBoolFalse:
      break;
    case HeaderType::kByte:
      wire::AppendBe(out, bits, 1);
      break;
    case HeaderType::kShort:
      wire::AppendBe(out, bits, 2);
      break;
    case HeaderType::kInt32:
      wire::AppendBe(out, bits, 4);
      break;
    case HeaderType::kInt64:
    case HeaderType::kTimestamp:
      wire::AppendBe(out, bits, 8);
      break;
    case HeaderType::kBytes:
    case HeaderType::kString:
      wire::AppendBe(out, h.bytes.size(), 2);
      out.append(h.bytes);
      break;
    case HeaderType::kUuid:
      out.append(h.bytes);
      break;
  }
}

constexpr size_t StringHeaderBytes(std::string_view name, std::string_view value) {
  return 1 + name.size() + 1 + 2 + value.size();
}

void AppendStringHeader(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(static_cast<char>(name.size()));
  out.append(name);
  out.push_back(static_cast<char>(HeaderType::kString));
  wire::AppendBe(out, value.size(), 2);
  out.append(value);
}

// Reserves room for the frame and writes the prelude; returns the frame's
// start offset in `out`.
size_t BeginFrame(std::string& out, uint64_t total_length, uint64_t headers_length) {
  const size_t start = out.size();
  out.reserve(start + total_length);
  wire::AppendBe(out, total_length, 4);
  wire::AppendBe(out, headers_length, 4);
  wire::AppendBe(out, Crc32(std::string_view(out).substr(start, 8)), 4);
  return start;
}

void EndFrame(std::string& out, size_t start) {
  wire::AppendBe(out, Crc32(std::string_view(out).substr(start)), 4);
}

// The three-string-header message shared by AppendEvent and AppendException.
void AppendJsonMessage(std::string& out, std::string_view type_header, std::string_view type,
                       std::string_view message_type, std::string_view payload) {
  BP_ASSERT(!type.empty() && type.size() <= wire::kMaxValueBytes);
  const size_t headers_length = StringHeaderBytes(type_header, type) +
                                StringHeaderBytes(kContentTypeHeader, kJsonContentType) +
                                StringHeaderBytes(kMessageTypeHeader, message_type);
  const uint64_t total_length = wire::kMinFrameBytes + headers_length + payload.size();
  BP_ASSERT(total_length <= std::numeric_limits<uint32_t>::max());
  const size_t start = BeginFrame(out, total_length, headers_length);
  AppendStringHeader(out, type_header, type);
  AppendStringHeader(out, kContentTypeHeader, kJsonContentType);
  AppendStringHeader(out, kMessageTypeHeader, message_type);
  out.append(payload);
  EndFrame(out, start);
}

}  // namespace

const Header* Frame::Find(std::string_view name) const {
  for (const Header& h : headers) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

std::string_view Frame::StringHeader(std::string_view name) const {
  const Header* h = Find(name);
  if (h == nullptr || h->type != HeaderType::kString) return {};
  return h->bytes;
}

Status AppendFrame(std::string& out, const Frame& frame) {
  uint64_t headers_length = 0;
  for (size_t i = 0; i < frame.headers.size(); ++i) {
    BP_ASSIGN_OR_RETURN(size_t n, HeaderBytes(frame.headers[i], i));
    headers_length += n;
  }
  const uint64_t total_length = wire::kMinFrameBytes + headers_length + frame.payload.size();
  if (total_length > std::numeric_limits<uint32_t>::max()) {
    return ValidationError("event-stream frame of " + std::to_string(total_length) +
                           " bytes exceeds the 4 GiB total_length field");
  }
  const size_t start = BeginFrame(out, total_length, headers_length);
  for (const Header& h : frame.headers) AppendHeader(out, h);
  out.append(frame.payload);
  EndFrame(out, start);
  return Status::Ok();
}

void AppendEvent(std::string& out, std::string_view event_type, std::string_view json_payload) {
  AppendJsonMessage(out, ":event-type", event_type, "event", json_payload);
}

void AppendException(std::string& out, std::string_view exception_type,
                     std::string_view json_payload) {
  AppendJsonMessage(out, ":exception-type", exception_type, "exception", json_payload);
}

}  // namespace bp::eventstream
