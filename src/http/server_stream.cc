#include "http/server_stream.h"

#include <exception>
#include <string>
#include <utility>

namespace bp::http {

void DispatchRequest(Handler& handler, Request&& request,
                     const std::shared_ptr<ServerStream>& stream) {
  try {
    handler.Handle(std::move(request), stream);
  } catch (const std::exception& e) {
    stream->FailInternal(e.what());
  } catch (...) {
    stream->FailInternal("unknown exception");
  }
}

Response BuildErrorResponse(Handler& handler, const Status& status, std::string_view request_id,
                            unsigned http_status) {
  Response response;
  try {
    response = handler.ErrorResponse(status, request_id);
  } catch (...) {
    response = Response{.status = 500,
                        .headers = {{"content-type", "application/json"}},
                        .body = R"({"message":"internal error"})"};
  }
  if (http_status != 0) response.status = http_status;
  return response;
}

}  // namespace bp::http
