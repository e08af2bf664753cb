#pragma once
// The wire form of every failure: ErrorCode -> (HTTP status, Bedrock error
// type, whether the message reaches the client, the in-stream exception of
// each streaming API), and the error response built from it (bedrock-api.md
// §1.5 and §4.3, auth.md §5). This is THE single mapping table of STYLE.md
// D.15; core/status.h points here, and api/runtime/stream_errors.h frames its
// stream columns. Public header of bp_api.
//
// Every error response has `content-type: application/json`, an
// `x-amzn-ErrorType: <Type>` header (the bare type, which every SDK accepts)
// and a body `{"message": "..."}`, plus extra members when the caller gives
// them (`resourceName` for TooManyTagsException, `originalStatusCode` for
// ModelErrorException, ...).
//
// Server faults (kInternal, kIo) never show their message to the client: it
// may hold file paths or SQL. The client gets a generic text with the request
// id, and the detail goes to the log (spdlog, error level).
//
// After a stream's 200 a failure is an exception frame whose type must be a
// member of that operation's exception union; a code outside the union is
// sent as internalServerException, and then (being unexpected there) with the
// generic text, like a hidden server fault.
//
// Thread-safety: pure functions; safe from any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/message.h"
#include "json/json.h"

namespace bp::api {

// The streaming operations: their exception unions differ.
//   ConverseStream: internalServerException, modelStreamErrorException,
//     validationException, throttlingException, serviceUnavailableException.
//   InvokeModelWithResponseStream: the same plus modelTimeoutException.
enum class StreamApi : uint8_t { kConverse, kInvoke };

// Whether the Status message goes to the client, or a generic text does.
enum class Message : uint8_t { kShown, kHidden };

// How a code travels inside an event stream.
struct StreamWire {
  std::string_view converse;  // ConverseStream's union member ("throttlingException")
  std::string_view invoke;    // InvokeModelWithResponseStream's
  Message message;            // in the frame's payload
};

// One row of the table; every string has static storage.
struct ErrorWire {
  unsigned http_status;
  std::string_view type;  // x-amzn-ErrorType, "ValidationException"
  Message message;        // in the error body (kHidden: the text names the request id)
  StreamWire stream;

  // The exception member `api`'s union uses for this code.
  std::string_view StreamException(StreamApi api) const {
    return api == StreamApi::kInvoke ? stream.invoke : stream.converse;
  }
};

// The table: one row per ErrorCode, written as a switch without `default`
// so that a new code without a row does not compile (-Werror=switch).
ErrorWire WireFor(ErrorCode code);

// The error response for a failed `status` (REQUIRES: !status.ok()).
// `request_id` is only used in the log line and the generic message of hidden
// server faults. `extra` members are added to the body after "message"
// (a "message" member in `extra` is ignored).
http::Response ErrorResponse(const Status& status, std::string_view request_id = {},
                             const json::Object& extra = {});

// TooManyTagsException with `resourceName` (omitted when empty).
http::Response TooManyTagsResponse(const Status& status, std::string_view resource_name,
                                   std::string_view request_id = {});

// The answer to a known path called with the wrong method: status 405 with
// type UnknownOperationException (the closest Bedrock shape: there is no
// MethodNotAllowed error type in the service model) and an `allow` header
// listing `allowed` methods. Kept here so every wire form of an error lives in
// this one file.
http::Response MethodNotAllowedResponse(std::string_view method, std::string_view path,
                                        const std::vector<std::string>& allowed);

// `text` with every byte that does not start a valid UTF-8 sequence replaced
// by U+FFFD, so it can go into a JSON string. Error messages pass through it.
std::string ToValidUtf8(std::string_view text);

// A JSON response with the given status: content-type application/json and
// the serialised body. Shared by error and success paths.
http::Response JsonResponse(unsigned http_status, const json::Value& body);

}  // namespace bp::api
