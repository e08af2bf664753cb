#pragma once
// A small thread-safe cache of derived SigV4 signing keys, so that verifying a
// request costs one HMAC for the signature instead of five (auth.md §1.5).
// Private to bp_auth_sigv4 (used by verifier.cc).
//
// Keyed by "ACCESS_KEY/DATE/REGION/SERVICE" (no part can hold a '/'). The
// owner must insert only keys derived from a secret that will not change for
// the cache's lifetime (the Verifier's credential lookup is immutable) and
// only after a signature made with that key verified, so a client without the
// secret can never fill the cache. When full, the cache is emptied (entries
// are per day and rarely more than a handful: a simple bound beats an LRU
// here). Evicted keys are wiped from memory.
//
// Thread-safety: all methods may be called concurrently.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/sigv4/canonical_request.h"
#include "core/mutex.h"

namespace bp::auth::sigv4 {

class SigningKeyCache final {
 public:
  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    size_t size = 0;
  };

  // REQUIRES: capacity >= 1.
  explicit SigningKeyCache(size_t capacity);
  ~SigningKeyCache();
  SigningKeyCache(const SigningKeyCache&) = delete;
  SigningKeyCache& operator=(const SigningKeyCache&) = delete;

  // The cached key for `id`, counting a hit or a miss.
  std::optional<SigningKey> Find(std::string_view id) const BP_EXCLUDES(mu_);
  // Stores `key` under `id` (replacing any entry).
  void Insert(std::string_view id, const SigningKey& key) BP_EXCLUDES(mu_);
  Stats stats() const BP_EXCLUDES(mu_);

 private:
  // Transparent hashing: lookups by string_view allocate nothing.
  struct IdHash {
    using is_transparent = void;
    size_t operator()(std::string_view id) const { return std::hash<std::string_view>()(id); }
  };

  void WipeAll() BP_REQUIRES(mu_);

  const size_t capacity_;
  mutable Mutex mu_;
  std::unordered_map<std::string, SigningKey, IdHash, std::equal_to<>> entries_ BP_GUARDED_BY(mu_);
  mutable uint64_t hits_ BP_GUARDED_BY(mu_) = 0;
  mutable uint64_t misses_ BP_GUARDED_BY(mu_) = 0;
};

}  // namespace bp::auth::sigv4
