#pragma once
// The dashboard's server-side sessions (docs/dashboard.md "Sign-in"): a
// signed-in principal behind an unguessable token that travels only in an
// HttpOnly cookie, with a per-session CSRF token the page sends back in a
// header, and an idle expiry. Public header of bp_api_dashboard.
//
// Tokens are 32 bytes from OpenSSL's CSPRNG (RAND_bytes), hex; the store
// keeps only SHA-256 of the session token, so a memory dump or a log line
// holding a key of the map does not let anyone in. The CSRF token is
// compared in constant time. Sessions live in memory: a restart signs
// everyone out, and several instances behind a balancer need sticky
// sessions (docs/dashboard.md). At most `max_sessions` exist: signing in
// beyond that evicts the least recently used.
//
// Thread-safety: every method may be called from any thread at once (one
// mutex held for a map lookup; no I/O under it).

#include <chrono>
#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/principal.h"
#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"

namespace bp::api::dashboard {

struct SessionOptions {
  std::chrono::seconds idle_timeout{1800};
  size_t max_sessions = 10'000;
};

struct Session {
  auth::Principal principal;
  std::string csrf_token;  // hex
};

class SessionStore final {
 public:
  // `clock` (idle expiry) must outlive the store.
  SessionStore(SessionOptions options, const Clock& clock);
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  const SessionOptions& options() const { return options_; }

  struct Created {
    std::string token;  // for the cookie; the store keeps only its hash
    Session session;
  };
  // A new session for `principal`. kInternal when the CSPRNG fails.
  Result<Created> Create(auth::Principal principal);

  // The session of `token`, its idle clock restarted unless `activity` is
  // false (the page's automatic refresh, which is not a person using it);
  // nullopt when there is none or it has been idle longer than the timeout
  // (then it is removed).
  std::optional<Session> Touch(std::string_view token, bool activity = true);

  // Ends the session of `token` (no-op when there is none).
  void Remove(std::string_view token);

  size_t size() const;

 private:
  struct Entry {
    Session session;
    std::chrono::steady_clock::time_point last_used;
    std::list<std::string>::iterator lru;  // into lru_
  };

  const SessionOptions options_;
  const Clock& clock_;
  mutable Mutex mu_;
  std::unordered_map<std::string, Entry> sessions_ BP_GUARDED_BY(mu_);  // by SHA-256(token)
  std::list<std::string> lru_ BP_GUARDED_BY(mu_);  // token hashes, most recent first
};

// Constant-time equality of two secrets (lengths are not secret).
bool SecretEquals(std::string_view a, std::string_view b);

}  // namespace bp::api::dashboard
