#pragma once
// Failures after a stream's 200 (bedrock-api.md §4.3): a modelled exception
// frame (:message-type exception, :exception-type <lowerCamel union member>,
// payload {"message": ...}) that the SDKs raise as the matching error class.
// The caller ends the body cleanly after it. Which member each ErrorCode
// becomes is a column of the one error table, api/errors.h. Public header of
// bp_api_runtime.
//
// Thread-safety: pure functions; safe from any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "core/status.h"

namespace bp::api::runtime {

// What an upstream model said when its stream failed (kModelStreamError /
// kModelError only): copied into modelStreamErrorException's optional
// members originalStatusCode (when non-zero) and originalMessage (when
// non-empty). Views must stay valid during the call.
struct UpstreamFailure {
  int32_t original_status_code = 0;
  std::string_view original_message;
};

// Appends the exception frame for `status` to `out`: the exception type and
// whether status.message() is shown come from the error table's stream
// columns (api/errors.h, WireFor(code).stream). A hidden message, and an OK
// status (a caller bug), becomes a generic text so no internal detail leaks:
// log the real status before calling. Invalid UTF-8 in the message becomes
// U+FFFD.
void AppendStreamException(std::string& out, StreamApi api, const Status& status,
                           const UpstreamFailure& upstream = {});

}  // namespace bp::api::runtime
