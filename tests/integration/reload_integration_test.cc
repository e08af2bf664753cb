// SIGHUP against a real `serve` child process: the config file is read again
// and applied without a restart. A valid file swaps principals and policies
// for new requests while a stream started before the reload finishes on the
// snapshot it started with; an invalid file keeps the running config, and
// its errors reach stderr with file:line:col. Requests are signed by curl's
// --aws-sigv4, as in auth_integration_test.cc.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <string>
#include <vector>

#include <signal.h>

#include "integration/child_process.h"
#include "testing/testing.h"

namespace bp::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kProfilePath[] = "/model/acwt9yee9wzo";
constexpr char kAllowAll[] = "bedrock:*";
constexpr char kConverseOnly[] = "bedrock:InvokeModel";

struct Key {
  const char* name;
  const char* access_key_id;
};
constexpr Key kAlice{"alice", "AKIAALICE00000000001"};
constexpr Key kBob{"bob", "AKIABOB0000000000001"};
constexpr Key kCarol{"carol", "AKIACAROL00000000001"};

std::string Principal(const Key& key, const char* action) {
  const std::string n = key.name;
  return "  " + n + " = {\n    arn = \"arn:aws:iam::123456789012:role/" + n +
         "\"\n    access_key_id = \"" + key.access_key_id + "\"\n    secret_access_key = \"" + n +
         "-secret-key\"\n    policy = <<-EOT\n      { \"Version\": \"2012-10-17\", \"Statement\": "
         "[ { \"Effect\": \"Allow\", \"Action\": \"" +
         action + "\", \"Resource\": \"*\" } ] }\n    EOT\n  }\n";
}

// One profile over three simulated regions that answer 4 tokens a second,
// so a 16-word answer streams for about four seconds: long enough to
// reload while it runs, even on a slow (sanitizer) build.
std::string ConfigText(const std::string& principals) {
  return "account_id = \"123456789012\"\nregion = \"eu-central-1\"\n"
         "default_tags = { Environment = \"rd\" }\n"
         "inference_profiles = {\n  rd-haiku-45 = {\n    model_arn = "
         "\"arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
         "eu.anthropic.claude-haiku-4-5-20251001-v1:0\"\n    id = \"acwt9yee9wzo\"\n  }\n}\n"
         "regions = {\n"
         "  eu-central-1 = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 4 } }\n"
         "  eu-west-1 = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 4 } }\n"
         "  eu-west-3 = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 4 } }\n"
         "}\nprincipals = {\n" +
         principals + "}\n";
}

struct Answer {
  std::string status;  // "200"
  std::string headers;
  std::string body;
  std::string err;
};

class ReloadIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.path() / "bedrock-profiles.hcl";
    // Before: alice may only Converse, carol may do anything, bob is unknown.
    Write(ConfigText(Principal(kAlice, kConverseOnly) + Principal(kCarol, kAllowAll)));
    serve_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"serve", "--config", config_.string(), "--listen", "127.0.0.1:0",
                                 "--state", (dir_.path() / "state").string()});
    auto first = serve_->ReadLine(std::chrono::seconds(20));
    std::smatch m;
    static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:\d+))");
    ASSERT_TRUE(first && std::regex_search(*first, m, kListening)) << first.value_or("") << "\n"
                                                                   << serve_->Stderr();
    endpoint_ = m[1];
  }

  void TearDown() override {
    if (serve_ == nullptr) return;
    serve_->Signal(SIGTERM);
    EXPECT_EQ(serve_->Wait(std::chrono::seconds(20)), std::optional<int>(0));
  }

  void Write(const std::string& text) { std::ofstream(config_, std::ios::trunc) << text; }

  // Sends SIGHUP and waits until stderr shows `marker` (the reload's outcome
  // line) for the `nth` time.
  void Reload(const std::string& marker, size_t nth) {
    serve_->Signal(SIGHUP);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (Count(serve_->Stderr(), marker) < nth) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no '" << marker << "' in stderr:\n"
                                                            << serve_->Stderr();
      ASSERT_EQ(serve_->Wait(std::chrono::milliseconds(20)), std::nullopt) << "serve exited:\n"
                                                                           << serve_->Stderr();
    }
  }

  static size_t Count(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++n;
    }
    return n;
  }

  // POST kProfilePath/`operation`, signed by curl for `key`. `out` receives
  // the body as it arrives (--no-buffer).
  Answer Call(const Key& key, const std::string& operation, const std::string& prompt,
              const std::string& tag) {
    const std::string body = (dir_.path() / (tag + ".json")).string();
    const std::string head = (dir_.path() / (tag + ".head")).string();
    const std::string out = (dir_.path() / (tag + ".out")).string();
    std::ofstream(body) << R"({"messages":[{"role":"user","content":[{"text":")" << prompt
                        << R"("}]}]})";
    RunResult r = RunProgram("curl",
                             {"--silent",
                              "--show-error",
                              "--no-buffer",
                              "--max-time",
                              "30",
                              "--aws-sigv4",
                              "aws:amz:eu-central-1:bedrock",
                              "--user",
                              std::string(key.access_key_id) + ":" + key.name + "-secret-key",
                              "-H",
                              "content-type: application/json",
                              "--data-binary",
                              "@" + body,
                              "--dump-header",
                              head,
                              "--output",
                              out,
                              "--write-out",
                              "%{http_code}",
                              endpoint_ + kProfilePath + "/" + operation},
                             std::chrono::seconds(40));
    return Answer{.status = r.out,
                  .headers = std::filesystem::exists(head) ? ReadFileOrDie(head) : "",
                  .body = std::filesystem::exists(out) ? ReadFileOrDie(out) : "",
                  .err = r.err};
  }

  std::string Healthz() {
    return RunProgram("curl", {"--silent", "--max-time", "10", "--write-out", " %{http_code}",
                               endpoint_ + "/healthz"})
        .out;
  }

  TempDir dir_;
  std::filesystem::path config_;
  std::unique_ptr<ChildProcess> serve_;
  std::string endpoint_;
};

TEST_F(ReloadIntegrationTest, SighupAppliesAValidFileAndKeepsTheRunningConfigOnAnInvalidOne) {
  // Before the reload.
  EXPECT_EQ(Call(kAlice, "converse", "Say: hi", "a1").status, "200");
  Answer denied = Call(kAlice, "converse-stream", "Say: hi", "a2");
  EXPECT_EQ(denied.status, "403");
  EXPECT_THAT(denied.body, HasSubstr("bedrock:InvokeModelWithResponseStream"));
  EXPECT_EQ(Call(kBob, "converse", "Say: hi", "b1").status, "403");

  // A stream in flight across the reload: carol's, who is removed by it.
  const std::filesystem::path streamed = dir_.path() / "long.out";
  std::future<Answer> in_flight = std::async(std::launch::async, [this] {
    return Call(kCarol, "converse-stream",
                "Say: one two three four five six seven eight nine ten eleven twelve "
                "thirteen fourteen fifteen sixteen",
                "long");
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(streamed) || std::filesystem::file_size(streamed) == 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the stream never started";
    ASSERT_EQ(in_flight.wait_for(std::chrono::milliseconds(10)), std::future_status::timeout)
        << "the stream ended before the reload: " << in_flight.get().status;
  }

  // After: alice may stream, bob is new, carol is gone.
  Write(ConfigText(Principal(kAlice, kAllowAll) + Principal(kBob, kAllowAll)));
  Reload("reloaded config from " + config_.string() + ": 2 principal(s), 1 profile(s)", 1);
  ASSERT_EQ(in_flight.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout)
      << "the stream should still be running after the reload";

  Answer alice = Call(kAlice, "converse-stream", "Say: hi", "a3");
  EXPECT_EQ(alice.status, "200") << alice.body;
  Answer bob = Call(kBob, "converse", "Say: hello bob", "b2");
  EXPECT_EQ(bob.status, "200") << bob.body;
  EXPECT_THAT(bob.body, HasSubstr("hello bob"));
  Answer carol = Call(kCarol, "converse", "Say: hi", "c1");
  EXPECT_EQ(carol.status, "403");
  EXPECT_THAT(carol.headers, HasSubstr("UnrecognizedClientException"));
  EXPECT_EQ(carol.body, R"({"message":"The security token included in the request is invalid."})");

  Answer finished = in_flight.get();
  EXPECT_EQ(finished.status, "200") << finished.err;
  EXPECT_THAT(finished.body, HasSubstr(R"("text":" twelve")"));  // long words come in pieces
  EXPECT_THAT(finished.body, HasSubstr("messageStop"));

  // An invalid file: every error with file:line:col, the old config stays.
  std::string broken = ConfigText(Principal(kAlice, kConverseOnly));
  broken.insert(0, "frobnicate = 1\n");
  Write(broken);
  Reload("refused: 1 error(s) in the file; still serving the previous config", 1);
  EXPECT_THAT(serve_->Stderr(), HasSubstr(config_.string() + ":1:1: "));
  EXPECT_THAT(serve_->Stderr(), HasSubstr("frobnicate"));
  EXPECT_EQ(Call(kBob, "converse", "Say: still here", "b3").status, "200");
  EXPECT_EQ(Call(kAlice, "converse-stream", "Say: still allowed", "a4").status, "200");
  EXPECT_EQ(Healthz(), R"({"status":"ok"} 200)");
  EXPECT_EQ(serve_->Wait(std::chrono::milliseconds(0)), std::nullopt) << "serve must stay up";
}

}  // namespace
}  // namespace bp::testing
