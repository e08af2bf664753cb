#include "metering/metrics.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bp::metering {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

UsageRecord Call(std::string profile = "rd-claude", int32_t status = 200) {
  UsageRecord r;
  r.profile_name = std::move(profile);
  r.model_id = "anthropic.claude-x";
  r.serving_region = "eu-west-1";
  r.operation = Operation::kConverse;
  r.status = status;
  r.tokens = {.input = 10, .output = 20, .cache_read = 3, .cache_write_5m = 2, .cache_write_1h = 1};
  r.latency_ms = 150;
  r.ttft_ms = 30;
  r.cost_micro_usd = 1'500'002;
  return r;
}

std::unique_ptr<Metrics> NewMetrics(size_t max_series = 10'000) {
  auto m = std::make_unique<Metrics>(MetricsOptions{
      .error_codes = {"ThrottlingException", "ValidationException"}, .max_series = max_series});
  m->Allow({.profiles = {"rd-claude", "rd-nova"},
            .models = {"anthropic.claude-x"},
            .regions = {"eu-west-1", "eu-central-1"}});
  return m;
}

// Only the lines of `text` starting with `prefix`, each with its newline.
std::string Lines(const std::string& text, std::string_view prefix) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line(text.data() + pos, end - pos);
    if (line.starts_with(prefix)) {
      out += line;
      out += '\n';
    }
    pos = end + 1;
  }
  return out;
}

constexpr std::string_view kLabels =
    R"(profile="rd-claude",model="anthropic.claude-x",operation="Converse",region="eu-west-1",status_class="2xx")";

TEST(MetricsTest, CountersRenderExactly) {
  auto owned_m = NewMetrics();
  Metrics& m = *owned_m;
  m.Record(Call());
  m.Record(Call());
  std::string text = m.RenderText();
  std::string l(kLabels);
  EXPECT_EQ(Lines(text, "bedrock_profiles_requests_total"),
            "bedrock_profiles_requests_total{" + l + "} 2\n");
  EXPECT_EQ(Lines(text, "bedrock_profiles_tokens_total"),
            "bedrock_profiles_tokens_total{" + l + ",type=\"input\"} 20\n" +
                "bedrock_profiles_tokens_total{" + l + ",type=\"output\"} 40\n" +
                "bedrock_profiles_tokens_total{" + l + ",type=\"cache_read\"} 6\n" +
                "bedrock_profiles_tokens_total{" + l + ",type=\"cache_write\"} 6\n");
  EXPECT_EQ(Lines(text, "bedrock_profiles_cost_usd_total"),
            "bedrock_profiles_cost_usd_total{" + l + "} 3.000004\n");
  EXPECT_EQ(Lines(text, "bedrock_profiles_errors_total"), "");
  EXPECT_THAT(text, HasSubstr("# HELP bedrock_profiles_requests_total Runtime calls"));
  EXPECT_THAT(text, HasSubstr("# TYPE bedrock_profiles_requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE gen_ai_server_request_duration_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("bedrock_profiles_metrics_overflow_total 0\n"));
}

TEST(MetricsTest, DurationHistogramRendersExactly) {
  auto owned_m = NewMetrics();
  Metrics& m = *owned_m;
  UsageRecord fast = Call();
  fast.latency_ms = 10;  // on the first bound: le="0.01"
  m.Record(fast);
  m.Record(Call());  // 150 ms: le="0.16"
  UsageRecord slow = Call();
  slow.latency_ms = 100'000;  // past the last bound
  m.Record(slow);
  std::string g =
      R"(gen_ai_operation_name="chat",gen_ai_provider_name="aws.bedrock",gen_ai_request_model="anthropic.claude-x",profile="rd-claude",operation="Converse",region="eu-west-1",status_class="2xx")";
  std::string want;
  const char* les[] = {"0.01", "0.02", "0.04",  "0.08",  "0.16",  "0.32",  "0.64", "1.28",
                       "2.56", "5.12", "10.24", "20.48", "40.96", "81.92", "+Inf"};
  int counts[] = {1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3};
  for (size_t i = 0; i < std::size(les); ++i) {
    want += "gen_ai_server_request_duration_seconds_bucket{" + g + ",le=\"" + les[i] + "\"} " +
            std::to_string(counts[i]) + "\n";
  }
  want += "gen_ai_server_request_duration_seconds_sum{" + g + "} 100.16\n";
  want += "gen_ai_server_request_duration_seconds_count{" + g + "} 3\n";
  EXPECT_EQ(Lines(m.RenderText(), "gen_ai_server_request_duration_seconds_"), want);
}

TEST(MetricsTest, TokenUsageAndTtftHistograms) {
  auto owned_m = NewMetrics();
  Metrics& m = *owned_m;
  m.Record(Call());
  std::string text = m.RenderText();
  // input = 10 + 3 cache read + 3 cache write = 16: in le="16".
  EXPECT_THAT(text, HasSubstr(R"(,gen_ai_token_type="input",le="4"} 0)"));
  EXPECT_THAT(text, HasSubstr(R"(,gen_ai_token_type="input",le="16"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(,gen_ai_token_type="output",le="16"} 0)"));
  EXPECT_THAT(text, HasSubstr(R"(,gen_ai_token_type="output",le="64"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(gen_ai_token_type="input"} 16)"));  // _sum
  EXPECT_THAT(text, HasSubstr(R"(status_class="2xx",le="0.02"} 0)"
                              "\n"
                              "gen_ai_server_time_to_first_token_seconds_bucket{"));
  EXPECT_THAT(Lines(text, "gen_ai_server_time_to_first_token_seconds_sum"), HasSubstr("} 0.03\n"));
  // CountTokens is not a generation: no gen_ai_* sample, but counted.
  auto owned_count = NewMetrics();
  Metrics& count = *owned_count;
  UsageRecord r = Call();
  r.operation = Operation::kCountTokens;
  count.Record(r);
  std::string counted = count.RenderText();
  EXPECT_EQ(Lines(counted, "gen_ai_"), "");
  EXPECT_THAT(counted,
              HasSubstr(R"(operation="CountTokens",region="eu-west-1",status_class="2xx"} 1)"));
}

TEST(MetricsTest, LabelsOutsideTheAllowedSetsBecomeADash) {
  auto owned_m = NewMetrics();
  Metrics& m = *owned_m;
  UsageRecord r = Call("client-chosen\"name");
  r.model_id = "arn:aws:bedrock:x";
  r.serving_region = "mars-1";
  m.Record(r);
  m.Record(Call(""));
  std::string text = m.RenderText();
  EXPECT_EQ(Lines(text, "bedrock_profiles_requests_total"),
            "bedrock_profiles_requests_total{profile=\"-\",model=\"-\",operation=\"Converse\","
            "region=\"-\",status_class=\"2xx\"} 1\n"
            "bedrock_profiles_requests_total{profile=\"-\",model=\"anthropic.claude-x\","
            "operation=\"Converse\",region=\"eu-west-1\",status_class=\"2xx\"} 1\n");
  EXPECT_THAT(text, Not(HasSubstr("client-chosen")));
  EXPECT_THAT(text, Not(HasSubstr("mars-1")));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  auto owned_m = NewMetrics();
  Metrics& m = *owned_m;
  m.Allow({.profiles = {"a\\b\"c\nd"}});
  m.Record(Call("a\\b\"c\nd"));
  ASSERT_TRUE(m.AddGauge("bedrock_profiles_test_gauge", "line one\nback\\slash", [] {
                 return std::vector<Sample>{{{{"k", "v\"1\\\n"}}, 1.5}, {{{"__bad", "x"}}, 2}};
               }).ok());
  std::string text = m.RenderText();
  EXPECT_THAT(text, HasSubstr(R"(profile="a\\b\"c\nd",model=)"));
  EXPECT_THAT(text, HasSubstr("# HELP bedrock_profiles_test_gauge line one\\nback\\\\slash\n"
                              "# TYPE bedrock_profiles_test_gauge gauge\n"
                              "bedrock_profiles_test_gauge{k=\"v\\\"1\\\\\\n\"} 1.5\n"));
  EXPECT_THAT(text, Not(HasSubstr("__bad")));  // a bad label name drops the sample
}

TEST(MetricsTest, StatusClassesAndErrorCodes) {
  auto owned_m = NewMetrics();
  Metrics& m = *owned_m;
  UsageRecord throttled = Call("rd-claude", 429);
  throttled.error_code = "ThrottlingException";
  m.Record(throttled);
  UsageRecord odd = Call("rd-claude", 500);
  odd.error_code = "SomethingClientMade";
  m.Record(odd);
  UsageRecord gone = Call("rd-claude", 0);
  EXPECT_EQ(StatusClass(gone), "cancelled");
  m.Record(gone);
  UsageRecord cut = Call();
  cut.cut_short = true;
  EXPECT_EQ(StatusClass(cut), "cancelled");
  UsageRecord mid_stream = Call();
  mid_stream.cut_short = true;
  mid_stream.error_code = "ValidationException";
  EXPECT_EQ(StatusClass(mid_stream), "2xx");
  std::string text = m.RenderText();
  EXPECT_THAT(text, HasSubstr(R"(status_class="4xx",code="ThrottlingException"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(status_class="5xx",code="other"} 1)"));
  EXPECT_THAT(text, Not(HasSubstr("SomethingClientMade")));
  EXPECT_THAT(text, HasSubstr(R"(status_class="cancelled"} 1)"));
}

TEST(MetricsTest, SeriesCapSendsNewKeysToTheOverflowSeries) {
  auto owned_m = NewMetrics(/*max_series=*/1);
  Metrics& m = *owned_m;
  m.Record(Call("rd-claude"));
  m.Record(Call("rd-nova"));  // a second key: over the cap
  m.Record(Call("rd-nova"));
  m.Record(Call("rd-claude"));  // exists: still counted in its own series
  std::string text = m.RenderText();
  EXPECT_EQ(Lines(text, "bedrock_profiles_requests_total"),
            "bedrock_profiles_requests_total{profile=\"-\",model=\"-\",operation=\"Converse\","
            "region=\"-\",status_class=\"2xx\"} 2\n"
            "bedrock_profiles_requests_total{profile=\"rd-claude\",model=\"anthropic.claude-x\","
            "operation=\"Converse\",region=\"eu-west-1\",status_class=\"2xx\"} 2\n");
  EXPECT_THAT(text, HasSubstr("bedrock_profiles_metrics_overflow_total 2\n"));
}

TEST(MetricsTest, ConcurrentRecordsAreAllCounted) {
  auto owned_m = NewMetrics();
  Metrics& m = *owned_m;
  constexpr int kThreads = 8;
  constexpr int kCalls = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < kCalls; ++i) {
        UsageRecord r = Call(i % 2 == 0 ? "rd-claude" : "rd-nova");
        r.serving_region = t % 2 == 0 ? "eu-west-1" : "eu-central-1";
        m.Record(r);
        if (i % 1000 == 0) (void)m.RenderText();  // renders race records
      }
    });
  }
  for (auto& th : threads) th.join();
  std::string text = m.RenderText();
  std::string requests = Lines(text, "bedrock_profiles_requests_total");
  // 2 profiles x 2 regions, each 4 threads x 2500 calls.
  EXPECT_EQ(std::count(requests.begin(), requests.end(), '\n'), 4);
  size_t pos = 0;
  while ((pos = requests.find("} ", pos)) != std::string::npos) {
    EXPECT_EQ(requests.substr(pos + 2, requests.find('\n', pos) - pos - 2), "10000");
    ++pos;
  }
  EXPECT_THAT(text, HasSubstr(R"(profile="rd-nova",operation="Converse",region="eu-central-1",)"
                              R"(status_class="2xx",le="+Inf"} 10000)"));
}

TEST(MetricsTest, CallbacksAreCheckedAndRendered) {
  auto owned_m = NewMetrics();
  Metrics& m = *owned_m;
  auto none = [] { return std::vector<Sample>{}; };
  EXPECT_FALSE(m.AddCallback("bad name", "", MetricType::kGauge, none).ok());
  EXPECT_FALSE(m.AddCallback("bedrock_profiles_x", "", MetricType::kCounter, none).ok());
  EXPECT_FALSE(m.AddGauge("bedrock_profiles_requests_total", "", none).ok());
  EXPECT_FALSE(m.AddGauge("gen_ai_whatever", "", none).ok());
  ASSERT_TRUE(
      m.AddCallback(
           "bedrock_profiles_upstream_attempts_total", "Attempts.", MetricType::kCounter,
           [] {
             return std::vector<Sample>{{{{"region", "eu-west-1"}, {"outcome", "failure"}}, 3}};
           })
          .ok());
  EXPECT_FALSE(m.AddGauge("bedrock_profiles_upstream_attempts_total", "", none).ok());
  std::string text = m.RenderText();
  EXPECT_THAT(text, HasSubstr("# TYPE bedrock_profiles_upstream_attempts_total counter\n"
                              "bedrock_profiles_upstream_attempts_total{region=\"eu-west-1\","
                              "outcome=\"failure\"} 3\n"));
}

}  // namespace
}  // namespace bp::metering
