// Golden runner for prompt caching, from the wire to the simulated model's
// accounting: every tests/golden/prompt_cache/NAME.json is a sequence of
// calls, each parsed by the real wire parser (Converse or the Anthropic body
// of InvokeModel), checked against its model's catalog entry as the runtime
// service checks it, and answered by a SimulatedBackend over one shared
// PromptCache on a fake clock. What each call reports is compared with
// NAME.expected, one line per call:
//
//   1 converse team-a: input 12, cache read 0, cache write 1030 (5m 1030, 1h 0), total 1042
//   2 anthropic team-a: error: A maximum of 4 blocks with cache_control may be provided. Found 5.
//
// A case file:
//   {"calls": [{"wire": "converse" | "anthropic",        (default: the previous call's)
//               "model": "<model id>",                     (default: the previous call's;
//                                                           first: Claude Sonnet 4.5)
//               "profile": "team-a",                       (default: the previous call's)
//               "after_seconds": 0,                        (the clock moves first)
//               "body": {...}}, ...]}
// Any string "@words:N" or "@words:N:P" in a body becomes N distinct
// one-token words (P0 P1 ...; P defaults to "w"), so prefixes of a few
// thousand tokens stay readable. With BP_UPDATE_GOLDEN=1 the runner writes
// NAME.expected instead of comparing (review the diff before committing).

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "api/runtime/anthropic_wire.h"
#include "api/runtime/cache_points.h"
#include "api/runtime/converse_wire.h"
#include "backends/simulated/prompt_cache.h"
#include "backends/simulated/simulated_backend.h"
#include "catalog/catalog.h"
#include "json/json.h"
#include "testing/manual_event_loop.h"
#include "testing/testing.h"

namespace bp::api::runtime {
namespace {

namespace fs = std::filesystem;

fs::path CaseDir() { return bp::testing::SourceDir() / "tests" / "golden" / "prompt_cache"; }

// "@words:N[:P]" -> "P0 P1 ... P(N-1)".
void ExpandWords(json::Value& v) {
  if (v.is_object()) {
    for (auto& member : v.get_object()) ExpandWords(member.value());
  } else if (v.is_array()) {
    for (json::Value& item : v.get_array()) ExpandWords(item);
  } else if (v.is_string()) {
    std::string_view s = v.get_string();
    if (!s.starts_with("@words:")) return;
    s.remove_prefix(7);
    std::string prefix = "w";
    if (size_t colon = s.find(':'); colon != std::string_view::npos) {
      prefix = s.substr(colon + 1);
      s = s.substr(0, colon);
    }
    const int n = std::stoi(std::string(s));
    std::string text;
    for (int i = 0; i < n; ++i) text += (i ? " " : "") + prefix + std::to_string(i);
    v = json::Value(text);
  }
}

class PromptCacheGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PromptCacheGoldenTest, MatchesExpected) {
  Result<catalog::Catalog> catalog = catalog::Catalog::Builtin();
  ASSERT_OK(catalog);
  const fs::path input = CaseDir() / GetParam();
  Result<json::Value> doc = json::Parse(bp::testing::ReadFileOrDie(input));
  ASSERT_OK(doc) << input;
  const json::Value* calls = doc->is_object() ? doc->get_object().if_contains("calls") : nullptr;
  ASSERT_TRUE(calls != nullptr && calls->is_array()) << input << ": no \"calls\" array";

  bp::testing::FakeClock clock;
  backends::simulated::PromptCacheOptions options;
  for (const catalog::FoundationModel& m : catalog->models()) {
    if (m.prompt_cache_min_tokens > 0) options.models[m.model_id] = {m.prompt_cache_min_tokens};
  }
  backends::simulated::PromptCache cache(clock, std::move(options));
  backends::simulated::SimulatedBackend backend(
      {.time_to_first_token = std::chrono::milliseconds(0), .tokens_per_second = 0}, &cache);
  bp::testing::ManualEventLoop loop;

  std::string wire = "converse";
  std::string model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
  std::string profile = "team-a";
  std::string actual;
  int n = 0;
  for (const json::Value& call_value : calls->get_array()) {
    ASSERT_TRUE(call_value.is_object()) << input;
    const json::Object& call = call_value.get_object();
    if (const json::Value* w = call.if_contains("wire")) wire = w->as_string().c_str();
    if (const json::Value* m = call.if_contains("model")) model = m->as_string().c_str();
    if (const json::Value* p = call.if_contains("profile")) profile = p->as_string().c_str();
    if (const json::Value* a = call.if_contains("after_seconds")) {
      clock.Advance(std::chrono::seconds(a->to_number<int64_t>()));
    }
    const json::Value* body_value = call.if_contains("body");
    ASSERT_NE(body_value, nullptr) << input << ": call " << n + 1 << " has no body";
    json::Value body = *body_value;
    ExpandWords(body);
    const std::string text = json::Serialize(body);

    actual += std::to_string(++n) + " " + wire + " " + profile + ": ";
    Result<backends::ModelRequest> request =
        wire == "anthropic" ? ParseAnthropicRequest(text) : ParseConverseRequest(text);
    Status status = request.status();
    if (status.ok()) {
      status = CheckModelCaching(request->cache_points, model, catalog->FindModel(model));
    }
    if (!status.ok()) {
      actual += "error: " + status.message() + "\n";
      continue;
    }
    request->model_id = model;
    request->region = "eu-central-1";
    request->profile_arn =
        "arn:aws:bedrock:eu-central-1:111122223333:application-inference-profile/" + profile;
    backends::ResponseCollector collector;
    auto invocation = backend.Start(*request, loop, collector);
    loop.RunUntilIdle();
    ASSERT_TRUE(collector.done()) << input << ": call " << n;
    ASSERT_OK(collector.status());
    const backends::Usage& u = collector.response().usage;
    actual +=
        "input " + std::to_string(u.input_tokens) + ", cache read " +
        std::to_string(u.cache_read_input_tokens) + ", cache write " +
        std::to_string(u.cache_write_input_tokens) + " (5m " +
        std::to_string(u.cache_write_5m_tokens) + ", 1h " +
        std::to_string(u.cache_write_1h_tokens) + "), total " +
        std::to_string(u.input_tokens + u.cache_read_input_tokens + u.cache_write_input_tokens) +
        "\n";
    // The whole input is the same with or without the cache.
    EXPECT_EQ(u.input_tokens + u.cache_read_input_tokens + u.cache_write_input_tokens,
              backend.CountInputTokens(*request))
        << input << ": call " << n;
  }

  const fs::path expected_path = fs::path(input).replace_extension(".expected");
  const char* update = std::getenv("BP_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << expected_path << " is missing";
  EXPECT_EQ(actual, bp::testing::ReadFileOrDie(expected_path)) << input;
}

std::vector<std::string> Cases() {
  std::vector<std::string> names;
  for (const fs::path& file : bp::testing::ListCaseFiles(CaseDir(), ".json")) {
    names.push_back(file.filename().string());
  }
  return names;
}

TEST(PromptCacheGoldenCasesTest, Exist) {
  bp::testing::ExpectCases(bp::testing::ListCaseFiles(CaseDir(), ".json"), CaseDir());
}

INSTANTIATE_TEST_SUITE_P(Cases, PromptCacheGoldenTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.size() - 5);
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace bp::api::runtime
