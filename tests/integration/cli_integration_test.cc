// The real binary as a child process: exit codes, the serve banner, drain on
// SIGTERM, and the refusals that protect users.
#include <fstream>
#include <regex>

#include <signal.h>

#include "integration/child_process.h"
#include "testing/testing.h"

namespace bp::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr char kHaikuArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
constexpr char kSonnetArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/tkxdfdh17c6o";

void WriteFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

TEST(CliIntegrationTest, HelpListsTheCommands) {
  RunResult r = RunBinary({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("serve"));
  EXPECT_THAT(r.out, HasSubstr("validate"));
  RunResult none = RunBinary({});
  EXPECT_NE(none.exit_code, 0);
}

TEST(CliIntegrationTest, ValidateAcceptsTheShippedDefault) {
  TempDir dir;  // no ./bedrock-profiles.hcl there: the built-in default applies
  RunResult r = RunBinary({"validate"}, seconds(30), dir.path().string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("valid (2 profile(s), 2 principal(s))"));
}

TEST(CliIntegrationTest, ValidatePrefersTheConfigInTheWorkingDirectory) {
  TempDir dir;
  WriteFile(dir.path() / "bedrock-profiles.hcl", "account_id = \"123\"\n");
  RunResult r = RunBinary({"validate"}, seconds(30), dir.path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bedrock-profiles.hcl:1:"));
}

TEST(CliIntegrationTest, ValidateListsEveryErrorWithLocations) {
  TempDir dir;
  auto path = dir.path() / "broken.hcl";
  WriteFile(path,
            "account_id = \"123456789012\"\n"
            "region     = \"us-east-1\"\n"
            "inference_profiles = {\n"
            "  Haiku = { model_arn = \"arn:aws:bedrock:us-east-1::foundation-model/x\" }\n"
            "}\n"
            "regoin = \"x\"\n");
  RunResult r = RunBinary({"validate", "--config", path.string()});
  EXPECT_EQ(r.exit_code, 1);
  // Several independent errors, each with file:line:col.
  std::regex located(R"(broken\.hcl:\d+:\d+: )");
  auto begin = std::sregex_iterator(r.err.begin(), r.err.end(), located);
  EXPECT_GE(std::distance(begin, std::sregex_iterator()), 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("broken.hcl:6:1"));
  EXPECT_THAT(r.err, HasSubstr("did you mean"));
}

TEST(CliIntegrationTest, ValidateReportsAMissingFile) {
  RunResult r = RunBinary({"validate", "--config", "/nonexistent/x.hcl"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/x.hcl"));
}

TEST(CliIntegrationTest, ServePrintsTheSeedArnsAndDrainsOnSigterm) {
  TempDir state;
  ChildProcess serve({"serve", "--listen", "127.0.0.1:0", "--state", state.path().string()});
  auto first = serve.ReadLine(seconds(20));
  ASSERT_TRUE(first.has_value()) << serve.Stderr();
  EXPECT_TRUE(std::regex_match(
      *first, std::regex(R"(bedrock-profiles listening on http://127\.0\.0\.1:\d+)")))
      << *first;
  std::string banner;
  for (int i = 0; i < 5; ++i) {
    auto line = serve.ReadLine(seconds(5));
    if (!line) break;
    banner += *line + "\n";
  }
  EXPECT_THAT(banner, HasSubstr(kHaikuArn));
  EXPECT_THAT(banner, HasSubstr(kSonnetArn));
  EXPECT_THAT(banner, HasSubstr("rd-haiku-45"));
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(seconds(20)), 0) << serve.Stderr();
}

TEST(CliIntegrationTest, ServeRefusesNonLoopbackWithTheShippedKeys) {
  TempDir state;
  RunResult r = RunBinary({"serve", "--listen", "0.0.0.0:0", "--state", state.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--allow-default-credentials"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("bpLocal")));  // never a secret
}

TEST(CliIntegrationTest, ServeRefusesABrokenConfigBeforeListening) {
  TempDir dir;
  auto path = dir.path() / "bad.hcl";
  WriteFile(path, "inference_profiles = {\n");
  RunResult r = RunBinary({"serve", "--config", path.string(), "--listen", "127.0.0.1:0", "--state",
                           (dir.path() / "state").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad.hcl:"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("listening")));
}

TEST(CliIntegrationTest, SecondServerOnTheSameStateDirIsRefused) {
  TempDir state;
  ChildProcess first({"serve", "--listen", "127.0.0.1:0", "--state", state.path().string()});
  ASSERT_TRUE(first.ReadLine(seconds(20)).has_value()) << first.Stderr();
  RunResult second =
      RunBinary({"serve", "--listen", "127.0.0.1:0", "--state", state.path().string()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr(state.path().string()));
  first.Signal(SIGTERM);
  EXPECT_EQ(first.Wait(seconds(20)), 0);
}

}  // namespace
}  // namespace bp::testing
