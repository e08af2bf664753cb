#include "storage/sqlite/record_codec.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace bp::storage::sqlite {
namespace {

using metering::UsageRecord;

UsageRecord Full() {
  UsageRecord r;
  r.time_ms = 1'796'000'000'123;
  r.request_id = "6f1d0f6e-6a55-4d47-9a4e-7d5a0c1e2b3f";
  r.principal = "arn:aws:iam::123456789012:role/rd-e2e";
  r.profile_name = "rd-haiku-45";
  r.profile_arn =
      "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
  r.model_id = "eu.anthropic.claude-haiku-4-5-20251001-v1:0";
  r.source_region = "eu-central-1";
  r.serving_region = "eu-west-1";
  r.attempts = 2;
  r.operation = metering::Operation::kConverseStream;
  r.status = 200;
  r.error_code = "ModelStreamErrorException";
  r.cut_short = true;
  r.tokens = {.input = 16, .output = 10, .cache_read = 7, .cache_write_5m = 3, .cache_write_1h = 2};
  r.tokens_estimated = true;
  r.latency_ms = 1234;
  r.ttft_ms = 56;
  r.service_tier = "priority";
  r.request_metadata = {{"run", "e2e-42"}, {"", std::string(300, 'x')}, {"k\0ey", "v"}};
  r.tags = {{"Environment", "rd"}, {"Owner", "platform-engineering"}, {"billing-mode", "rd"}};
  r.cost_micro_usd = 66;
  r.price_version = "builtin-2026-11";
  return r;
}

void ExpectSame(const UsageRecord& a, const UsageRecord& b) {
  EXPECT_EQ(a.time_ms, b.time_ms);
  EXPECT_EQ(a.request_id, b.request_id);
  EXPECT_EQ(a.principal, b.principal);
  EXPECT_EQ(a.profile_name, b.profile_name);
  EXPECT_EQ(a.profile_arn, b.profile_arn);
  EXPECT_EQ(a.model_id, b.model_id);
  EXPECT_EQ(a.source_region, b.source_region);
  EXPECT_EQ(a.serving_region, b.serving_region);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.operation, b.operation);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.error_code, b.error_code);
  EXPECT_EQ(a.cut_short, b.cut_short);
  EXPECT_EQ(a.tokens.input, b.tokens.input);
  EXPECT_EQ(a.tokens.output, b.tokens.output);
  EXPECT_EQ(a.tokens.cache_read, b.tokens.cache_read);
  EXPECT_EQ(a.tokens.cache_write_5m, b.tokens.cache_write_5m);
  EXPECT_EQ(a.tokens.cache_write_1h, b.tokens.cache_write_1h);
  EXPECT_EQ(a.tokens_estimated, b.tokens_estimated);
  EXPECT_EQ(a.latency_ms, b.latency_ms);
  EXPECT_EQ(a.ttft_ms, b.ttft_ms);
  EXPECT_EQ(a.service_tier, b.service_tier);
  EXPECT_EQ(a.request_metadata, b.request_metadata);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.cost_micro_usd, b.cost_micro_usd);
  EXPECT_EQ(a.price_version, b.price_version);
}

// Records one after the other in one buffer, read back into one reused
// record: every field as it was, whatever the previous record held (other
// tags of the same count, fewer or more tags, no metadata, empty strings).
TEST(RecordCodecTest, RecordsRoundTripIntoOneReusedRecord) {
  UsageRecord full = Full();
  UsageRecord same_count_other_keys = Full();
  same_count_other_keys.tags = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  UsageRecord same_keys_other_values = Full();
  same_keys_other_values.tags["Owner"] = "someone-else";
  UsageRecord empty;  // every string empty, ttft -1, no lists
  UsageRecord more_tags = Full();
  more_tags.tags["zz"] = "last";
  more_tags.tokens_estimated = false;  // after a true one, read into the same record
  const UsageRecord records[] = {
      full, same_count_other_keys, same_keys_other_values, empty, more_tags, full};
  std::string bytes;
  for (const UsageRecord& r : records) AppendRecord(r, bytes);

  std::string_view in = bytes;
  UsageRecord out;
  for (const UsageRecord& want : records) {
    ASSERT_TRUE(ReadRecord(in, out));
    ExpectSame(out, want);
  }
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(ReadRecord(in, out));
}

// Every strict prefix of a record is refused, never read past its end.
TEST(RecordCodecTest, TruncatedRecordsAreRefused) {
  std::string bytes;
  AppendRecord(Full(), bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string_view in(bytes.data(), n);
    UsageRecord out;
    EXPECT_FALSE(ReadRecord(in, out)) << n;
  }
}

}  // namespace
}  // namespace bp::storage::sqlite
