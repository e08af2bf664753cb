#pragma once
// Answering a request from a WorkerPool: the one way an API route runs
// blocking work (ledger reads) off the event loops. Public header of bp_api.
//
// `work` runs on a pool thread and returns the response; it is posted back
// to the stream's loop (EventLoop::Post) and sent there, unless the client
// has gone by then (dropped, logged at debug). The stream and `keep_alive`
// (the handler's dependencies, ApiCall::keep_alive) are handed back to the
// loop, never released on the worker. A full queue answers 429
// ThrottlingException at once; a pool that stops before the job ran answers
// 503 ServiceUnavailable. `work` runs inside one catch-all: an exception is
// a 500 (logged). `what` names the operation in those messages ("usage
// query").

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/worker_pool.h"
#include "http/message.h"

namespace bp::api {

void AnswerOnWorker(WorkerPool& worker, std::shared_ptr<http::ResponseStream> stream,
                    std::shared_ptr<const void> keep_alive, std::string request_id,
                    std::string_view what, std::function<http::Response()> work);

}  // namespace bp::api
