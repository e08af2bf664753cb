#include "backends/simulated/prompt_cache.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "backends/simulated/conversation.h"
#include "backends/simulated/tokenizer.h"

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

struct Mark {
  int64_t tokens = 0;
  uint64_t a = 0;
  uint64_t b = 0;
  CacheTtl ttl = CacheTtl::k5m;
};

using Position = std::tuple<int, uint32_t, uint32_t>;  // section, message, count

Position PositionOf(const CachePoint& p) {
  return {static_cast<int>(p.section), p.message, p.count};
}

// The prefix tokens and hash at each cache point, in prompt order.
class PrefixWalk {
 public:
  explicit PrefixWalk(const ModelRequest& request) : points_(request.cache_points) {
    h_.Add(request.profile_arn);
    h_.Add(request.model_id);
    marks_.reserve(points_.size());
  }

  // Records every point at or before `at`.
  void Reach(Position at) {
    while (next_ < points_.size() && PositionOf(points_[next_]) <= at) {
      marks_.push_back({tokens_, h_.a(), h_.b(), points_[next_].ttl});
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
  std::vector<Mark> Finish() {
    Reach({3, 0, 0});
    return std::move(marks_);
  }

 private:
  const std::vector<CachePoint>& points_;
  PrefixHasher h_;
  int64_t tokens_ = 0;
  size_t next_ = 0;
  std::vector<Mark> marks_;
};

std::vector<Mark> WalkPrefixes(const ModelRequest& request) {
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
  std::vector<Mark> marks = WalkPrefixes(request);
  std::erase_if(marks, [&](const Mark& m) { return m.tokens < rules->second.min_tokens; });
  if (marks.empty()) return out;
  const steady_clock::time_point now = clock_.SteadyNow();
  size_t first_write = 0;
  for (size_t i = marks.size(); i-- > 0;) {
    if (Lookup({marks[i].a, marks[i].b}, now)) {
      out.read = marks[i].tokens;
      first_write = i + 1;
      break;
    }
  }
  int64_t previous = out.read;
  for (size_t i = first_write; i < marks.size(); ++i) {
    const int64_t segment = std::max<int64_t>(0, marks[i].tokens - previous);
    (marks[i].ttl == CacheTtl::k1h ? out.write_1h : out.write_5m) += segment;
    previous = std::max(previous, marks[i].tokens);
  }
  for (const Mark& mark : marks) Store({mark.a, mark.b}, now + TtlOf(mark.ttl));
  out.input_tokens = total - out.read - out.write_5m - out.write_1h;
  return out;
}

bool PromptCache::Lookup(const Key& key, steady_clock::time_point now) {
  Shard& shard = ShardOf(key);
  MutexLock lock(shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return false;
  if (it->second->second <= now) {
    shard.lru.erase(it->second);
    shard.index.erase(it);
    return false;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return true;
}

void PromptCache::Store(const Key& key, steady_clock::time_point expires) {
  Shard& shard = ShardOf(key);
  MutexLock lock(shard.mu);
  auto it = shard.index.find(key);
  if (it != shard.index.end()) {
    it->second->second = std::max(it->second->second, expires);
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return;
  }
  if (shard.index.size() >= per_shard_) {
    shard.index.erase(shard.lru.back().first);
    shard.lru.pop_back();
  }
  shard.lru.emplace_front(key, expires);
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
