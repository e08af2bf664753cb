#pragma once
// What an OpenAI-compatible server's failure means to the runtime: an HTTP
// status with its body, or an error object inside a stream, as a Status
// whose code decides failover (backend.h: kThrottling, kServiceUnavailable,
// kModelTimeout are retried in another region before the first output).
// Public header of bp_backends_openai. Pure functions; thread-safe.
//
// Bodies understood (the message is taken from the first that fits):
//   {"error": {"message", "type", "code"}}   OpenAI, llama-server, newer vLLM
//   {"error": "text"}                          Ollama
//   {"object": "error", "message", "type", "code"}   older vLLM
//   {"detail": "text"}                         FastAPI-based servers
//   anything else: the body itself as text (a proxy's HTML or plain text).
// The message is cut to kMaxErrorMessageBytes, control characters become
// spaces and invalid UTF-8 is repaired; only the first kMaxErrorBodyBytes of
// a body are looked at. Never fails, never throws.
//
// Codes, by HTTP status (for stream error objects without one: their numeric
// `code` when it is 400..599, else their `type`):
//   400, 413, 422 (and types invalid_request_error, exceed_context_size_error,
//     context_length_exceeded, BadRequestError) -> kValidation with the
//     server's message (a prompt longer than the context window is the
//     caller's to fix, as on Bedrock);
//   401, 403 -> kServiceUnavailable (the region's API key is wrong: fail over);
//   404 -> kServiceUnavailable (wrong base_url or a model the server does not
//     serve);
//   408 -> kModelTimeout;
//   429 (and rate_limit_error, rate_limit_exceeded) -> kThrottling;
//   5xx (and server_error, unavailable_error, overloaded_error) ->
//     kServiceUnavailable;
//   anything else -> kModelError.
// Messages read "The OpenAI-compatible server at <region> ... (HTTP <n>):
// <server's message>".

#include <cstddef>
#include <string_view>

#include "core/status.h"
#include "json/json.h"

namespace bp::backends::openai {

inline constexpr size_t kMaxErrorMessageBytes = 1024;
inline constexpr size_t kMaxErrorBodyBytes = 64 * 1024;

// A non-2xx answer. `region` names the server in the message.
Status UpstreamErrorStatus(int http_status, std::string_view body, std::string_view region);

// An error object found inside a 200 answer (an SSE event, or a JSON body with
// an "error" member): `error` is the document holding it.
Status EmbeddedErrorStatus(const json::Value& document, std::string_view region);

// True when `document` is an error answer rather than a completion (it has an
// "error" member that is not null, or "object": "error").
bool IsErrorDocument(const json::Value& document);

}  // namespace bp::backends::openai
