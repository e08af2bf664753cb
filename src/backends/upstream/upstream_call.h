#pragma once
// Helpers shared by the proxying backends of bp_backends_upstream (private
// header): what both the Bedrock and the OpenAI-compatible invocations do the
// same way.

#include <memory>
#include <string>
#include <string_view>

#include "backends/backend.h"
#include "core/event_loop.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::backends::upstream {

// Delivers `status` to `sink` from a loop task (a backend never calls its
// sink from inside Start). Destroying the handle cancels the delivery.
[[nodiscard]] std::unique_ptr<TimerHandle> PostError(EventLoop& loop, OutputSink& sink,
                                                     Status status);

// The media type of `headers`' content-type, without parameters, compared
// ASCII case-insensitively with `type` ("text/event-stream").
bool HasContentType(const http::Headers& headers, std::string_view type);

// True when `headers` say the body is an SSE stream.
inline bool IsEventStream(const http::Headers& headers) {
  return HasContentType(headers, "text/event-stream");
}

// Appends `piece` to `out` until `out` holds `cap` bytes; the rest is dropped.
void AppendCapped(std::string& out, std::string_view piece, size_t cap);

// A transport failure of the upstream client (its status names the endpoint
// and what happened) as the backend's error: "<who> <region> failed: <what>",
// keeping the code (kServiceUnavailable, or kThrottling for the concurrency
// limit), which the runtime retries in another region before any output.
Status TransportError(std::string_view who, std::string_view region, const Status& status);

}  // namespace bp::backends::upstream
