#pragma once
// Failures after a stream's 200 (bedrock-api.md §4.3): a modelled exception
// frame (:message-type exception, :exception-type <lowerCamel union member>,
// payload {"message": ...}) that the SDKs raise as the matching error class.
// The caller ends the body cleanly after it. Public header of bp_api_runtime.
//
// Thread-safety: pure functions; safe from any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace bp::api::runtime {

// Which streaming operation: their exception unions differ.
//   ConverseStream: internalServerException, modelStreamErrorException,
//     validationException, throttlingException, serviceUnavailableException.
//   InvokeModelWithResponseStream: the same plus modelTimeoutException.
enum class StreamApi : uint8_t { kConverse, kInvoke };

// What an upstream model said when its stream failed (kModelStreamError /
// kModelError only): copied into modelStreamErrorException's optional
// members originalStatusCode (when non-zero) and originalMessage (when
// non-empty). Views must stay valid during the call.
struct UpstreamFailure {
  int32_t original_status_code = 0;
  std::string_view original_message;
};

// The exception member for `code` in `api`'s union:
//   kThrottling, kModelNotReady     -> throttlingException
//   kValidation                     -> validationException
//   kServiceUnavailable             -> serviceUnavailableException
//   kModelTimeout                   -> modelTimeoutException (kInvoke),
//                                      internalServerException (kConverse)
//   kModelStreamError, kModelError  -> modelStreamErrorException
//   anything else                   -> internalServerException
std::string_view StreamExceptionType(StreamApi api, ErrorCode code);

// Appends the exception frame for `status` to `out`. The message is
// status.message() for the mapped codes above (and kModelTimeout); every
// other code, and an OK status (a caller bug), gets a generic text so no
// internal detail leaks: log the real status before calling. Invalid UTF-8 in
// the message becomes U+FFFD.
void AppendStreamException(std::string& out, StreamApi api, const Status& status,
                           const UpstreamFailure& upstream = {});

}  // namespace bp::api::runtime
