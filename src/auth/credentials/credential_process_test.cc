// credential_process: splitting the command line and running it with its
// bounds (exit status, timeout, output size, stop), with scripts written to a
// temporary directory.

#include "auth/credentials/credential_process.h"

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>

#include "testing/testing.h"

namespace bp::auth::credentials {
namespace {

using ::bp::testing::StatusIs;
using ::bp::testing::TempDir;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Split(std::string_view command) {
  auto words = SplitCommandLine(command);
  EXPECT_OK(words) << command;
  return words.ok() ? *words : std::vector<std::string>{"<error>"};
}

TEST(SplitCommandLineTest, WordsQuotesAndEscapes) {
  EXPECT_THAT(Split("helper"), ElementsAre("helper"));
  EXPECT_THAT(Split("  a\tb \n c  "), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Split("'/opt/my tools/helper' --profile 'a b'"),
              ElementsAre("/opt/my tools/helper", "--profile", "a b"));
  EXPECT_THAT(Split(R"("a \"q\" \\ \x $HOME")"), ElementsAre(R"(a "q" \ \x $HOME)"));
  EXPECT_THAT(Split(R"(a\ b c\'d)"), ElementsAre("a b", "c'd"));
  EXPECT_THAT(Split(R"(a"b c"d 'e'"f")"), ElementsAre("ab cd", "ef"));
  EXPECT_THAT(Split("x '' \"\""), ElementsAre("x", "", ""));
  // Shell syntax is just text: no pipes, variables, globs or substitutions.
  EXPECT_THAT(Split("echo $(id) | sh; rm *"), ElementsAre("echo", "$(id)", "|", "sh;", "rm", "*"));
}

TEST(SplitCommandLineTest, Errors) {
  for (auto [command, expected] :
       {std::pair{"", "empty"}, std::pair{"   ", "empty"},
        std::pair{"a 'b", "' quote is not closed"},
        std::pair{"a \"b\\\"", "\" quote is not closed"}, std::pair{"a\\", "lone backslash"}}) {
    auto r = SplitCommandLine(command);
    EXPECT_THAT(r, StatusIs(ErrorCode::kValidation)) << command;
    EXPECT_THAT(r.status().message(), HasSubstr(expected)) << command;
  }
}

class CredentialProcessTest : public ::testing::Test {
 protected:
  // An executable shell script in the temp dir.
  std::string Script(const std::string& name, const std::string& body) {
    std::filesystem::path p = dir_.path() / name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    ::chmod(p.c_str(), 0700);
    return p.string();
  }
  Result<std::string> Run(std::vector<std::string> argv, std::stop_token stop = {}) {
    return RunCredentialProcess(argv, limits_, std::move(stop));
  }

  TempDir dir_;
  ProcessLimits limits_{.timeout = milliseconds(5'000), .max_stdout_bytes = 4096};
};

TEST_F(CredentialProcessTest, ReturnsStandardOutput) {
  std::string helper = Script("helper", "echo \"out:$1:$2\"\necho noise >&2\n");
  auto out = Run({helper, "a b", "$HOME"});
  ASSERT_OK(out);
  EXPECT_EQ(*out, "out:a b:$HOME\n");  // arguments arrive as written, unexpanded
}

TEST_F(CredentialProcessTest, InheritsTheEnvironmentAndReadsNoInput) {
  std::string helper = Script("helper", "read line || echo \"eof:${PATH:+path}\"\n");
  auto out = Run({helper});
  ASSERT_OK(out);
  EXPECT_EQ(*out, "eof:path\n");
}

TEST_F(CredentialProcessTest, FindsTheProgramInPath) {
  auto out = Run({"printf", "%s", "via-path"});
  ASSERT_OK(out);
  EXPECT_EQ(*out, "via-path");
}

TEST_F(CredentialProcessTest, NonZeroExitGivesTheFirstLineOfStandardError) {
  std::string helper = Script("helper",
                              "echo '{\"partial\":' \necho '  token expired; run login' >&2\n"
                              "echo 'second line' >&2\nexit 3\n");
  auto out = Run({helper, "--secret-flag=TOPSECRET"});
  EXPECT_THAT(out, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(out.status().message(),
            "'" + helper + "' exited with status 3: token expired; run login");
}

TEST_F(CredentialProcessTest, SilentFailureSaysSo) {
  auto out = Run({Script("helper", "exit 1\n")});
  EXPECT_THAT(out.status().message(), HasSubstr("exited with status 1: nothing on standard error"));
}

TEST_F(CredentialProcessTest, KilledBySignal) {
  auto out = Run({Script("helper", "kill -TERM $$\n")});
  EXPECT_THAT(out, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(out.status().message(), HasSubstr("killed by signal 15 (SIGTERM)"));
}

TEST_F(CredentialProcessTest, MissingProgram) {
  auto out = Run({(dir_.path() / "nope").string()});
  EXPECT_THAT(out, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(out.status().message(), HasSubstr("cannot run '"));
  EXPECT_THAT(out.status().message(), HasSubstr("No such file or directory"));
}

// True once `pid` is gone or a zombie (its parent may be slow to reap it),
// waiting up to 5 s.
bool Dies(const std::string& pid) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream stat("/proc/" + pid + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    size_t paren = text.rfind(')');
    if (!stat || paren == std::string::npos || text.substr(paren + 2, 1) == "Z") return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

TEST_F(CredentialProcessTest, TimeoutKillsTheProcessGroup) {
  limits_.timeout = milliseconds(300);
  std::filesystem::path pid_file = dir_.path() / "grandchild.pid";
  std::string helper =
      Script("helper", "sleep 30 &\necho $! > '" + pid_file.string() + "'\nwait\n");
  auto start = std::chrono::steady_clock::now();
  auto out = Run({helper});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(out, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(out.status().message(), HasSubstr("did not finish within 300 ms and was killed"));
  EXPECT_LT(took, std::chrono::seconds(3));
  std::string pid;
  std::ifstream(pid_file) >> pid;
  ASSERT_FALSE(pid.empty());
  EXPECT_TRUE(Dies(pid)) << "the script's own child outlived the timeout";
}

TEST_F(CredentialProcessTest, TooMuchOutput) {
  auto out = Run({Script("helper", "while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done\n")});
  EXPECT_THAT(out, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(out.status().message(),
              HasSubstr("wrote more than 4096 bytes to standard output and was killed"));
}

TEST_F(CredentialProcessTest, ABackgroundChildHoldingTheOutputDoesNotDelayTheAnswer) {
  std::string helper = Script("helper", "echo answer\nsleep 30 &\n");
  auto start = std::chrono::steady_clock::now();
  auto out = Run({helper});
  ASSERT_OK(out);
  EXPECT_EQ(*out, "answer\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(CredentialProcessTest, StopKillsItPromptly) {
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(200));
    stop.request_stop();
  });
  auto start = std::chrono::steady_clock::now();
  auto out = Run({Script("helper", "sleep 30\n")}, stop.get_token());
  stopper.join();
  EXPECT_THAT(out, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(out.status().message(), HasSubstr("was stopped: shutting down"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(CredentialProcessTest, AlreadyStoppedDoesNotWait) {
  std::stop_source stop;
  stop.request_stop();
  auto out = Run({Script("helper", "sleep 30\n")}, stop.get_token());
  EXPECT_THAT(out.status().message(), HasSubstr("was stopped"));
}

}  // namespace
}  // namespace bp::auth::credentials
