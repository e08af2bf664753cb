// libFuzzer target: untrusted request bodies through the fake's chat reader.
// Checks that it never throws or crashes, that an accepted request is
// accepted again once written back by BuildChatRequest (when that accepts
// it), and that a refusal always names something.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "backends/openai/chat_request.h"
#include "fakes/chat_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  bp::Result<bp::fakes::ChatRequest> read = bp::fakes::ReadChatRequest(body, "m");
  if (!read.ok()) {
    if (read.status().message().empty()) std::abort();
    return 0;
  }
  bp::Result<std::string> again = bp::backends::openai::BuildChatRequest(
      read->model, {.model = "m", .stream = read->stream, .include_usage = read->include_usage});
  if (!again.ok()) return 0;
  if (!bp::fakes::ReadChatRequest(*again, "m").ok()) std::abort();
  return 0;
}
