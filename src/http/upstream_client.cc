// Upstream: the public face of the upstream client. The pools and the
// connections are in upstream_pool.cc and upstream_connection.cc.

#include "http/upstream_client.h"

#include <exception>
#include <utility>

#include <boost/asio/post.hpp>

#include "http/client_request.h"
#include "http/event_loop_asio.h"
#include "http/upstream_connection.h"
#include "http/upstream_pool.h"

namespace bp::http {
namespace {

class CallHandle final : public UpstreamCall {
 public:
  explicit CallHandle(std::shared_ptr<UpstreamCallState> state) : state_(std::move(state)) {}
  ~CallHandle() override { state_->Cancel(); }
  void Pause() override { state_->Pause(); }
  void Resume() override { state_->Resume(); }
  CallHandle(const CallHandle&) = delete;
  CallHandle& operator=(const CallHandle&) = delete;

 private:
  std::shared_ptr<UpstreamCallState> state_;
};

// Delivers a failure found before any I/O on the loop, after Start returned.
void PostFailure(boost::asio::io_context& io, const std::shared_ptr<UpstreamCallState>& call,
                 UpstreamResult result) {
  boost::asio::post(io, [call, result = std::move(result)] { call->Finish(result); });
}

}  // namespace

bool NothingSent(UpstreamFailure failure) {
  switch (failure) {
    case UpstreamFailure::kInvalidRequest:
    case UpstreamFailure::kConcurrencyLimit:
    case UpstreamFailure::kSetup:
    case UpstreamFailure::kConnect:
    case UpstreamFailure::kConnectTimeout:
    case UpstreamFailure::kTls:
      return true;
    case UpstreamFailure::kNone:
    case UpstreamFailure::kFirstByteTimeout:
    case UpstreamFailure::kIdleTimeout:
    case UpstreamFailure::kConnectionLost:
    case UpstreamFailure::kMalformed:
      return false;
  }
  return false;
}

Upstream::Upstream(Endpoint endpoint, UpstreamOptions options)
    : shared_(std::make_shared<UpstreamShared>(std::move(endpoint), std::move(options))) {}

Upstream::~Upstream() { shared_->retired.store(true, std::memory_order_relaxed); }

const Endpoint& Upstream::endpoint() const { return shared_->endpoint; }
const UpstreamOptions& Upstream::options() const { return shared_->options; }
Status Upstream::setup_status() const { return shared_->tls.status(); }

UpstreamStats Upstream::stats() const {
  return UpstreamStats{
      .in_flight = shared_->in_flight.load(std::memory_order_relaxed),
      .connections_opened = shared_->connections_opened.load(std::memory_order_relaxed),
      .stale_retries = shared_->stale_retries.load(std::memory_order_relaxed)};
}

std::unique_ptr<UpstreamCall> Upstream::Start(EventLoop& loop, Request request,
                                              UpstreamCallbacks callbacks) const {
  auto call = std::make_shared<UpstreamCallState>();
  call->callbacks = std::move(callbacks);
  auto handle = std::make_unique<CallHandle>(call);
  auto* asio_loop = dynamic_cast<AsioEventLoop*>(&loop);
  if (asio_loop == nullptr) {
    loop.Post([call] {
      call->Finish({.status = InternalError("the upstream client runs on a Server's event loops "
                                            "only"),
                    .failure = UpstreamFailure::kSetup,
                    .response_started = false});
    });
    return handle;
  }
  boost::asio::io_context& io = asio_loop->io();
  if (!shared_->tls.ok()) {
    PostFailure(io, call, {.status = shared_->tls.status(), .failure = UpstreamFailure::kSetup});
    return handle;
  }
  if (Status checked = CheckClientRequest(request); !checked.ok()) {
    PostFailure(io, call,
                {.status = std::move(checked), .failure = UpstreamFailure::kInvalidRequest});
    return handle;
  }
  if (!shared_->TryAcquire()) {
    PostFailure(io, call,
                {.status = Status(ErrorCode::kThrottling,
                                  "too many calls in flight to " + shared_->url + " (at most " +
                                      std::to_string(shared_->options.max_concurrent) + ")"),
                 .failure = UpstreamFailure::kConcurrencyLimit});
    return handle;
  }
  try {
    LoopPool& pool = asio_loop->upstream_pools().For(shared_);
    call->pool = pool.shared_from_this();
    call->holds_slot = true;
    AppendRequestHead(shared_->endpoint.base_path, shared_->authority, shared_->options.user_agent,
                      request, /*keep_alive=*/true, call->head);
    call->body = std::move(request.body);
    call->head_request = request.method == "HEAD";
    pool.Run(call);
  } catch (const std::exception& e) {  // allocation or Asio failures
    if (call->connection != nullptr) std::exchange(call->connection, nullptr)->Abort();
    if (!call->holds_slot) shared_->Release();  // else Finish frees it
    PostFailure(io, call,
                {.status = InternalError(std::string("cannot start a call to ") + shared_->url +
                                         ": " + e.what()),
                 .failure = UpstreamFailure::kSetup});
  }
  return handle;
}

}  // namespace bp::http
