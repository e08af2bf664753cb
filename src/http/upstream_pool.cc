#include "http/upstream_pool.h"

#include <algorithm>
#include <utility>

#include "http/upstream_connection.h"

namespace bp::http {
namespace {

Result<std::shared_ptr<TlsState>> TlsFor(const Endpoint& endpoint, const UpstreamOptions& options) {
  if (endpoint.scheme != Scheme::kHttps) return std::shared_ptr<TlsState>();
  return MakeTlsState(options.ca_bundle_file);
}

std::optional<boost::asio::ip::address> LiteralOf(const std::string& host) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return address;
}

}  // namespace

UpstreamShared::UpstreamShared(Endpoint e, UpstreamOptions o)
    : endpoint(std::move(e)),
      options(std::move(o)),
      url(endpoint.ToString()),
      authority(endpoint.Authority()),
      who(endpoint.host + ":" + std::to_string(endpoint.port)),
      tls(TlsFor(endpoint, options)),
      literal(LiteralOf(endpoint.host)) {}

bool UpstreamShared::TryAcquire() {
  const size_t before = in_flight.fetch_add(1, std::memory_order_relaxed);
  if (options.max_concurrent == 0 || before < options.max_concurrent) return true;
  in_flight.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

void UpstreamShared::Release() { in_flight.fetch_sub(1, std::memory_order_relaxed); }

void UpstreamCallState::Finish(const UpstreamResult& result) {
  if (finished) return;
  finished = true;
  if (holds_slot) {
    holds_slot = false;
    pool->shared().Release();
  }
  // Moved out: the callback may destroy the handle, and with it this state's
  // last owner but the caller's.
  std::function<void(const UpstreamResult&)> done = std::move(callbacks.on_done);
  if (done) done(result);
}

void UpstreamCallState::Pause() {
  if (!finished) paused = true;
}

void UpstreamCallState::Resume() {
  if (!paused) return;
  paused = false;
  if (!finished && connection != nullptr) connection->ResumeReading();
}

void UpstreamCallState::Cancel() {
  if (finished) return;
  finished = true;
  if (holds_slot) {
    holds_slot = false;
    pool->shared().Release();
  }
  if (connection != nullptr) {
    UpstreamConnection* running = connection;
    connection = nullptr;
    running->Abort();
  }
}

LoopPool::LoopPool(boost::asio::io_context& io, std::shared_ptr<UpstreamShared> shared)
    : io_(io), shared_(std::move(shared)) {
  idle_.reserve(std::min<size_t>(shared_->options.max_idle_per_loop, 256));
}

LoopPool::~LoopPool() = default;

void LoopPool::Run(std::shared_ptr<UpstreamCallState> call) {
  if (idle_.empty()) return RunFresh(std::move(call));
  std::shared_ptr<UpstreamConnection> connection = std::move(idle_.back());
  idle_.pop_back();
  connection->Begin(std::move(call));
}

void LoopPool::RunFresh(std::shared_ptr<UpstreamCallState> call) {
  std::make_shared<UpstreamConnection>(shared_from_this())->Begin(std::move(call));
}

void LoopPool::Return(std::shared_ptr<UpstreamConnection> connection) {
  if (shut_down_ || shared_->retired.load(std::memory_order_relaxed) ||
      idle_.size() >= shared_->options.max_idle_per_loop) {
    connection->Close();
    return;
  }
  idle_.push_back(connection);
  connection->Park();
}

void LoopPool::Forget(UpstreamConnection* connection) {
  auto it = std::find_if(idle_.begin(), idle_.end(),
                         [connection](const auto& c) { return c.get() == connection; });
  if (it != idle_.end()) idle_.erase(it);
}

void LoopPool::Shutdown() {
  shut_down_ = true;
  std::vector<std::shared_ptr<UpstreamConnection>> idle = std::move(idle_);
  idle_.clear();
  for (auto& connection : idle) connection->Close();
}

bool LoopPool::Unused() const {
  return (shut_down_ || shared_->retired.load(std::memory_order_relaxed)) && idle_.empty();
}

const std::vector<boost::asio::ip::tcp::endpoint>* LoopPool::CachedAddresses(
    std::chrono::steady_clock::time_point now) const {
  if (addresses_.empty() || now - resolved_at_ >= shared_->options.dns_ttl) return nullptr;
  return &addresses_;
}

void LoopPool::CacheAddresses(std::vector<boost::asio::ip::tcp::endpoint> addresses,
                              std::chrono::steady_clock::time_point now) {
  addresses_ = std::move(addresses);
  resolved_at_ = now;
}

UpstreamPools::~UpstreamPools() { Shutdown(); }

LoopPool& UpstreamPools::For(const std::shared_ptr<UpstreamShared>& shared) {
  for (const auto& pool : pools_) {
    if (&pool->shared() == shared.get()) return *pool;
  }
  // Rare (a loop's first call to an upstream): drop what retired upstreams left.
  for (const auto& pool : pools_) {
    if (pool->shared().retired.load(std::memory_order_relaxed)) pool->Shutdown();
  }
  std::erase_if(pools_, [](const auto& pool) { return pool->Unused(); });
  pools_.push_back(std::make_shared<LoopPool>(io_, shared));
  return *pools_.back();
}

void UpstreamPools::Shutdown() {
  std::vector<std::shared_ptr<LoopPool>> pools = std::move(pools_);
  pools_.clear();
  for (auto& pool : pools) pool->Shutdown();
}

}  // namespace bp::http
