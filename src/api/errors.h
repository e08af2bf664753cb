#pragma once
// The wire form of every failure: ErrorCode -> (HTTP status, Bedrock error
// type), and the error response built from it (bedrock-api.md §1.5, auth.md
// §5). This is THE single mapping table of STYLE.md D.15; core/status.h points
// here. Public header of bp_api.
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
// Thread-safety: pure functions; safe from any thread.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/message.h"
#include "json/json.h"

namespace bp::api {

struct ErrorWire {
  unsigned http_status;
  std::string_view type;  // "ValidationException"; static storage
};

// The table. Defined for every ErrorCode.
ErrorWire WireFor(ErrorCode code);

// True for codes whose message must not reach the client (kInternal, kIo).
bool IsHiddenServerFault(ErrorCode code);

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
