// Fuzz target for the HTTP/1.1 response decoder (what an upstream or the
// CLI's server sends back). The first input byte chooses the piece size
// (1..32 bytes, or all at once), whether the request was HEAD, and whether
// the input ends with the connection; the rest is the bytes as they arrive.
// Checks on every input: no crash, hang or leak; Feed() never uses more than
// it is given and never leaves more than max_header_bytes unconsumed
// without failing; once done or failed it uses nothing more; and a complete
// answer (status, header count, body) does not depend on how the bytes were
// split (a second decoder gets them all at once).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/response_decoder.h"

namespace {

using bp::http::DecodeError;
using bp::http::ResponseDecoder;

constexpr size_t kMaxHeader = 512;

struct Outcome {
  unsigned status = 0;
  size_t fields = 0;
  std::string body;
  bool done = false;
  DecodeError error = DecodeError::kNone;
};

void Check(bool ok) {
  if (!ok) std::abort();
}

Outcome Run(std::string_view input, size_t step, bool head, bool eof) {
  ResponseDecoder decoder(kMaxHeader);
  decoder.Reset(head);
  Outcome out;
  std::string buffer;
  size_t at = 0;
  while (at < input.size()) {
    const size_t n = step == 0 ? input.size() : std::min(step, input.size() - at);
    buffer.append(input.substr(at, n));
    at += n;
    const bool finished = decoder.done() || decoder.failed();
    const size_t used = decoder.Feed(buffer);
    Check(used <= buffer.size());
    if (finished) Check(used == 0);
    for (std::string_view piece : decoder.pieces()) {
      Check(!piece.empty());
      Check(piece.data() >= buffer.data() &&
            piece.data() + piece.size() <= buffer.data() + buffer.size());
      out.body.append(piece);
    }
    buffer.erase(0, used);
    if (!decoder.done() && !decoder.failed()) Check(buffer.size() <= kMaxHeader);
  }
  if (eof) decoder.FeedEof();
  if (decoder.header_done()) {
    out.status = decoder.head().status;
    out.fields = decoder.head().headers.size();
  }
  out.done = decoder.done();
  out.error = decoder.error();
  if (out.done) Check(out.error == DecodeError::kNone && decoder.header_done());
  if (decoder.failed()) Check(!decoder.error_message().empty());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const size_t step = (control & 0x1f) + 1;
  const bool head = (control & 0x20) != 0;
  const bool eof = (control & 0x40) != 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const Outcome split = Run(input, step, head, eof);
  const Outcome whole = Run(input, 0, head, eof);
  // A complete answer is decoded the same however it was split. (An
  // unfinished one may be refused sooner when it arrives in pieces: Beast
  // checks the start line before the header section is complete.)
  if (split.done || whole.done) {
    Check(split.done && whole.done);
    Check(split.status == whole.status);
    Check(split.fields == whole.fields);
    Check(split.body == whole.body);
  }
  return 0;
}
