#pragma once
// A real `serve` child process per test suite, on 127.0.0.1 port 0, for the
// integration tests (one binary per file, each including this header).

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <signal.h>

#include "integration/child_process.h"
#include "testing/testing.h"

namespace bp::testing {

// Three simulated destination regions that answer at once.
inline constexpr char kFastRegions[] = R"(
regions = {
  eu-central-1 = { backend = "simulated", simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }
  eu-west-1    = { backend = "simulated", simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }
  eu-west-3    = { backend = "simulated", simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }
}
)";

// The shipped config with its `regions` block (if any) replaced by `regions`.
inline std::string WithRegions(std::string shipped, const std::string& regions) {
  size_t begin = shipped.find("\nregions = {");
  size_t end = begin == std::string::npos ? begin : shipped.find("\n}\n", begin);
  if (end == std::string::npos) return shipped + regions;
  return shipped.replace(begin, end + 3 - begin, regions);
}

inline std::string ShippedConfig() {
  return ReadFileOrDie(SourceDir() / "config" / "bedrock-profiles.hcl");
}

// One `serve` per suite, on 127.0.0.1 port 0, with Suite::ConfigText().
template <class Suite>
class ServedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    config_ = (dir_->path() / "bedrock-profiles.hcl").string();
    std::ofstream(config_) << Suite::ConfigText();
    serve_ = new ChildProcess({"serve", "--config", config_, "--listen", "127.0.0.1:0", "--state",
                               (dir_->path() / "state").string()});
    auto first = serve_->ReadLine(std::chrono::seconds(20));
    std::smatch m;
    static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:\d+))");
    if (first && std::regex_search(*first, m, kListening)) {
      endpoint_ = m[1];
    } else {
      serve_error_ = first.value_or("") + "\n" + serve_->Stderr();
    }
  }
  static void TearDownTestSuite() {
    serve_->Signal(SIGTERM);
    serve_->Wait(std::chrono::seconds(20));
    delete serve_;
    delete dir_;
  }
  void SetUp() override {
    ASSERT_FALSE(endpoint_.empty()) << "serve did not start:\n" << serve_error_;
  }

  // invoke ... with the suite's config.
  RunResult Invoke(std::vector<std::string> args) {
    std::vector<std::string> all = {"invoke"};
    all.insert(all.end(), args.begin(), args.end());
    for (const char* extra : {"--config", config_.c_str()}) all.emplace_back(extra);
    return RunBinary(all);
  }

  static inline TempDir* dir_ = nullptr;
  static inline ChildProcess* serve_ = nullptr;
  static inline std::string config_;
  static inline std::string endpoint_;
  static inline std::string serve_error_;
};

}  // namespace bp::testing
