// `bedrock-profiles invoke` against a real `serve` child process on a free
// port, with fast simulated regions: the answer text, the summary line, the
// ADR-0007 refusal, unknown names, unreachable endpoints and the AWS
// credential chain.
#include <arpa/inet.h>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <regex>
#include <sys/socket.h>

#include <signal.h>
#include <unistd.h>

#include "integration/child_process.h"
#include "integration/served_test.h"
#include "testing/testing.h"

namespace bp::testing {
namespace {

using std::chrono::seconds;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHaikuArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
constexpr char kHaikuSource[] =
    "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0";
// "rd-haiku-45 · eu-west-1 · 12 in / 34 out tokens · end_turn · 456 ms"
constexpr char kSummary[] =
    "rd-haiku-45 \u00b7 eu-(central-1|west-1|west-3) \u00b7 [0-9]+ in / [1-9][0-9]* out tokens "
    "\u00b7 end_turn \u00b7 [0-9]+ ms\n";

// Sets environment variables for the children started while it lives.
class ScopedEnv {
 public:
  void Set(const std::string& name, const char* value) {
    if (saved_.count(name) == 0) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value == nullptr) {
      ::unsetenv(name.c_str());
    } else {
      ::setenv(name.c_str(), value, 1);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// Clears every variable of the AWS chain so the host's setup cannot leak in.
void ClearAwsEnv(ScopedEnv& env, const std::string& home) {
  for (const char* var :
       {"AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME"}) {
    env.Set(var, nullptr);
  }
  env.Set("HOME", home.c_str());
}

uint16_t UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// The shipped config with fast simulated regions.
class InvokeIntegrationTest : public ServedTest<InvokeIntegrationTest> {
 public:
  static std::string ConfigText() { return WithRegions(ShippedConfig(), kFastRegions); }
};

// The home region fails every stream mid-answer (non-streaming calls are
// retried elsewhere), and one more profile has no pinned id.
class InvokeFaultIntegrationTest : public ServedTest<InvokeFaultIntegrationTest> {
 public:
  static std::string ConfigText() {
    std::string regions = kFastRegions;
    std::string home = "eu-central-1 = { backend = \"simulated\", simulated = {";
    regions.replace(regions.find(home), home.size(),
                    "eu-central-1 = { faults = { mid_stream_error_rate = 1 }, backend = "
                    "\"simulated\", simulated = {");
    std::string text = WithRegions(ShippedConfig(), regions);
    std::string anchor = "\n  rd-sonnet-4 = {";
    text.replace(text.find(anchor), 0,
                 std::string("\n  rd-haiku-lab = {\n") + "    model_arn = \"" + kHaikuSource +
                     "\"\n" + "  }\n");
    // rd-lab may call every profile but list none.
    std::string principals = "principals = {\n";
    return text.replace(text.find(principals) + principals.size(), 0, R"(
  rd-lab = {
    arn               = "arn:aws:iam::123456789012:role/rd-lab"
    access_key_id     = "AKIABPTESTRDLAB00001"
    secret_access_key = "bpTestRdLabSecretKey00000000000000000001"
    policy            = <<-EOT
      { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow",
        "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
        "Resource": ["arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/*",
                     "arn:aws:bedrock:*::foundation-model/*"] } ] }
    EOT
  }
)");
  }

  RunResult Output(std::vector<std::string> args) {
    std::vector<std::string> all = {"output", "--endpoint", endpoint_, "--config", config_};
    all.insert(all.end(), args.begin(), args.end());
    return RunBinary(all);
  }
};

TEST_F(InvokeIntegrationTest, PrintsTheAnswerAndASummary) {
  RunResult r = Invoke(
      {"rd-haiku-45", "Say: hello from invoke", "--principal", "rd-e2e", "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello from invoke\n");
  EXPECT_THAT(r.err, ContainsRegex(kSummary));
}

TEST_F(InvokeIntegrationTest, ADashReadsThePromptFromStdin) {
  RunResult r = RunBinaryWithInput({"invoke", "rd-haiku-45", "-", "--principal", "rd-e2e",
                                    "--endpoint", endpoint_, "--config", config_},
                                   "Say: from a pipe\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "from a pipe\n");
  RunResult empty = RunBinaryWithInput({"invoke", "rd-haiku-45", "-", "--principal", "rd-e2e",
                                        "--endpoint", endpoint_, "--config", config_},
                                       "");
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.err, HasSubstr("the prompt read from stdin is empty"));
}

TEST_F(InvokeIntegrationTest, StreamsTheAnswerAndASummary) {
  RunResult r = Invoke({"rd-haiku-45", "Say: hello from invoke", "--stream", "--principal",
                        "rd-e2e", "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello from invoke\n");
  EXPECT_THAT(r.err, ContainsRegex(kSummary));
}

TEST_F(InvokeIntegrationTest, JsonPrintsTheResponseOrOneLinePerEvent) {
  RunResult r = Invoke({"rd-haiku-45", "Say: json please", "--json", "--principal", "rd-e2e",
                        "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"text\":\"json please\""));
  EXPECT_THAT(r.out, HasSubstr("\"stopReason\":\"end_turn\""));
  RunResult s = Invoke({"rd-haiku-45", "Say: json please", "--json", "--stream", "--principal",
                        "rd-e2e", "--endpoint", endpoint_});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_THAT(s.out, HasSubstr("{\"messageStart\":{"));
  EXPECT_THAT(s.out, HasSubstr("{\"contentBlockDelta\":{"));
  EXPECT_THAT(s.out, HasSubstr("{\"metadata\":{"));
}

TEST_F(InvokeIntegrationTest, AnArnIsUsedAsIsAndLabelledWithItsName) {
  RunResult r =
      Invoke({kHaikuArn, "Say: by arn", "--principal", "rd-e2e", "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "by arn\n");
  EXPECT_THAT(r.err, HasSubstr("rd-haiku-45 \u00b7 eu-"));
}

TEST_F(InvokeIntegrationTest, ARawModelIdGetsTheAdr0007Refusal) {
  RunResult r = Invoke({"anthropic.claude-haiku-4-5-20251001-v1:0", "Say: no", "--principal",
                        "rd-e2e", "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("ValidationException: Calls must go through an application "
                               "inference profile (ADR-0007)"));
  EXPECT_THAT(r.err, HasSubstr(kHaikuArn));  // names the profiles to use instead
  EXPECT_EQ(r.out, "");
}

TEST_F(InvokeIntegrationTest, AnUnknownNameListsTheConfiguredProfiles) {
  RunResult r = Invoke({"rd-nope", "Say: no", "--principal", "rd-e2e", "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("'rd-nope'"));
  EXPECT_THAT(r.err, HasSubstr("rd-haiku-45"));
  EXPECT_THAT(r.err, HasSubstr("rd-sonnet-4"));
}

TEST_F(InvokeIntegrationTest, AnUnknownPrincipalIsRefused) {
  RunResult r =
      Invoke({"rd-haiku-45", "Say: no", "--principal", "nobody", "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no principal named 'nobody'"));
}

TEST_F(InvokeIntegrationTest, CredentialsAndEndpointFromTheEnvironment) {
  TempDir home;
  ScopedEnv env;
  ClearAwsEnv(env, home.path().string());
  env.Set("AWS_ACCESS_KEY_ID", "AKIABPLOCALRDE2E0001");
  env.Set("AWS_SECRET_ACCESS_KEY", "bpLocalRdE2eSecretKeyDoNotUseOutsideDev1");
  env.Set("AWS_ENDPOINT_URL", endpoint_.c_str());
  RunResult r = Invoke({"rd-sonnet-4", "Say: from the chain", "--stream"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "from the chain\n");
}

TEST_F(InvokeIntegrationTest, WrongSecretIsTheServicesError) {
  TempDir home;
  ScopedEnv env;
  ClearAwsEnv(env, home.path().string());
  std::filesystem::create_directories(home.path() / ".aws");
  std::ofstream(home.path() / ".aws" / "credentials")
      << "[default]\naws_access_key_id = AKIABPLOCALRDE2E0001\naws_secret_access_key = wrong\n";
  RunResult r = Invoke({"rd-haiku-45", "Say: no", "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("InvalidSignatureException: "));
}

TEST_F(InvokeFaultIntegrationTest, AnInStreamExceptionFollowsWhatArrived) {
  RunResult r = Invoke({"rd-haiku-45", "Tell me a long story about the sea", "--stream",
                        "--principal", "rd-e2e", "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("ModelStreamErrorException: "));
  EXPECT_THAT(r.err, Not(HasSubstr(" out tokens")));  // no summary after a failure
  EXPECT_GT(r.out.size(), 1u);  // the first delta was shown before the exception
  EXPECT_THAT(r.out, ::testing::EndsWith("\n"));
}

TEST_F(InvokeFaultIntegrationTest, AnUnpinnedProfileIsFoundByListingTheEndpoint) {
  RunResult r = Invoke({"rd-haiku-lab", "Say: found by listing", "--principal", "platform-admin",
                        "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "found by listing\n");
  EXPECT_THAT(r.err, HasSubstr("rd-haiku-lab \u00b7 eu-"));
}

// rd-e2e may neither list nor call rd-haiku-lab: the lookup's denial names the
// grant it needs, and the runtime's own answer is the denial of the call.
TEST_F(InvokeFaultIntegrationTest, ADeniedLookupShowsTheRuntimesOwnDenial) {
  RunResult denied =
      Invoke({"rd-haiku-lab", "Say: no", "--principal", "rd-e2e", "--endpoint", endpoint_});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_THAT(denied.err, HasSubstr("note: finding the ARN of 'rd-haiku-lab' needs "
                                    "bedrock:ListInferenceProfiles, which was denied"));
  EXPECT_THAT(denied.err, HasSubstr("\"Action\": \"bedrock:ListInferenceProfiles\""));
  EXPECT_THAT(denied.err,
              HasSubstr("AccessDeniedException: User: arn:aws:iam::123456789012:role/rd-e2e is "
                        "not authorized to perform: bedrock:InvokeModel on resource: the "
                        "inference profile named 'rd-haiku-lab'"));
  EXPECT_THAT(denied.err, Not(HasSubstr("application-inference-profile/")));
  EXPECT_EQ(denied.out, "");
}

// rd-lab may call it but not list: the runtime names the ARN to use.
TEST_F(InvokeFaultIntegrationTest, ADeniedLookupOfACallableProfileGetsItsArn) {
  RunResult r =
      Invoke({"rd-haiku-lab", "Say: no", "--principal", "rd-lab", "--endpoint", endpoint_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("needs bedrock:ListInferenceProfiles"));
  EXPECT_THAT(r.err, ContainsRegex("ValidationException: .*'rd-haiku-lab' is the profile's name, "
                                   "and modelId takes its ARN or id. Use arn:aws:bedrock:"
                                   "eu-central-1:123456789012:application-inference-profile/"
                                   "[a-z0-9]{12} \\(or its id [a-z0-9]{12}\\)"));
  // A pinned profile needs no lookup at all.
  RunResult pinned =
      Invoke({"rd-haiku-45", "Say: pinned", "--principal", "rd-lab", "--endpoint", endpoint_});
  EXPECT_EQ(pinned.exit_code, 0) << pinned.err;
  EXPECT_EQ(pinned.out, "pinned\n");
}

// Consumers' `output`: a pinned profile's ARN without any list right; an
// unpinned one says which grant the lookup needs; names are checked first.
TEST_F(InvokeFaultIntegrationTest, ConsumersReadPinnedArnsWithoutAListGrant) {
  RunResult one = Output({"rd-haiku-45", "--principal", "rd-e2e"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, std::string(kHaikuArn) + "\n");
  EXPECT_EQ(one.err, "");

  RunResult unpinned = Output({"rd-haiku-lab", "--principal", "rd-e2e"});
  EXPECT_EQ(unpinned.exit_code, 1);
  EXPECT_EQ(unpinned.out, "");
  EXPECT_THAT(unpinned.err, HasSubstr("error: finding the ARN of 'rd-haiku-lab' needs "
                                      "bedrock:ListInferenceProfiles, which was denied:\n  "
                                      "AccessDeniedException: "));
  EXPECT_THAT(unpinned.err, HasSubstr("bedrock-profiles output rd-haiku-lab"));

  RunResult all = Output({"--principal", "rd-e2e"});
  EXPECT_EQ(all.exit_code, 1);
  EXPECT_THAT(all.err, HasSubstr("finding the ARN of 'rd-haiku-lab' needs"));
  EXPECT_THAT(all.err, Not(HasSubstr("'rd-haiku-45'")));

  RunResult admin = Output({"rd-haiku-lab", "--principal", "platform-admin"});
  EXPECT_EQ(admin.exit_code, 0) << admin.err;
  EXPECT_THAT(admin.out, ContainsRegex("^arn:aws:bedrock:eu-central-1:123456789012:"
                                       "application-inference-profile/[a-z0-9]{12}\n$"));

  RunResult typo = Output({"rd-haiku-54", "--principal", "rd-e2e"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_THAT(typo.err, HasSubstr("error: no profile 'rd-haiku-54' in "));
  EXPECT_THAT(typo.err, HasSubstr("configured: rd-haiku-45, rd-haiku-lab, rd-sonnet-4"));
}

TEST(InvokeCommandTest, NoCredentialsSuggestsAPrincipal) {
  TempDir home;
  ScopedEnv env;
  ClearAwsEnv(env, home.path().string());
  RunResult r =
      RunBinary({"invoke", "rd-haiku-45", "Say: no", "--endpoint", "http://127.0.0.1:8700"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no AWS credentials found"));
  EXPECT_THAT(r.err, HasSubstr("--principal rd-e2e"));
}

TEST(InvokeCommandTest, AnUnreachableEndpointSaysCannotConnect) {
  std::string url = "http://127.0.0.1:" + std::to_string(UnusedPort());
  RunResult r = RunBinary(
      {"invoke", "rd-haiku-45", "Say: no", "--principal", "rd-e2e", "--endpoint", url, "--stream"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot connect to " + url));
  EXPECT_EQ(r.out, "");
}

TEST(InvokeCommandTest, UnreachableHttpsAndMalformedEndpointsAreRefused) {
  // https is spoken (TLS, verified); nothing listens on this loopback port.
  const std::string port = std::to_string(UnusedPort());
  RunResult https = RunBinary({"invoke", "rd-haiku-45", "Say: no", "--principal", "rd-e2e",
                               "--endpoint", "https://127.0.0.1:" + port});
  EXPECT_EQ(https.exit_code, 1);
  EXPECT_THAT(https.err, HasSubstr("cannot connect to https://127.0.0.1:" + port));
  RunResult bad = RunBinary({"invoke", "rd-haiku-45", "Say: no", "--principal", "rd-e2e",
                             "--endpoint", "127.0.0.1:8700"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("invalid endpoint URL '127.0.0.1:8700'"));
}

TEST(InvokeCommandTest, HelpShowsAnExample) {
  RunResult r = RunBinary({"invoke", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("bedrock-profiles invoke rd-haiku-45"));
  EXPECT_THAT(r.out, HasSubstr("--stream"));
  EXPECT_THAT(r.out, Not(HasSubstr("bpLocal")));
}

}  // namespace
}  // namespace bp::testing
