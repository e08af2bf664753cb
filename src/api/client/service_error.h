#pragma once
// Bedrock's error answers as a client sees them (bedrock-api.md §1.5): the
// error type and message read the way the AWS SDKs read them, turned into a
// Status that callers print as "ValidationException: <message>", and the
// retry classification of AWS error types. Public header of bp_api_client.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

#include "core/status.h"
#include "http/client.h"
#include "http/message.h"

namespace bp::api::client {

struct ServiceError {
  unsigned http_status = 0;
  // The bare type: "ValidationException". From the x-amzn-errortype header,
  // else body "code", else body "__type"; cut at the first ':' or ',' and
  // after the last '#'. Empty when the answer names none.
  std::string type;
  std::string message;     // body "message", else "Message"; may be empty
  std::string request_id;  // x-amzn-requestid; may be empty
};

// Reads an error answer. Never fails: a body that is not JSON leaves type (if
// no header names it) and message empty.
ServiceError ParseServiceError(const http::Response& response);

// The ErrorCode a service error type stands for (the inverse of the server's
// api/errors.cc table for the types Bedrock and AWS auth send). Unknown
// types: by HTTP status (403 kAccessDenied, 404 kResourceNotFound, 429
// kThrottling, 5xx kServiceUnavailable, anything else kValidation).
ErrorCode ErrorCodeForServiceError(std::string_view type, unsigned http_status);

// The Status for an error answer: the code above and the message
// "<Type>: <message>" ("ValidationException: 1 validation error ..."). An
// answer without a type or message becomes "HTTP <status>: <first 300 bytes
// of the body, or '(no body)'>".
Status ServiceErrorStatus(const http::Response& response);

// True when `message` has the "<Name>Exception: ..." form of
// ServiceErrorStatus (for callers that print other errors as "error: ...").
bool IsServiceErrorMessage(std::string_view message);

// Retry classification for http::RetryOptions::classify: ThrottlingException,
// ModelNotReadyException and the generic AWS throttling types are
// kThrottled whatever the status; InternalServerException and
// ServiceUnavailableException kTransient; anything else as
// http::DefaultTransience (429 throttled, 5xx transient, other 4xx never).
http::Transience ClassifyServiceError(const http::Response& response);

}  // namespace bp::api::client
