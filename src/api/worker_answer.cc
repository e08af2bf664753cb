#include "api/worker_answer.h"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

#include "api/errors.h"
#include "core/event_loop.h"

namespace bp::api {

namespace {

// The one catch-all of a worker job (STYLE.md D.16).
http::Response Run(const std::function<http::Response()>& work, std::string_view request_id,
                   std::string_view what) {
  try {
    return work();
  } catch (const std::exception& e) {
    spdlog::error("request {}: {} threw: {}", request_id, what, e.what());
  } catch (...) {
    spdlog::error("request {}: {} threw a non-standard exception", request_id, what);
  }
  return ErrorResponse(InternalError("unhandled exception"), request_id);
}

}  // namespace

void AnswerOnWorker(WorkerPool& worker, std::shared_ptr<http::ResponseStream> stream,
                    std::shared_ptr<const void> keep_alive, std::string request_id,
                    std::string_view what, std::function<http::Response()> work) {
  EventLoop& loop = stream->loop();
  auto job = [&loop, stream, keep_alive = std::move(keep_alive), request_id,
              what = std::string(what), work = std::move(work)](bool run) mutable {
    http::Response response =
        run ? Run(work, request_id, what)
            : ErrorResponse(Status(ErrorCode::kServiceUnavailable,
                                   "The endpoint is shutting down; retry the " + what + "."),
                            request_id);
    // The work's captures (which may hold the handler's dependencies) go
    // before the reference that keeps those alive leaves for the loop.
    work = nullptr;
    loop.Post([stream = std::move(stream), keep_alive = std::move(keep_alive),
               response = std::move(response), request_id, what]() mutable {
      if (stream->Closed()) {
        spdlog::debug("request {}: {} answer dropped: the client is gone", request_id, what);
        return;
      }
      stream->Respond(std::move(response));
    });
  };
  if (!worker.TrySubmit(std::move(job))) {
    stream->Respond(ErrorResponse(
        Status(ErrorCode::kThrottling, "Too many " + std::string(what) +
                                           "s are in progress on this endpoint; retry later."),
        request_id));
  }
}

}  // namespace bp::api
