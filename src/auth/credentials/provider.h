#pragma once
// The server's upstream credentials: resolved once at start, then held for
// the request path and kept fresh by a refresher thread.
//
//   CredentialProvider provider({}, ProcessEnv(), home, clock);
//   BP_RETURN_IF_ERROR(provider.Start());      // serve start: blocks, clear error
//   ...
//   auto creds = provider.Get();               // per upstream call: no lock, no wait
//
// Temporary credentials (those with an expiration: credential_process with
// Expiration, container, IMDS) are fetched again refresh_before_expiry (5
// minutes, as the AWS SDKs) before they expire, on the provider's own
// thread, so no call ever waits for a refresh. A failed refresh keeps the
// current credentials and is retried with exponential backoff (retry_initial
// doubling up to retry_max) for as long as it fails; once they have expired
// Get() reports the refresh error. Long-term credentials (environment,
// static profile keys, credential_process without Expiration) start no
// thread and are never fetched again.
//
// Logs (spdlog) the source and the expiry of each set obtained and each
// failed refresh with its reason; never a key, secret or token.
//
// Thread-safety: Current(), Get(), Describe() and RequestRefresh() may be
// called from any thread at any time, also before Start(). Current() and
// Get() take no mutex: the credentials are one immutable snapshot behind a
// std::atomic<std::shared_ptr> (docs/architecture.md, "What the request path
// synchronises on"). Start() is called once, before the others matter.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "auth/credentials/credentials.h"
#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"

namespace bp::auth::credentials {

struct ProviderOptions {
  // How the chain is walked (the server's defaults: no bearer token,
  // container and IMDS on).
  ChainOptions chain;
  // Temporary credentials are refreshed this long before they expire.
  std::chrono::seconds refresh_before_expiry{300};
  // The soonest refresh after a successful one, for sources that hand out
  // credentials already inside refresh_before_expiry (IMDS does, until it
  // rotates them): no refresh storm.
  std::chrono::seconds min_refresh_interval{30};
  // Backoff after the n-th failure in a row: retry_initial * 2^(n-1), at
  // most retry_max. No jitter: one process, one source.
  std::chrono::milliseconds retry_initial{1'000};
  std::chrono::milliseconds retry_max{60'000};
  // The refresher re-reads the clock at least this often while it waits: a
  // wait runs on the steady clock, which stops while the machine is
  // suspended, but expiry is wall-clock time. Tests with a FakeClock (which
  // moves without telling anyone) set a few milliseconds.
  std::chrono::milliseconds max_wait{60'000};
  // Called on the refresher thread after each refresh attempt, with its
  // outcome (metrics, tests). May be empty.
  std::function<void(const Status&)> on_refresh;
};

// A picture of the provider for a status line or /readyz.
struct ProviderStatus {
  bool started = false;  // Start() succeeded
  std::string source;    // Credentials::source; empty before Start()
  std::optional<std::chrono::system_clock::time_point> expiration;  // nullopt: long-term
  std::optional<std::chrono::system_clock::time_point> next_refresh;
  int failed_refreshes = 0;  // in a row; 0 after a success
  Status last_error;         // of the last refresh attempt; OK when it succeeded
};

class CredentialProvider final {
 public:
  // The source of credentials: blocking; `stop` is requested on shutdown.
  using Resolver = std::function<Result<Credentials>(std::stop_token stop)>;

  // Walks ResolveChain(env, home, options.chain) on each resolve. `clock`
  // must outlive the provider.
  CredentialProvider(ProviderOptions options, EnvLookup env, std::filesystem::path home,
                     Clock& clock);
  // Any other source (tests, a fixed set). `clock` must outlive the provider.
  CredentialProvider(ProviderOptions options, Resolver resolver, Clock& clock);
  // Stops the refresher: a wait ends at once, a running credential_process
  // is killed; an HTTP fetch in flight ends within its timeouts
  // (ChainOptions: 1 s connect, 5 s read).
  ~CredentialProvider();
  CredentialProvider(const CredentialProvider&) = delete;
  CredentialProvider& operator=(const CredentialProvider&) = delete;

  // The first resolve, on the calling thread; then, for temporary
  // credentials, starts the refresher. Errors: the chain's, prefixed
  // "cannot get the upstream AWS credentials: " (same code); kInternal when
  // called twice.
  Status Start();

  // The current credentials, possibly expired (check with Get() or their
  // `expiration`); nullptr before a successful Start(). Never blocks.
  std::shared_ptr<const Credentials> Current() const;

  // As Current(), but an error when there are none yet (kServiceUnavailable,
  // "not started") or they have expired (kServiceUnavailable naming the
  // source, the expiry and the last refresh error). Never blocks.
  Result<std::shared_ptr<const Credentials>> Get() const;

  // Asks the refresher to refresh now (an upstream answered that the token
  // expired or is unknown) and returns at once. No effect for long-term
  // credentials or before Start().
  void RequestRefresh();

  ProviderStatus Describe() const;
  // One line for the serve banner / logs: "upstream AWS credentials:
  // <source>, temporary, expire <RFC 3339> (refresh from <RFC 3339>)",
  // "..., long-term", plus ", last refresh failed N time(s): <reason>".
  std::string StatusLine() const;

 private:
  // What Current() hands out, with the reason the last refresh failed.
  struct Snapshot {
    Credentials credentials;
    Status refresh_error;
  };

  void Run();
  bool WaitForNextAttempt() BP_EXCLUDES(mu_);
  void RefreshOnce() BP_EXCLUDES(mu_);
  // When to refresh credentials obtained at `now`; nullopt: never.
  std::optional<std::chrono::system_clock::time_point> NextAfterSuccess(
      const Credentials& c, std::chrono::system_clock::time_point now) const;

  const ProviderOptions options_;
  const Resolver resolver_;
  Clock& clock_;

  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::stop_source stop_source_;

  mutable Mutex mu_;
  CondVar cv_;
  bool started_ BP_GUARDED_BY(mu_) = false;
  bool stopping_ BP_GUARDED_BY(mu_) = false;
  std::optional<std::chrono::system_clock::time_point> next_refresh_ BP_GUARDED_BY(mu_);
  int failures_ BP_GUARDED_BY(mu_) = 0;
  Status last_error_ BP_GUARDED_BY(mu_);

  std::thread thread_;  // the refresher; started by Start() for temporary credentials
};

}  // namespace bp::auth::credentials
