#include "api/runtime/stream_errors.h"

#include "api/runtime/wire_util.h"
#include "eventstream/eventstream.h"

namespace bp::api::runtime {

namespace {

constexpr std::string_view kInternal = "internalServerException";
constexpr std::string_view kGenericMessage = "The server encountered an internal error.";

// Codes whose own message is meant for the client.
bool KeepsMessage(ErrorCode code) {
  switch (code) {
    case ErrorCode::kThrottling:
    case ErrorCode::kModelNotReady:
    case ErrorCode::kValidation:
    case ErrorCode::kServiceUnavailable:
    case ErrorCode::kModelTimeout:
    case ErrorCode::kModelStreamError:
    case ErrorCode::kModelError:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string_view StreamExceptionType(StreamApi api, ErrorCode code) {
  switch (code) {
    case ErrorCode::kThrottling:
    case ErrorCode::kModelNotReady:
      return "throttlingException";
    case ErrorCode::kValidation:
      return "validationException";
    case ErrorCode::kServiceUnavailable:
      return "serviceUnavailableException";
    case ErrorCode::kModelTimeout:
      return api == StreamApi::kInvoke ? "modelTimeoutException" : kInternal;
    case ErrorCode::kModelStreamError:
    case ErrorCode::kModelError:
      return "modelStreamErrorException";
    default:
      return kInternal;
  }
}

void AppendStreamException(std::string& out, StreamApi api, const Status& status,
                           const UpstreamFailure& upstream) {
  ErrorCode code = status.ok() ? ErrorCode::kInternal : status.code();
  std::string_view type = StreamExceptionType(api, code);
  bool keep = !status.ok() && KeepsMessage(code);
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
