#include "backends/simulated/prompt_cache.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <tuple>
#include <vector>

#include "backends/simulated/conversation.h"
#include "backends/tokenizer.h"

namespace bp::backends::simulated {
namespace {

using std::chrono::steady_clock;

// Two FNV-1a streams with different offsets: a 128-bit prefix key.
class PrefixHasher {
 public:
  void Add(std::string_view s) {
    a_.Add(s);
    b_.Add(s);
  }
  void AddInt(uint64_t v) {
    a_.AddInt(v);
    b_.AddInt(v);
  }
  void AddBlock(const ContentBlock& block) {
    simulated::AddBlock(a_, block);
    simulated::AddBlock(b_, block);
  }
  uint64_t a() const { return a_.value(); }
  uint64_t b() const { return b_.value(); }

 private:
  Fnv1a a_;
  Fnv1a b_{0x84222325CBF29CE4ULL};
};

// A prefix: its tokens and 128-bit hash.
struct Boundary {
  int64_t tokens = 0;
  uint64_t a = 0;
  uint64_t b = 0;
};

// A cache point's prefix, and the index of its boundary.
struct Mark {
  Boundary prefix;
  size_t boundary = 0;
  CacheTtl ttl = CacheTtl::k5m;
};

// A lookup also tries this many block boundaries before each point.
constexpr size_t kLookback = 20;

struct Walked {
  std::vector<Boundary> boundaries;  // every element boundary of the prompt, in order
  std::vector<Mark> marks;           // the cache points, in prompt order
};

using Position = std::tuple<int, uint32_t, uint32_t>;  // section, message, count

Position PositionOf(const CachePoint& p) {
  return {static_cast<int>(p.section), p.message, p.count};
}

// The prefix at every element boundary (each tool, system part, message
// start and content block) and at each cache point, in prompt order.
class PrefixWalk {
 public:
  explicit PrefixWalk(const ModelRequest& request) : points_(request.cache_points) {
    h_.Add(request.profile_arn);
    h_.Add(request.model_id);
    out_.marks.reserve(points_.size());
  }

  // A boundary here (unless nothing was added since the last one), and
  // every point at or before `at`.
  void Reach(Position at) {
    const Boundary here{tokens_, h_.a(), h_.b()};
    if (out_.boundaries.empty() || out_.boundaries.back().a != here.a ||
        out_.boundaries.back().b != here.b) {
      out_.boundaries.push_back(here);
    }
    while (next_ < points_.size() && PositionOf(points_[next_]) <= at) {
      out_.marks.push_back({here, out_.boundaries.size() - 1, points_[next_].ttl});
      ++next_;
    }
  }
  void Add(std::string_view text, int64_t tokens) {
    h_.Add(text);
    tokens_ += tokens;
  }
  void AddBlock(const ContentBlock& block) {
    h_.AddBlock(block);
    tokens_ += BlockTokens(block);
  }
  void AddMessageStart(Role role) {
    h_.AddInt(0x4D455353ULL + static_cast<uint64_t>(role));
    tokens_ += 4;
  }
  Walked Finish() {
    Reach({3, 0, 0});
    return std::move(out_);
  }

 private:
  const std::vector<CachePoint>& points_;
  PrefixHasher h_;
  int64_t tokens_ = 0;
  size_t next_ = 0;
  Walked out_;
};

Walked WalkPrefixes(const ModelRequest& request) {
  constexpr int kTools = static_cast<int>(CachePoint::Section::kTools);
  constexpr int kSystem = static_cast<int>(CachePoint::Section::kSystem);
  constexpr int kMessages = static_cast<int>(CachePoint::Section::kMessages);
  PrefixWalk walk(request);
  for (uint32_t i = 0; i < request.tools.size(); ++i) {
    walk.Reach({kTools, 0, i});
    const Tool& tool = request.tools[i];
    walk.Add(tool.name, CountTokens(tool.name));
    walk.Add(tool.description, CountTokens(tool.description));
    walk.Add(tool.input_schema_json, CountTokens(tool.input_schema_json));
  }
  walk.Reach({kTools, 0, UINT32_MAX});
  for (uint32_t i = 0; i < request.system.size(); ++i) {
    walk.Reach({kSystem, 0, i});
    walk.Add(request.system[i], CountTokens(request.system[i]));
  }
  walk.Reach({kSystem, 0, UINT32_MAX});
  for (uint32_t m = 0; m < request.messages.size(); ++m) {
    walk.Reach({kMessages, m, 0});  // a point before the first block: without the 4
    const Message& message = request.messages[m];
    walk.AddMessageStart(message.role);
    for (uint32_t b = 0; b < message.content.size(); ++b) {
      walk.Reach({kMessages, m, b});
      walk.AddBlock(message.content[b]);
    }
    walk.Reach({kMessages, m, UINT32_MAX});
  }
  return walk.Finish();
}

steady_clock::duration TtlOf(CacheTtl ttl) {
  return ttl == CacheTtl::k1h ? steady_clock::duration(std::chrono::hours(1))
                              : steady_clock::duration(std::chrono::minutes(5));
}

}  // namespace

PromptCache::PromptCache(const Clock& clock, PromptCacheOptions options)
    : clock_(clock),
      options_(std::move(options)),
      per_shard_(std::max<size_t>(1, options_.max_entries / kShards)) {}

CacheAccounting PromptCache::Account(const ModelRequest& request, int64_t total) {
  CacheAccounting out{.input_tokens = total};
  if (request.cache_points.empty()) return out;
  auto rules = options_.models.find(request.model_id);
  if (rules == options_.models.end() || rules->second.min_tokens <= 0) return out;
  const int64_t min_tokens = rules->second.min_tokens;
  Walked walked = WalkPrefixes(request);
  std::vector<Mark>& marks = walked.marks;
  std::erase_if(marks, [&](const Mark& m) { return m.prefix.tokens < min_tokens; });
  if (marks.empty()) return out;
  const steady_clock::time_point now = clock_.SteadyNow();
  // Read: the longest cached prefix at a boundary up to kLookback before a point.
  std::vector<size_t> candidates;
  for (const Mark& mark : marks) {
    for (size_t k = 0; k <= kLookback && k <= mark.boundary; ++k) {
      candidates.push_back(mark.boundary - k);
    }
  }
  std::sort(candidates.begin(), candidates.end(), std::greater<>());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::optional<size_t> read_at;
  for (size_t index : candidates) {
    const Boundary& b = walked.boundaries[index];
    if (b.tokens < min_tokens) break;  // shorter ones are too
    if (Lookup({b.a, b.b}, now)) {
      out.read = b.tokens;
      read_at = index;
      break;
    }
  }
  // Write: each point after the read one, its segment under its own TTL.
  int64_t previous = out.read;
  for (const Mark& mark : marks) {
    if (read_at && mark.boundary <= *read_at) continue;
    const int64_t segment = std::max<int64_t>(0, mark.prefix.tokens - previous);
    (mark.ttl == CacheTtl::k1h ? out.write_1h : out.write_5m) += segment;
    previous = std::max(previous, mark.prefix.tokens);
  }
  for (const Mark& mark : marks) Store({mark.prefix.a, mark.prefix.b}, mark.ttl, now);
  out.input_tokens = total - out.read - out.write_5m - out.write_1h;
  return out;
}

bool PromptCache::Lookup(const Key& key, steady_clock::time_point now) {
  Shard& shard = ShardOf(key);
  MutexLock lock(shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return false;
  Entry& entry = *it->second;
  if (entry.expires <= now) {
    shard.lru.erase(it->second);
    shard.index.erase(it);
    return false;
  }
  entry.expires = std::max(entry.expires, now + TtlOf(entry.ttl));  // a hit refreshes
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return true;
}

void PromptCache::Store(const Key& key, CacheTtl ttl, steady_clock::time_point now) {
  const steady_clock::time_point expires = now + TtlOf(ttl);
  Shard& shard = ShardOf(key);
  MutexLock lock(shard.mu);
  auto it = shard.index.find(key);
  if (it != shard.index.end()) {
    Entry& entry = *it->second;
    if (expires >= entry.expires) {
      entry.expires = expires;
      entry.ttl = ttl;
    }
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return;
  }
  if (shard.index.size() >= per_shard_) {
    shard.index.erase(shard.lru.back().key);
    shard.lru.pop_back();
  }
  shard.lru.push_front({key, expires, ttl});
  shard.index.emplace(key, shard.lru.begin());
}

size_t PromptCache::SizeForTest() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    MutexLock lock(shard.mu);
    n += shard.index.size();
  }
  return n;
}

}  // namespace bp::backends::simulated
