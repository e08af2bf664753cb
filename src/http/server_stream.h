#pragma once
// What the HTTP/1.1 and HTTP/2 ResponseStream implementations share, and the
// one place the server calls into the Handler. Private to bp_http.

#include <memory>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace bp::http {

class ServerStream : public ResponseStream {
 public:
  // The handler failed (threw) before completing its response: answers 500
  // through Handler::ErrorResponse when nothing was sent yet, otherwise
  // aborts the response (HTTP/1.1: close; HTTP/2: RST_STREAM). Loop thread.
  virtual void FailInternal(std::string_view what) = 0;
};

// Calls handler.Handle(request, stream). This is the per-request catch-all
// (STYLE.md D.16): an exception escaping the handler becomes FailInternal.
void DispatchRequest(Handler& handler, Request&& request,
                     const std::shared_ptr<ServerStream>& stream);

// handler.ErrorResponse(status, request_id), with the HTTP status forced to
// `http_status` when it is non-zero (400/413/431 for requests the server
// refuses). Never throws: falls back to {"message": ...}.
Response BuildErrorResponse(Handler& handler, const Status& status, std::string_view request_id,
                            unsigned http_status);

}  // namespace bp::http
