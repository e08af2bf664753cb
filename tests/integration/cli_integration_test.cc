// The real binary as a child process: exit codes, the serve banner, drain on
// SIGTERM, and the refusals that protect users.
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <boost/json/parse.hpp>
#include <signal.h>

#include "core/clock.h"
#include "integration/child_process.h"
#include "storage/sqlite/sqlite_ledger.h"
#include "testing/testing.h"

namespace bp::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

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
  EXPECT_EQ(none.exit_code, 2);
}

// `usage --by metadata:KEY` over a window past the raw records the
// retention kept: the figures of what exists, and a note on stderr (never
// on stdout, so --json stays one document).
TEST(CliIntegrationTest, UsageSaysWhatTheRawRetentionRemoved) {
  TempDir dir;
  SystemClock clock;
  const int64_t now = ToUnixMillis(clock.Now());
  {
    auto ledger = storage::sqlite::SqliteLedger::Open(
        dir.path(), {.raw_retention = std::chrono::hours(2),
                     .rollup_retention = std::chrono::hours(24 * 40),
                     .clock = &clock});
    ASSERT_OK(ledger);
    for (int i = 0; i < 6; ++i) {
      metering::UsageRecord r;
      r.time_ms = now - (i < 4 ? 5 : 0) * 3'600'000 - i;  // four calls 5 hours ago
      r.profile_name = "rd-haiku-45";
      r.request_metadata = {{"run", "nightly"}};
      r.cost_micro_usd = 10;
      (*ledger)->Record(r);
    }
    ASSERT_OK((*ledger)->Flush());
    ASSERT_OK((*ledger)->EnforceRetention());
  }
  const std::string state = dir.path().string();
  RunResult meta = RunBinary({"usage", "--by", "metadata:run", "--since", "1d", "--state", state});
  EXPECT_EQ(meta.exit_code, 0) << meta.err;
  EXPECT_THAT(meta.out, HasSubstr("nightly"));
  EXPECT_THAT(meta.err, HasSubstr("note: metadata:run comes from raw records only"));
  EXPECT_THAT(meta.err, HasSubstr("4 earlier call(s)"));
  RunResult json =
      RunBinary({"usage", "--by", "metadata:run", "--since", "1d", "--json", "--state", state});
  boost::json::value doc = boost::json::parse(json.out);
  EXPECT_EQ(doc.at("total").at("requests").as_int64(), 2);
  EXPECT_EQ(doc.at("notes").as_array().size(), 1u);
  EXPECT_TRUE(doc.at("raw_from").is_string());
  // By profile the roll-ups still count all six; only the window's partial
  // first hour (a day ago, before the raw records kept) cannot be answered.
  RunResult by_profile =
      RunBinary({"usage", "--by", "profile", "--since", "1d", "--json", "--state", state});
  EXPECT_EQ(boost::json::parse(by_profile.out).at("total").at("requests").as_int64(), 6);
  EXPECT_THAT(by_profile.err, HasSubstr("are not counted: raw records before"));
  EXPECT_THAT(by_profile.err, HasSubstr("roll-ups hold whole hours only"));
  // A window of whole hours needs no raw record: no note.
  RunResult whole =
      RunBinary({"usage", "--by", "profile", "--from",
                 FormatRfc3339(FromUnixMillis(now - now % 3'600'000 - 86'400'000)), "--to",
                 FormatRfc3339(FromUnixMillis(now + 3'600'000)), "--json", "--state", state});
  EXPECT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_EQ(boost::json::parse(whole.out).at("total").at("requests").as_int64(), 6);
  EXPECT_THAT(whole.err, Not(HasSubstr("note:")));
}

TEST(CliIntegrationTest, AnUnknownCommandIsNamedAndIsAUsageError) {
  RunResult r = RunBinary({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'frobnicate'"));
  EXPECT_THAT(r.err, HasSubstr("plan"));  // the list of commands
}

// --log-level, before or after the command, overrides SPDLOG_LEVEL.
TEST(CliIntegrationTest, LogLevelSetsWhatServeLogs) {
  ::setenv("BP_LOG_FORMAT", "text", 1);  // stderr is a pipe here: JSON otherwise
  TempDir dir;
  auto serve_logs = [&](std::vector<std::string> args) {
    std::vector<std::string> all = {"--listen", "127.0.0.1:0", "--state",
                                    (dir.path() / "state").string()};
    args.insert(args.end(), all.begin(), all.end());
    ChildProcess serve(args);
    std::optional<std::string> first = serve.ReadLine(seconds(20));
    EXPECT_TRUE(first && first->find("listening on") != std::string::npos);
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(seconds(20)), 0);
    return serve.Stderr();
  };
  EXPECT_THAT(serve_logs({"serve"}), HasSubstr(" info serving "));
  EXPECT_THAT(serve_logs({"serve", "--log-level", "warn"}), Not(HasSubstr(" info ")));
  EXPECT_THAT(serve_logs({"--log-level=error", "serve"}), Not(HasSubstr(" info ")));
  ::setenv("SPDLOG_LEVEL", "off", 1);
  EXPECT_THAT(serve_logs({"serve", "--log-level", "info"}), HasSubstr(" info serving "));
  ::unsetenv("SPDLOG_LEVEL");

  RunResult bad = RunBinary({"--log-level", "loud", "validate"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--log-level"));
  RunResult unknown = RunBinary({"--log-level", "debug", "frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command 'frobnicate'"));
  ::unsetenv("BP_LOG_FORMAT");
}

TEST(CliIntegrationTest, EveryUsageErrorExitsTwo) {
  EXPECT_EQ(RunBinary({}).exit_code, 2);
  EXPECT_EQ(RunBinary({"plan", "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(RunBinary({"approve"}).exit_code, 2);  // PLAN is required (--by is not)
  EXPECT_EQ(RunBinary({"completion", "fish"}).exit_code, 2);
  EXPECT_EQ(RunBinary({"validate", "--help"}).exit_code, 0);
  // A runtime error is 1, not 2.
  EXPECT_EQ(RunBinary({"validate", "--config", "/nonexistent/x.hcl"}).exit_code, 1);
}

TEST(CliIntegrationTest, EveryCommandsHelpHasAnExampleAndTheExitStatus) {
  for (const char* command : {"serve", "validate", "plan", "approve", "apply", "output", "policy",
                              "simulate", "invoke", "completion", "catalog"}) {
    RunResult r = RunBinary({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_THAT(r.out, HasSubstr("Examples:\n  bedrock-profiles ")) << command;
    EXPECT_THAT(r.out, HasSubstr("Exit status: 0 on success, 2 on a usage error, ")) << command;
  }
}

// The bash script completes commands and a command's flags when bash runs it.
TEST(CliIntegrationTest, BashCompletionCompletesCommandsAndFlags) {
  TempDir dir;
  RunResult script = RunBinary({"completion", "bash"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  WriteFile(dir.path() / "c.bash", script.out);
  WriteFile(dir.path() / "probe.sh",
            "source \"$1\"\n"
            "COMP_WORDS=(bedrock-profiles pl); COMP_CWORD=1; _bedrock_profiles\n"
            "echo \"1:${COMPREPLY[*]}\"\n"
            "COMP_WORDS=(bedrock-profiles plan --det); COMP_CWORD=2; _bedrock_profiles\n"
            "echo \"2:${COMPREPLY[*]}\"\n"
            "COMP_WORDS=(bedrock-profiles invoke --str); COMP_CWORD=2; _bedrock_profiles\n"
            "echo \"3:${COMPREPLY[*]}\"\n");
  std::string cmd = "bash " + (dir.path() / "probe.sh").string() + " " +
                    (dir.path() / "c.bash").string() + " > " + (dir.path() / "out").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string out = ReadFileOrDie(dir.path() / "out");
  EXPECT_THAT(out, HasSubstr("1:plan\n"));
  EXPECT_THAT(out, HasSubstr("2:--detailed-exitcode\n"));
  EXPECT_THAT(out, HasSubstr("3:--stream\n"));
}

TEST(CliIntegrationTest, ZshCompletionIsValidZshAndNamesEveryCommand) {
  TempDir dir;
  RunResult script = RunBinary({"completion", "zsh"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  EXPECT_THAT(script.out, HasSubstr("#compdef bedrock-profiles"));
  for (const char* command : {"'serve:", "'plan:", "'invoke:", "'completion:"}) {
    EXPECT_THAT(script.out, HasSubstr(command));
  }
  EXPECT_THAT(script.out, HasSubstr("'--detailed-exitcode["));
  WriteFile(dir.path() / "_bedrock-profiles", script.out);
  // zsh -n parses without running: a quoting mistake fails here.
  std::string cmd = "zsh -n " + (dir.path() / "_bedrock-profiles").string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << script.out;
}

// A config principal's keys never leave the machine by accident: refused
// before any connection (the .invalid host never resolves, RFC 6761).
TEST(CliIntegrationTest, LocalPrincipalKeysAreNotSentToARemoteEndpoint) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"output", "--principal", "platform-admin", "--endpoint",
                                 "https://bedrock.example.invalid"},
        std::vector<std::string>{"plan", "--principal", "platform-admin", "--endpoint",
                                 "https://bedrock.example.invalid"},
        std::vector<std::string>{"invoke", "rd-haiku-45", "Say: hi", "--principal", "rd-e2e",
                                 "--endpoint", "http://bedrock.example.invalid:8700"}}) {
    RunResult r = RunBinary(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << r.err;
    EXPECT_THAT(r.err, HasSubstr("refusing to send the keys of config principal")) << args[0];
    EXPECT_THAT(r.err, HasSubstr("--allow-remote-principal")) << args[0];
    EXPECT_THAT(r.err, ::testing::Not(HasSubstr("cannot connect"))) << args[0];
  }
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

TEST(CliIntegrationTest, PolicyPrintsTheSeedConsumerPolicy) {
  RunResult r = RunBinary({"policy", "rd-haiku-45"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"Sid\": \"InvokeBedrockProfile\""));
  EXPECT_THAT(r.out, HasSubstr(kHaikuArn));
  EXPECT_THAT(
      r.out,
      HasSubstr("arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"));
  EXPECT_THAT(r.out, HasSubstr("bedrock:InvokeModelWithResponseStream"));
  RunResult json = RunBinary({"policy", "rd-sonnet-4", "--json"});
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_THAT(json.out, HasSubstr(std::string("\"profileArn\":\"") + kSonnetArn));
  RunResult missing = RunBinary({"policy", "rd-nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("rd-haiku-45"));  // lists what exists
}

TEST(CliIntegrationTest, SimulateAllowsTheSeedPolicyOnEveryRegion) {
  RunResult r = RunBinary({"simulate", "--principal", "rd-e2e", "--action", "bedrock:InvokeModel",
                           "--profile", "rd-haiku-45"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* region : {"eu-central-1", "eu-west-1", "eu-west-3"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string("ALLOW  bedrock:InvokeModel on arn:aws:bedrock:") +
                                 region + "::foundation-model/"));
  }
  RunResult control = RunBinary({"simulate", "--principal", "rd-e2e", "--action",
                                 "bedrock:CreateInferenceProfile", "--resource", "*", "--json"});
  EXPECT_EQ(control.exit_code, 2);
  EXPECT_THAT(control.out, HasSubstr("\"decision\":\"deny\""));
  EXPECT_THAT(control.out, HasSubstr("\"missingGrant\""));
}

TEST(CliIntegrationTest, SimulateNamesTheMissingFoundationModelGrant) {
  TempDir dir;
  auto path = dir.path() / "profile-only.hcl";
  WriteFile(path, R"(account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    id        = "acwt9yee9wzo"
  }
}
principals = {
  profile-only = {
    arn               = "arn:aws:iam::123456789012:role/profile-only"
    access_key_id     = "AKIABPTESTPROFILE001"
    secret_access_key = "bpTestProfileOnlySecret00000000000000000"
    policy = <<-EOT
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel",
       "Resource": "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo"}]}
    EOT
  }
}
)");
  RunResult r = RunBinary({"simulate", "--config", path.string(), "--principal", "profile-only",
                           "--action", "bedrock:InvokeModel", "--profile", "rd-haiku-45"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ALLOW  bedrock:InvokeModel on " + std::string(kHaikuArn)));
  EXPECT_THAT(r.out, HasSubstr("missing grant: add to profile-only's policy: "
                               "{\"Effect\":\"Allow\",\"Action\":\"bedrock:InvokeModel\","
                               "\"Resource\":\"arn:aws:bedrock:eu-west-3::foundation-model/"
                               "anthropic.claude-haiku-4-5-20251001-v1:0\"}"));
}

TEST(CliIntegrationTest, ValidateRejectsAnInvalidIamPolicyWithItsJsonPath) {
  TempDir dir;
  auto path = dir.path() / "bad-policy.hcl";
  WriteFile(path, R"(account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {}
principals = {
  someone = {
    arn               = "arn:aws:iam::123456789012:role/someone"
    access_key_id     = "AKIABPTESTBADPOLICY1"
    secret_access_key = "bpTestBadPolicySecret0000000000000000000"
    policy = <<-EOT
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allowed", "Action": "bedrock:*", "Resource": "*"}]}
    EOT
  }
}
)");
  RunResult r = RunBinary({"validate", "--config", path.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr("bad-policy.hcl:9:"));
  EXPECT_THAT(r.err, HasSubstr("$.Statement[0].Effect"));
  RunResult serve = RunBinary({"serve", "--config", path.string(), "--listen", "127.0.0.1:0",
                               "--state", (dir.path() / "state").string()});
  EXPECT_EQ(serve.exit_code, 1);
  EXPECT_THAT(serve.err, HasSubstr("$.Statement[0].Effect"));
}

// A serve child on the shipped config: one signed Converse (invoke), one GET
// of a raw path with a quote and a backslash, one /healthz; then SIGTERM.
// Returns its whole stderr.
std::string ServeLog(const std::vector<std::string>& extra) {
  TempDir dir;
  std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--state",
                                   (dir.path() / "state").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  ChildProcess serve(args);
  std::optional<std::string> first = serve.ReadLine(seconds(20));
  std::smatch m;
  static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:\d+))");
  if (!first || !std::regex_search(*first, m, kListening)) {
    ADD_FAILURE() << "serve did not start: " << serve.Stderr();
    return "";
  }
  const std::string endpoint = m[1];
  RunResult invoke = RunBinary(
      {"invoke", "rd-haiku-45", "Say: hi", "--principal", "rd-e2e", "--endpoint", endpoint});
  EXPECT_EQ(invoke.exit_code, 0) << invoke.err;
  for (const char* path : {"/a\"b\\c", "/healthz"}) {
    RunResult curl = RunProgram(
        "curl", {"--silent", "--max-time", "10", "--output", "/dev/null", endpoint + path});
    EXPECT_EQ(curl.exit_code, 0) << curl.err;
  }
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(seconds(20)), 0);
  return serve.Stderr();
}

// --log-format json, and the default when stderr is not a terminal (a pipe
// here): every stderr line is one JSON object; each request's access line
// carries its fields, strings escaped, missing values null.
TEST(CliIntegrationTest, LogFormatJsonWritesOneObjectPerLine) {
  for (std::vector<std::string> extra :
       {std::vector<std::string>{"--log-format", "json"}, std::vector<std::string>{}}) {
    std::string log = ServeLog(extra);
    std::istringstream lines(log);
    std::vector<boost::json::object> access;
    size_t messages = 0;
    for (std::string line; std::getline(lines, line);) {
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(line, ec);
      ASSERT_FALSE(ec) << "not JSON: " << line;
      ASSERT_TRUE(v.is_object()) << line;
      const boost::json::object& o = v.as_object();
      ASSERT_TRUE(o.contains("time") && o.contains("level")) << line;
      EXPECT_TRUE(std::regex_match(std::string(o.at("time").as_string()),
                                   std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
          << line;
      if (o.contains("type") && o.at("type") == "access") {
        access.push_back(o);
      } else {
        ++messages;
        EXPECT_TRUE(o.at("msg").is_string()) << line;
      }
    }
    EXPECT_GE(messages, 1u) << log;  // "serving ...", "drained; bye"
    auto find = [&](std::string_view path) -> const boost::json::object* {
      for (const boost::json::object& o : access) {
        if (o.at("path").is_string() && o.at("path").as_string() == path) return &o;
      }
      return nullptr;
    };
    const boost::json::object* quoted = find("/a\"b\\c");
    ASSERT_NE(quoted, nullptr) << log;
    EXPECT_EQ(quoted->at("method"), "GET");
    EXPECT_TRUE(quoted->at("principal").is_null());
    EXPECT_TRUE(quoted->at("operation").is_null());
    EXPECT_TRUE(quoted->at("region").is_null());
    EXPECT_TRUE(quoted->at("request_id").is_string());
    EXPECT_TRUE(quoted->at("latency_us").is_int64());
    const boost::json::object* health = find("/healthz");
    ASSERT_NE(health, nullptr) << log;
    EXPECT_EQ(health->at("operation"), "Health");
    EXPECT_EQ(health->at("status"), 200);
    const boost::json::object* converse = nullptr;
    for (const boost::json::object& o : access) {
      if (o.at("operation") == "Converse") converse = &o;
    }
    ASSERT_NE(converse, nullptr) << log;
    EXPECT_EQ(converse->at("status"), 200);
    EXPECT_EQ(converse->at("principal"), "rd-e2e");
    EXPECT_EQ(converse->at("method"), "POST");
    EXPECT_EQ(converse->at("region"), "eu-central-1");  // the shipped config's home region
    // A runtime call's line carries its usage record's fields.
    EXPECT_EQ(converse->at("profile"), "rd-haiku-45");
    EXPECT_GT(converse->at("input_tokens").as_int64(), 0);
    EXPECT_GT(converse->at("output_tokens").as_int64(), 0);
    EXPECT_TRUE(converse->at("error_code").is_null());
    EXPECT_FALSE(health->contains("profile"));  // other requests keep the plain fields
  }
}

// --log-format text keeps the access line as it was (and beats BP_LOG_FORMAT);
// BP_LOG_FORMAT=text alone gives it too.
TEST(CliIntegrationTest, LogFormatTextKeepsTheLine) {
  static const std::regex kHealthLine(
      R"((^|\n)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info [0-9a-f-]{36} - GET /healthz Health 200 \d+us -\n)");
  static const std::regex kConverseLine(
      R"(\n\d{4}-\S+Z info [0-9a-f-]{36} rd-e2e POST /model/\S+/converse Converse 200 \d+us eu-central-1)"
      R"( profile=rd-haiku-45 model=anthropic\.claude-haiku-4-5-20251001-v1:0 attempts=1)"
      R"( tokens_in=\d+ tokens_out=\d+ cache_read=0 cache_write=0 ttft_ms=\d+ cost_usd=[0-9.]+ error=-\n)");
  ::setenv("BP_LOG_FORMAT", "json", 1);
  std::string flag = ServeLog({"--log-format", "text"});
  ::setenv("BP_LOG_FORMAT", "text", 1);
  std::string env = ServeLog({});
  ::unsetenv("BP_LOG_FORMAT");
  for (const std::string& log : {flag, env}) {
    EXPECT_TRUE(std::regex_search(log, kHealthLine)) << log;
    EXPECT_TRUE(std::regex_search(log, kConverseLine)) << log;
    EXPECT_THAT(log, HasSubstr(R"( - GET /a"b\c - 403 )")) << log;
    EXPECT_THAT(log, Not(HasSubstr("{\"time\"")));
  }
}

}  // namespace
}  // namespace bp::testing
