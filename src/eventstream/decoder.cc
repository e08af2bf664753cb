// The incremental decoder. Per Next() call with an incomplete frame the work
// is constant (the 12-byte prelude is re-read, never the partial body), and
// consumed bytes are dropped lazily, so byte-at-a-time feeding stays linear.

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"
#include "eventstream/eventstream.h"
#include "eventstream/wire.h"

namespace bp::eventstream {
namespace {

struct Prelude {
  uint32_t total_length = 0;
  uint32_t headers_length = 0;
};

struct Decoded {
  Frame frame;
  size_t size = 0;
};

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08" PRIx32, v);
  return buf;
}

// Checks the prelude at the front of `bytes` (REQUIRES: >= 12 bytes): its CRC
// first, and only then the lengths it states.
Result<Prelude> ReadPrelude(std::string_view bytes, size_t max_frame_bytes) {
  const uint32_t computed = Crc32(bytes.substr(0, 8));
  const uint32_t stated = wire::LoadBe32(bytes.data() + 8);
  if (computed != stated) {
    return ValidationError("prelude CRC mismatch (computed " + Hex32(computed) +
                           ", frame carries " + Hex32(stated) + ")");
  }
  const Prelude p{wire::LoadBe32(bytes.data()), wire::LoadBe32(bytes.data() + 4)};
  const std::string total = std::to_string(p.total_length);
  if (p.total_length < wire::kMinFrameBytes) {
    return ValidationError("total_length " + total + " is below the 16-byte minimum");
  }
  if (p.total_length > max_frame_bytes) {
    return ValidationError("total_length " + total + " exceeds the limit of " +
                           std::to_string(max_frame_bytes) + " bytes");
  }
  if (p.headers_length > p.total_length - wire::kMinFrameBytes) {
    return ValidationError("headers_length " + std::to_string(p.headers_length) +
                           " does not fit in a frame of total_length " + total);
  }
  return p;
}

// Reads the header block of one frame, front to back.
class HeaderReader final {
 public:
  explicit HeaderReader(std::string_view block) : block_(block) {}

  bool done() const { return pos_ == block_.size(); }

  Result<Header> Read(size_t index) {
    index_ = index;
    start_ = pos_;
    Header h;
    BP_ASSIGN_OR_RETURN(const size_t name_length, Unsigned(1, "the name length"));
    if (name_length == 0) return Error("the header name is empty");
    BP_ASSIGN_OR_RETURN(const std::string_view name, Take(name_length, "the name"));
    h.name = name;
    BP_ASSIGN_OR_RETURN(const size_t type, Unsigned(1, "the value type"));
    if (type > wire::kMaxHeaderType) return Error("unknown value type " + std::to_string(type));
    h.type = static_cast<HeaderType>(type);
    BP_RETURN_IF_ERROR(ReadValue(h));
    return h;
  }

 private:
  Status ReadValue(Header& h) {
    switch (h.type) {
      case HeaderType::kBoolTrue:
      case HeaderType::kBoolFalse:
        return Status::Ok();
      case HeaderType::kByte:
        return Signed(1, h.integer);
      case HeaderType::kShort:
        return Signed(2, h.integer);
      case HeaderType::kInt32:
        return Signed(4, h.integer);
      case HeaderType::kInt64:
      case HeaderType::kTimestamp:
        return Signed(8, h.integer);
      case HeaderType::kBytes:
      case HeaderType::kString: {
        BP_ASSIGN_OR_RETURN(const size_t length, Unsigned(2, "the value length"));
        if (length > wire::kMaxValueBytes) {
          return Error("value length " + std::to_string(length) + " exceeds 32767");
        }
        BP_ASSIGN_OR_RETURN(const std::string_view value, Take(length, "the value"));
        h.bytes = value;
        return Status::Ok();
      }
      case HeaderType::kUuid: {
        BP_ASSIGN_OR_RETURN(const std::string_view uuid, Take(wire::kUuidBytes, "the uuid"));
        h.bytes = uuid;
        return Status::Ok();
      }
    }
    return Error("unknown value type");  // unreachable: Read() checked the range
  }

  // The next `n` bytes of the block (a view into it).
  Result<std::string_view> Take(size_t n, std::string_view what) {
    if (block_.size() - pos_ < n) {
      return Error(std::string(what) + " (" + std::to_string(n) + " bytes) overruns the " +
                   std::to_string(block_.size()) + "-byte header block");
    }
    const std::string_view bytes = block_.substr(pos_, n);
    pos_ += n;
    return bytes;
  }

  Result<size_t> Unsigned(size_t n, std::string_view what) {
    BP_ASSIGN_OR_RETURN(const std::string_view bytes, Take(n, what));
    return static_cast<size_t>(wire::LoadBe(bytes.data(), n));
  }

  // Sign-extends an n-byte two's-complement value.
  Status Signed(size_t n, int64_t& out) {
    BP_ASSIGN_OR_RETURN(const std::string_view bytes, Take(n, "the value"));
    const uint64_t raw = wire::LoadBe(bytes.data(), n);
    const unsigned shift = static_cast<unsigned>(64 - 8 * n);
    out = static_cast<int64_t>(raw << shift) >> shift;
    return Status::Ok();
  }

  Status Error(std::string message) const {
    return ValidationError("header " + std::to_string(index_) + " at byte " +
                           std::to_string(start_) + " of the header block: " + message);
  }

  std::string_view block_;
  size_t pos_ = 0;
  size_t index_ = 0;
  size_t start_ = 0;
};

// REQUIRES: `bytes` is exactly one frame whose prelude passed ReadPrelude.
Result<Frame> ReadBody(std::string_view bytes, const Prelude& p) {
  const size_t crc_at = p.total_length - 4;
  const uint32_t computed = Crc32(bytes.substr(0, crc_at));
  const uint32_t stated = wire::LoadBe32(bytes.data() + crc_at);
  if (computed != stated) {
    return ValidationError("message CRC mismatch (computed " + Hex32(computed) +
                           ", frame carries " + Hex32(stated) + ")");
  }
  Frame frame;
  HeaderReader reader(bytes.substr(wire::kPreludeBytes, p.headers_length));
  while (!reader.done()) {
    BP_ASSIGN_OR_RETURN(Header h, reader.Read(frame.headers.size()));
    frame.headers.push_back(std::move(h));
  }
  const size_t payload_at = wire::kPreludeBytes + p.headers_length;
  frame.payload.assign(bytes.substr(payload_at, crc_at - payload_at));
  return frame;
}

// The frame at the front of `pending` and its size; std::nullopt when
// `pending` holds only part of it.
Result<std::optional<Decoded>> DecodeFront(std::string_view pending, size_t max_frame_bytes) {
  if (pending.size() < wire::kPreludeBytes) return std::optional<Decoded>();
  BP_ASSIGN_OR_RETURN(const Prelude p, ReadPrelude(pending, max_frame_bytes));
  if (pending.size() < p.total_length) return std::optional<Decoded>();
  BP_ASSIGN_OR_RETURN(Frame frame, ReadBody(pending.substr(0, p.total_length), p));
  return std::optional<Decoded>(Decoded{std::move(frame), p.total_length});
}

Status AtOffset(Status s, uint64_t offset) {
  return std::move(s).Annotate("event-stream frame at stream offset " + std::to_string(offset));
}

// Finish()'s error for a stream that ended inside the frame at the front of
// `pending`, with the byte counts.
Status Truncated(std::string_view pending, uint64_t offset) {
  std::string what = pending.size() < wire::kPreludeBytes
                         ? "a 12-byte prelude"
                         : "a " + std::to_string(wire::LoadBe32(pending.data())) + "-byte frame";
  return ValidationError("Truncated event message received: the stream ended " +
                         std::to_string(pending.size()) + " bytes into " + what +
                         " at stream offset " + std::to_string(offset));
}

}  // namespace

Decoder::Decoder(Options options) : options_(options) {}

void Decoder::Feed(std::string_view bytes) {
  if (!error_.ok() || bytes.empty()) return;
  Compact();
  buffer_.append(bytes);
}

void Decoder::Compact() {
  if (consumed_ == 0) return;
  // Erase only when that moves no more bytes than were consumed since the
  // last erase: the copying then amortises to O(1) per byte.
  if (consumed_ < buffer_.size() && 2 * consumed_ < buffer_.size()) return;
  buffer_.erase(0, consumed_);
  dropped_ += consumed_;
  consumed_ = 0;
}

Result<std::optional<Frame>> Decoder::Next() {
  if (!error_.ok()) return error_;
  const std::string_view pending = std::string_view(buffer_).substr(consumed_);
  Result<std::optional<Decoded>> decoded = DecodeFront(pending, options_.max_frame_bytes);
  if (!decoded.ok()) {
    error_ = AtOffset(decoded.status(), dropped_ + consumed_);
    buffer_ = std::string();  // nothing more will be decoded; free the memory
    consumed_ = 0;
    return error_;
  }
  if (!decoded->has_value()) return std::optional<Frame>();
  consumed_ += (*decoded)->size;
  return std::optional<Frame>(std::move((*decoded)->frame));
}

Status Decoder::Finish() const {
  if (!error_.ok()) return error_;
  std::string_view pending = std::string_view(buffer_).substr(consumed_);
  uint64_t offset = dropped_ + consumed_;
  // Frames fed but not yet taken with Next() still have to be valid.
  while (!pending.empty()) {
    Result<std::optional<Decoded>> decoded = DecodeFront(pending, options_.max_frame_bytes);
    if (!decoded.ok()) return AtOffset(decoded.status(), offset);
    if (!decoded->has_value()) return Truncated(pending, offset);
    pending.remove_prefix((*decoded)->size);
    offset += (*decoded)->size;
  }
  return Status::Ok();
}

}  // namespace bp::eventstream
