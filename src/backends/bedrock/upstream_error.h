#pragma once
// What a failure of Amazon Bedrock means to the runtime: a non-2xx answer,
// or an exception frame inside a ConverseStream body, as a Status whose code
// decides failover (backend.h: kThrottling, kServiceUnavailable,
// kModelNotReady, kModelTimeout, kInternal are retried in another region
// before the first output). Public header of bp_backends_bedrock. Pure
// functions; thread-safe.
//
// The error name is the x-amzn-ErrorType header (its ":http://internal..."
// tail, and a "namespace#" head, cut off), else the body's "__type" / "code";
// the message is the body's "message", else "Message". Names first, then the
// HTTP status when the name is unknown or missing:
//   ThrottlingException, 429            -> kThrottling
//   ServiceUnavailableException, 503    -> kServiceUnavailable
//   InternalServerException, 500        -> kInternal
//   ModelTimeoutException, 408          -> kModelTimeout
//   ModelNotReadyException              -> kModelNotReady
//   ModelErrorException, 424            -> kModelError
//   ModelStreamErrorException           -> kModelStreamError
//   ValidationException, 400            -> kValidation
//   ServiceQuotaExceededException       -> kServiceQuotaExceeded
//   AccessDeniedException, UnrecognizedClientException,
//   ExpiredTokenException, InvalidSignatureException,
//   IncompleteSignatureException, MissingAuthenticationTokenException,
//   ResourceNotFoundException, 401, 403, 404
//                                        -> kServiceUnavailable: the endpoint's own
//     credentials or configuration, not the caller's request; the message says
//     the region's upstream refused the endpoint's credentials or does not
//     serve the model, and the runtime fails over
//   any other 5xx                        -> kServiceUnavailable
//   any other 4xx (and anything else)    -> kModelError
// Messages: kValidation keeps Bedrock's message as it is (it is about the
// caller's request, worded as a client of Bedrock expects); every other code
// reads "Amazon Bedrock in <region>: <Bedrock's message>" (or "... answered
// <name> (HTTP <n>)" when the body has none). Messages are cut to
// kMaxErrorMessageBytes, control characters become spaces, invalid UTF-8 is
// repaired; only the first kMaxErrorBodyBytes of a body are read. Never
// fails, never throws.

#include <cstddef>
#include <string_view>

#include "core/status.h"

namespace bp::backends::bedrock {

inline constexpr size_t kMaxErrorMessageBytes = 1024;
inline constexpr size_t kMaxErrorBodyBytes = 64 * 1024;

// A non-2xx answer: `error_type` is the x-amzn-ErrorType header value (or
// empty), `body` the answer's body.
Status UpstreamErrorStatus(int http_status, std::string_view error_type, std::string_view body,
                           std::string_view region);

// An exception frame of a ConverseStream body (:exception-type, lowerCamel,
// as in "throttlingException"; payload {"message": ...}), before any output
// was passed on. The stream translator turns codes other than kThrottling
// and kServiceUnavailable into kModelStreamError once output has started.
// Unknown names are kModelStreamError.
Status StreamExceptionStatus(std::string_view exception_type, std::string_view payload,
                             std::string_view region);

// True when the error means the endpoint's own AWS credentials are expired
// or wrong (ExpiredTokenException, UnrecognizedClientException,
// InvalidSignatureException, or a message saying the security token
// expired): the caller then asks its credential provider to refresh.
bool IsCredentialError(int http_status, std::string_view error_type, std::string_view body);

}  // namespace bp::backends::bedrock
