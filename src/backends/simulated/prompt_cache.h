#pragma once
// PromptCache: the simulated model's prompt cache, one per serve process,
// shared by every SimulatedBackend (every region). Public header of
// bp_backends_simulated; created by the composition root.
//
// What is cached: for a request with cache points (ModelRequest::cache_points,
// in prompt order tools -> system -> messages), the prefix of the prompt up
// to each point. An entry is keyed by (profile ARN, model id, a 128-bit hash
// of the prefix: every tool's name, description and schema, every system
// part, and per message its role and content blocks before the point), so
// two profiles never share an entry, even on the same model.
//
// Prefix tokens: the tokens of what precedes the point, counted as
// CountRequestTokens counts them (tools, system parts, and per message 4
// plus its blocks; a message's 4 belong to every prefix that reaches into
// it). A point is eligible when its prefix has at least the model's
// minimum (ModelCacheRules::min_tokens); a model without rules, or with
// min_tokens 0, caches nothing. Ineligible points are ignored, without error.
//
// Accounting of one call (Account), T = the request's whole input tokens:
// - read: the tokens of the longest cached prefix (present, not expired, at
//   least min_tokens) ending at an eligible point or at one of the 20
//   element boundaries before one (each tool, system part, message start and
//   content block ends one), as Anthropic's models look back for earlier
//   breakpoints: so a conversation that grows by a turn and moves its point
//   to the new last message reads the previous turn's prefix (0 if none);
// - write: the tokens from there up to the last eligible point, each segment
//   (from the previous eligible point, or from the read prefix) counted under
//   the TTL of the point that ends it (write_5m, write_1h);
// - input = T - read - write.
// Then every eligible point's prefix is stored (or refreshed) with an expiry
// of now + its TTL (5 minutes or 1 hour), and the entry read is refreshed by
// its own TTL.
//
// Time is the injected Clock's SteadyNow(), so tests advance it.
//
// Bound: at most Options::max_entries entries (default 65,536, about 80 bytes
// each), spread over kShards shards; a shard that is full evicts its least
// recently used entry. Expired entries are dropped when met.
//
// Thread-safe: kShards fixed mutexes (a key's shard is chosen by its hash),
// each held for a lookup or an insert; none grows with the number of
// profiles. Account() allocates only when it inserts.

#include <array>
#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "backends/backend.h"
#include "core/clock.h"
#include "core/mutex.h"

namespace bp::backends::simulated {

// What a model's prompt caching allows (from the model catalog).
struct ModelCacheRules {
  int64_t min_tokens = 0;  // per checkpoint prefix; 0: the model caches nothing
};

struct PromptCacheOptions {
  size_t max_entries = 65536;  // < kShards counts as kShards
  // model id -> rules; models not listed cache nothing.
  std::map<std::string, ModelCacheRules, std::less<>> models;
};

// The cache fields of a Usage for one call.
struct CacheAccounting {
  int64_t input_tokens = 0;  // T - read - write
  int64_t read = 0;
  int64_t write_5m = 0;
  int64_t write_1h = 0;
};

class PromptCache final {
 public:
  static constexpr size_t kShards = 8;

  PromptCache(const Clock& clock, PromptCacheOptions options);
  PromptCache(const PromptCache&) = delete;
  PromptCache& operator=(const PromptCache&) = delete;

  // Looks up and stores the prefixes of `request` (rules above); `total` is
  // its whole input token count (CountRequestTokens). A request without
  // cache points gives {total, 0, 0, 0} and touches nothing.
  CacheAccounting Account(const ModelRequest& request, int64_t total);

  // Entries held now (expired ones not yet dropped included).
  size_t SizeForTest() const;

 private:
  struct Key {
    uint64_t a = 0;
    uint64_t b = 0;
    bool operator==(const Key&) const = default;
  };
  struct Entry {
    Key key;
    std::chrono::steady_clock::time_point expires;
    CacheTtl ttl = CacheTtl::k5m;  // a hit extends `expires` to now + ttl
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return static_cast<size_t>(k.a ^ (k.b * 31)); }
  };
  struct Shard {
    mutable Mutex mu;
    // Most recently used first; the map points into the list.
    std::list<Entry> lru BP_GUARDED_BY(mu);
    std::unordered_map<Key, decltype(lru)::iterator, KeyHash> index BP_GUARDED_BY(mu);
  };

  // Present and not expired; a hit is refreshed and moved to the front.
  bool Lookup(const Key& key, std::chrono::steady_clock::time_point now);
  // Stores or refreshes `key` until now + ttl (never shortening an entry).
  void Store(const Key& key, CacheTtl ttl, std::chrono::steady_clock::time_point now);
  Shard& ShardOf(const Key& key) { return shards_[key.a % kShards]; }

  const Clock& clock_;
  const PromptCacheOptions options_;
  const size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace bp::backends::simulated
