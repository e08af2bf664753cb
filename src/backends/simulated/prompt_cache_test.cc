#include "backends/simulated/prompt_cache.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "backends/simulated/conversation.h"
#include "testing/testing.h"

namespace bp::backends::simulated {
namespace {

using Section = CachePoint::Section;

constexpr char kModel[] = "anthropic.claude-sonnet-4-5-20250929-v1:0";
constexpr char kProfile[] =
    "arn:aws:bedrock:eu-central-1:111122223333:application-inference-profile/p1";

// n words: n tokens.
std::string Words(int n, std::string_view word = "alpha") {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i > 0) s += ' ';
    s += word;
  }
  return s;
}

class PromptCacheTest : public ::testing::Test {
 protected:
  PromptCacheTest() : cache_(clock_, {.models = {{kModel, {.min_tokens = 100}}}}) {}

  ModelRequest Request(int system_tokens, CacheTtl ttl = CacheTtl::k5m) {
    ModelRequest r;
    r.model_id = kModel;
    r.profile_arn = kProfile;
    r.system = {Words(system_tokens)};
    r.messages.push_back({Role::kUser, {ContentBlock{.text = "Hello there"}}});
    r.cache_points.push_back({.section = Section::kSystem, .count = 1, .ttl = ttl});
    return r;
  }

  CacheAccounting Account(const ModelRequest& r) {
    return cache_.Account(r, CountRequestTokens(r));
  }

  bp::testing::FakeClock clock_;
  PromptCache cache_;
};

TEST_F(PromptCacheTest, FirstCallWritesRepeatReads) {
  ModelRequest r = Request(200);
  const int64_t total = CountRequestTokens(r);  // 200 + 4 + 2
  CacheAccounting first = Account(r);
  EXPECT_EQ(first.read, 0);
  EXPECT_EQ(first.write_5m, 200);
  EXPECT_EQ(first.write_1h, 0);
  EXPECT_EQ(first.input_tokens, total - 200);
  CacheAccounting second = Account(r);
  EXPECT_EQ(second.read, 200);
  EXPECT_EQ(second.write_5m, 0);
  EXPECT_EQ(second.input_tokens, total - 200);
}

TEST_F(PromptCacheTest, ExpiresAfterTtlAndAHitRefreshes) {
  ModelRequest r = Request(200);
  Account(r);
  clock_.Advance(std::chrono::minutes(4));
  EXPECT_EQ(Account(r).read, 200);  // refreshed: 5 more minutes from now
  clock_.Advance(std::chrono::minutes(4));
  EXPECT_EQ(Account(r).read, 200);
  clock_.Advance(std::chrono::minutes(5));
  CacheAccounting again = Account(r);
  EXPECT_EQ(again.read, 0);
  EXPECT_EQ(again.write_5m, 200);
}

TEST_F(PromptCacheTest, OneHourTtlOutlivesFiveMinutes) {
  ModelRequest r = Request(200, CacheTtl::k1h);
  EXPECT_EQ(Account(r).write_1h, 200);
  clock_.Advance(std::chrono::minutes(59));
  EXPECT_EQ(Account(r).read, 200);
}

TEST_F(PromptCacheTest, BelowTheMinimumNothingIsCached) {
  ModelRequest r = Request(99);
  CacheAccounting a = Account(r);
  EXPECT_EQ(a.read + a.write_5m + a.write_1h, 0);
  EXPECT_EQ(a.input_tokens, CountRequestTokens(r));
  EXPECT_EQ(cache_.SizeForTest(), 0u);
}

TEST_F(PromptCacheTest, ModelWithoutRulesCachesNothing) {
  ModelRequest r = Request(200);
  r.model_id = "anthropic.claude-3-haiku-20240307-v1:0";
  EXPECT_EQ(Account(r).write_5m, 0);
}

TEST_F(PromptCacheTest, CacheIsPerProfile) {
  ModelRequest r = Request(200);
  Account(r);
  r.profile_arn += "x";
  EXPECT_EQ(Account(r).read, 0);
}

TEST_F(PromptCacheTest, LongestCachedPrefixIsReadAndSegmentsSplitByTtl) {
  // tools (1h point) then system (5m point) then the first message (5m point).
  ModelRequest r = Request(150);
  r.tools.push_back(
      {.name = "lookup", .description = Words(120, "beta"), .input_schema_json = "{}"});
  const int64_t tool_tokens = 1 + 120 + 2;
  r.cache_points = {{.section = Section::kTools, .count = 1, .ttl = CacheTtl::k1h},
                    {.section = Section::kSystem, .count = 1, .ttl = CacheTtl::k5m},
                    {.section = Section::kMessages, .message = 0, .count = 1}};
  CacheAccounting first = Account(r);
  EXPECT_EQ(first.write_1h, tool_tokens);
  EXPECT_EQ(first.write_5m, 150 + 4 + 2);
  EXPECT_EQ(first.read, 0);
  EXPECT_EQ(first.input_tokens, 0);
  // A new user turn after the cached prefix: system and tools read.
  r.messages[0].content[0].text = "Something else entirely";
  CacheAccounting second = Account(r);
  EXPECT_EQ(second.read, tool_tokens + 150);
  EXPECT_EQ(second.write_5m, 4 + 5);  // "Something" and "entirely" are 2 tokens each
  EXPECT_EQ(second.write_1h, 0);
  // After 5 minutes only the 1h prefix (the tools) is still there.
  clock_.Advance(std::chrono::minutes(6));
  CacheAccounting third = Account(r);
  EXPECT_EQ(third.read, tool_tokens);
  EXPECT_EQ(third.write_5m, 150 + 4 + 5);
}

TEST_F(PromptCacheTest, BoundedByEvictingTheLeastRecentlyUsed) {
  PromptCache small(clock_,
                    {.max_entries = PromptCache::kShards, .models = {{kModel, {.min_tokens = 1}}}});
  ModelRequest r = Request(5);
  for (int i = 0; i < 100; ++i) {
    r.system = {Words(5) + " " + std::to_string(i)};
    small.Account(r, CountRequestTokens(r));
  }
  EXPECT_LE(small.SizeForTest(), PromptCache::kShards);
}

TEST_F(PromptCacheTest, ConcurrentCallsAgree) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 200; ++i) {
        ModelRequest r = Request(120 + (i % 7) + t);
        CacheAccounting a = Account(r);
        EXPECT_EQ(a.input_tokens + a.read + a.write_5m, CountRequestTokens(r));
      }
    });
  }
  for (std::thread& th : threads) th.join();
}

}  // namespace
}  // namespace bp::backends::simulated
