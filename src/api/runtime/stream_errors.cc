#include "api/runtime/stream_errors.h"

#include "api/runtime/wire_util.h"
#include "eventstream/eventstream.h"

namespace bp::api::runtime {

namespace {

constexpr std::string_view kGenericMessage = "The server encountered an internal error.";

}  // namespace

void AppendStreamException(std::string& out, StreamApi api, const Status& status,
                           const UpstreamFailure& upstream) {
  ErrorCode code = status.ok() ? ErrorCode::kInternal : status.code();
  const ErrorWire wire = WireFor(code);
  std::string_view type = wire.StreamException(api);
  bool keep = !status.ok() && wire.stream.message == Message::kShown;
  std::string& payload = ScratchA();
  payload += "{\"message\":";
  AppendJsonString(payload, keep ? std::string_view(status.message()) : kGenericMessage);
  if (type == "modelStreamErrorException") {
    if (upstream.original_status_code != 0) {
      payload += ",\"originalStatusCode\":";
      AppendJsonInt(payload, upstream.original_status_code);
    }
    if (!upstream.original_message.empty()) {
      payload += ",\"originalMessage\":";
      AppendJsonString(payload, upstream.original_message);
    }
  }
  payload += '}';
  eventstream::AppendException(out, type, payload);
}

}  // namespace bp::api::runtime
