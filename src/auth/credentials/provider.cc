#include "auth/credentials/provider.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

namespace bp::auth::credentials {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

Status Unavailable(std::string m) { return Status(ErrorCode::kServiceUnavailable, std::move(m)); }

std::string Summary(const Credentials& c) {
  if (!c.expiration) return c.source + ", long-term";
  return c.source + ", temporary, expire " + FormatRfc3339(*c.expiration);
}

milliseconds Backoff(const ProviderOptions& o, int failures) {
  milliseconds d = o.retry_initial;
  for (int i = 1; i < failures && d < o.retry_max; ++i) d *= 2;
  return std::min(d, o.retry_max);
}

std::string Seconds(milliseconds d) { return std::to_string((d.count() + 999) / 1000) + " s"; }

}  // namespace

CredentialProvider::CredentialProvider(ProviderOptions options, EnvLookup env,
                                       std::filesystem::path home, Clock& clock)
    : CredentialProvider(
          options,
          [env = std::move(env), home = std::move(home), chain = options.chain](
              std::stop_token stop) { return ResolveChain(env, home, chain, std::move(stop)); },
          clock) {}

CredentialProvider::CredentialProvider(ProviderOptions options, Resolver resolver, Clock& clock)
    : options_(std::move(options)), resolver_(std::move(resolver)), clock_(clock) {}

CredentialProvider::~CredentialProvider() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.NotifyAll();
  stop_source_.request_stop();
  if (thread_.joinable()) thread_.join();
}

Status CredentialProvider::Start() {
  {
    MutexLock lock(mu_);
    if (started_) return InternalError("CredentialProvider::Start() called twice");
  }
  auto first = resolver_(stop_source_.get_token());
  if (!first.ok()) {
    return Status(first.status().code(),
                  "cannot get the upstream AWS credentials: " + first.status().message());
  }
  const auto now = clock_.Now();
  auto next = NextAfterSuccess(*first, now);
  spdlog::info("upstream AWS credentials: {}{}", Summary(*first),
               next ? " (refresh from " + FormatRfc3339(*next) + ")" : std::string());
  snapshot_.store(std::make_shared<const Snapshot>(Snapshot{std::move(*first), Status::Ok()}),
                  std::memory_order_release);
  MutexLock lock(mu_);
  started_ = true;
  next_refresh_ = next;
  if (next) thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

std::shared_ptr<const Credentials> CredentialProvider::Current() const {
  std::shared_ptr<const Snapshot> s = snapshot_.load(std::memory_order_acquire);
  if (!s) return nullptr;
  const Credentials* c = &s->credentials;
  return std::shared_ptr<const Credentials>(std::move(s), c);
}

Result<std::shared_ptr<const Credentials>> CredentialProvider::Get() const {
  std::shared_ptr<const Snapshot> s = snapshot_.load(std::memory_order_acquire);
  if (!s) return Unavailable("the upstream AWS credentials are not resolved yet (not started)");
  const Credentials& c = s->credentials;
  if (c.expiration && clock_.Now() >= *c.expiration) {
    std::string m = "the upstream AWS credentials from " + c.source + " expired at " +
                    FormatRfc3339(*c.expiration);
    if (!s->refresh_error.ok()) m += "; refreshing them failed: " + s->refresh_error.message();
    return Unavailable(std::move(m));
  }
  return std::shared_ptr<const Credentials>(std::move(s), &c);
}

void CredentialProvider::RequestRefresh() {
  {
    MutexLock lock(mu_);
    if (!next_refresh_) return;
    next_refresh_ = std::min(*next_refresh_, clock_.Now());
  }
  cv_.NotifyAll();
}

std::optional<system_clock::time_point> CredentialProvider::NextAfterSuccess(
    const Credentials& c, system_clock::time_point now) const {
  if (!c.expiration) return std::nullopt;
  return std::max(*c.expiration - options_.refresh_before_expiry,
                  now + options_.min_refresh_interval);
}

void CredentialProvider::Run() {
  while (WaitForNextAttempt()) RefreshOnce();
}

bool CredentialProvider::WaitForNextAttempt() {
  MutexLock lock(mu_);
  while (!stopping_) {
    const auto now = clock_.Now();
    if (!next_refresh_) {
      cv_.Wait(mu_);  // a refresh returned long-term credentials
      continue;
    }
    if (now >= *next_refresh_) return true;
    auto left = std::chrono::ceil<milliseconds>(*next_refresh_ - now);
    cv_.WaitFor(mu_, std::min(left, options_.max_wait));
  }
  return false;
}

void CredentialProvider::RefreshOnce() {
  auto fresh = resolver_(stop_source_.get_token());
  const auto now = clock_.Now();
  std::shared_ptr<const Snapshot> old = snapshot_.load(std::memory_order_acquire);
  int failures = 0;
  milliseconds delay{0};
  {
    MutexLock lock(mu_);
    if (stopping_) return;  // a refresh cut short by shutdown is no failure
    if (fresh.ok()) {
      failures_ = 0;
      last_error_ = Status::Ok();
      next_refresh_ = NextAfterSuccess(*fresh, now);
    } else {
      failures = ++failures_;
      last_error_ = fresh.status();
      delay = Backoff(options_, failures);
      next_refresh_ = now + delay;
    }
  }
  if (fresh.ok()) {
    spdlog::info("upstream AWS credentials refreshed: {}", Summary(*fresh));
    snapshot_.store(std::make_shared<const Snapshot>(Snapshot{std::move(*fresh), Status::Ok()}),
                    std::memory_order_release);
  } else {
    const Credentials& current = old->credentials;
    const bool valid = !current.expiration || now < *current.expiration;
    const std::string expiry = current.expiration ? FormatRfc3339(*current.expiration) : "never";
    if (valid) {
      spdlog::warn(
          "refreshing the upstream AWS credentials failed ({} in a row): {}; the current ones "
          "({}) stay valid until {}; next attempt in {}",
          failures, fresh.status().message(), current.source, expiry, Seconds(delay));
    } else {
      spdlog::error(
          "refreshing the upstream AWS credentials failed ({} in a row): {}; the current ones "
          "({}) expired at {} and upstream calls fail until a refresh succeeds; next attempt "
          "in {}",
          failures, fresh.status().message(), current.source, expiry, Seconds(delay));
    }
    snapshot_.store(std::make_shared<const Snapshot>(Snapshot{current, fresh.status()}),
                    std::memory_order_release);
  }
  if (options_.on_refresh) options_.on_refresh(fresh.status());
}

ProviderStatus CredentialProvider::Describe() const {
  ProviderStatus out;
  if (auto s = snapshot_.load(std::memory_order_acquire)) {
    out.source = s->credentials.source;
    out.expiration = s->credentials.expiration;
  }
  MutexLock lock(mu_);
  out.started = started_;
  out.next_refresh = next_refresh_;
  out.failed_refreshes = failures_;
  out.last_error = last_error_;
  return out;
}

std::string CredentialProvider::StatusLine() const {
  ProviderStatus s = Describe();
  if (!s.started) return "upstream AWS credentials: not resolved yet";
  std::string line = "upstream AWS credentials: " + s.source;
  if (!s.expiration) return line + ", long-term";
  line += ", temporary, expire " + FormatRfc3339(*s.expiration);
  if (s.next_refresh) line += " (refresh from " + FormatRfc3339(*s.next_refresh) + ")";
  if (s.failed_refreshes > 0) {
    line += ", last refresh failed " + std::to_string(s.failed_refreshes) +
            " time(s): " + s.last_error.message();
  }
  return line;
}

}  // namespace bp::auth::credentials
