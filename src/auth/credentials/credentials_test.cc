// The credential chain with a fake environment and a temporary HOME.

#include "auth/credentials/credentials.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sys/stat.h>

#include "testing/testing.h"

namespace bp::auth::credentials {
namespace {

using ::bp::testing::StatusIs;
using ::bp::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

class CredentialsTest : public ::testing::Test {
 protected:
  EnvLookup Env() {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  Result<Credentials> Run() { return Resolve(Env(), home_.path()); }
  std::filesystem::path Write(const std::string& relative, const std::string& text) {
    std::filesystem::path p = home_.path() / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string Path(const std::string& relative) { return (home_.path() / relative).string(); }

  std::map<std::string, std::string> env_;
  TempDir home_;
};

TEST_F(CredentialsTest, BearerTokenWinsOverKeys) {
  env_ = {{"AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-abc"},
          {"AWS_ACCESS_KEY_ID", "AKIAENV"},
          {"AWS_SECRET_ACCESS_KEY", "secret"}};
  auto c = Run();
  ASSERT_OK(c);
  EXPECT_TRUE(c->is_bearer());
  EXPECT_EQ(*c->bearer_token, "bedrock-api-key-abc");
  EXPECT_EQ(c->access_key_id, "");
  EXPECT_EQ(c->source, "environment (AWS_BEARER_TOKEN_BEDROCK)");
}

TEST_F(CredentialsTest, EnvironmentKeysWithSessionTokenBeatTheFile) {
  Write(".aws/credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = f\n");
  env_ = {{"AWS_ACCESS_KEY_ID", "AKIAENV"},
          {"AWS_SECRET_ACCESS_KEY", "envsecret"},
          {"AWS_SESSION_TOKEN", "tok"},
          {"AWS_BEARER_TOKEN_BEDROCK", ""}};  // empty counts as unset
  auto c = Run();
  ASSERT_OK(c);
  EXPECT_FALSE(c->is_bearer());
  EXPECT_EQ(c->access_key_id, "AKIAENV");
  EXPECT_EQ(c->secret_access_key, "envsecret");
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_EQ(c->source, "environment (AWS_ACCESS_KEY_ID)");
}

TEST_F(CredentialsTest, HalfTheEnvironmentKeysIsAnError) {
  env_ = {{"AWS_ACCESS_KEY_ID", "AKIAENV"}};
  auto c = Run();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr("AWS_SECRET_ACCESS_KEY is not"));
  env_ = {{"AWS_SECRET_ACCESS_KEY", "s"}};
  EXPECT_THAT(Run().status().message(), HasSubstr("AWS_ACCESS_KEY_ID is not"));
}

TEST_F(CredentialsTest, DefaultProfileOfTheCredentialsFile) {
  Write(".aws/credentials",
        "# a comment\n"
        "; another\n"
        "\n"
        "[other]\n"
        "aws_access_key_id=AKIAOTHER\n"
        "aws_secret_access_key=o\n"
        "  [ default ]   # trailing comment\n"
        "  AWS_Access_Key_Id   =   AKIADEFAULT   \r\n"
        "aws_secret_access_key = abc/def+ghi ; inline comment\n"
        "aws_session_token = FwoGZX#NoSpaceSoNotAComment\n");
  auto c = Run();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "AKIADEFAULT");
  EXPECT_EQ(c->secret_access_key, "abc/def+ghi");
  EXPECT_EQ(c->session_token, "FwoGZX#NoSpaceSoNotAComment");
  EXPECT_EQ(c->source, Path(".aws/credentials") + " [default]");
}

TEST_F(CredentialsTest, AwsProfileSelectsASectionInEitherFile) {
  Write(".aws/credentials", "[default]\naws_access_key_id = D\naws_secret_access_key = d\n");
  Write(".aws/config",
        "[default]\nregion = eu-central-1\n"
        "[profile dev]\nregion = eu-west-1\naws_access_key_id = DEV\naws_secret_access_key = v\n");
  env_ = {{"AWS_PROFILE", "dev"}};
  auto c = Run();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "DEV");
  EXPECT_EQ(c->source, Path(".aws/config") + " [profile dev]");
}

TEST_F(CredentialsTest, CredentialsFileBeatsConfigFile) {
  Write(".aws/credentials", "[default]\naws_access_key_id = CRED\naws_secret_access_key = c\n");
  Write(".aws/config", "[default]\naws_access_key_id = CONF\naws_secret_access_key = c\n");
  auto c = Run();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "CRED");
}

TEST_F(CredentialsTest, FileLocationsComeFromTheEnvironment) {
  auto creds =
      Write("elsewhere/creds", "[ci]\naws_access_key_id = CI\naws_secret_access_key = x\n");
  Write(".aws/credentials", "[ci]\naws_access_key_id = HOME\naws_secret_access_key = x\n");
  env_ = {{"AWS_SHARED_CREDENTIALS_FILE", creds.string()}, {"AWS_PROFILE", "ci"}};
  auto c = Run();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "CI");
  auto config = Write("elsewhere/config",
                      "[default]\naws_access_key_id = CFG\n"
                      "aws_secret_access_key = x\n");
  env_ = {{"AWS_SHARED_CREDENTIALS_FILE", Path("nope")}, {"AWS_CONFIG_FILE", config.string()}};
  c = Run();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "CFG");
}

TEST_F(CredentialsTest, NothingFoundListsWhereItLooked) {
  Write(".aws/config", "[default]\nregion = eu-central-1\n");
  auto c = Run();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  const std::string& m = c.status().message();
  EXPECT_THAT(m, HasSubstr("no AWS credentials found for profile 'default'"));
  EXPECT_THAT(m, HasSubstr("AWS_BEARER_TOKEN_BEDROCK: not set"));
  EXPECT_THAT(m, HasSubstr("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: not set"));
  EXPECT_THAT(m, HasSubstr(Path(".aws/credentials") + ": no such file"));
  EXPECT_THAT(m, HasSubstr(Path(".aws/config") + ": [default] holds no aws_access_key_id"));
}

TEST_F(CredentialsTest, NoHomeDirectory) {
  auto c = Resolve(Env(), "");
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr("~/.aws/credentials: no home directory"));
}

TEST_F(CredentialsTest, UnknownAwsProfileListsTheSections) {
  Write(".aws/credentials", "[default]\naws_access_key_id = D\naws_secret_access_key = d\n");
  Write(".aws/config", "[profile prod]\nregion = eu-west-3\n");
  env_ = {{"AWS_PROFILE", "staging"}};
  auto c = Run();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr("'staging'"));
  EXPECT_THAT(c.status().message(), HasSubstr("default, profile prod"));
}

TEST_F(CredentialsTest, HalfAProfileIsAnErrorWithItsLocation) {
  Write(".aws/credentials", "\n\n[default]\naws_access_key_id = D\n");
  auto c = Run();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(),
              HasSubstr(Path(".aws/credentials") + ":3: profile [default] has aws_access_key_id "
                                                   "but no aws_secret_access_key"));
}

TEST_F(CredentialsTest, RoleAssumptionIsReportedAsUnsupported) {
  Write(".aws/config", "[profile x]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = d\n");
  env_ = {{"AWS_PROFILE", "x"}};
  EXPECT_THAT(Run().status().message(), HasSubstr("gets its credentials through role_arn"));
}

// credential_process in a profile: a script written to the temp HOME.
class CredentialProcessProfileTest : public CredentialsTest {
 protected:
  // Writes an executable script and a [default] profile in ~/.aws/config
  // that runs it with `args`.
  std::string UseScript(const std::string& body, const std::string& args = "") {
    std::filesystem::path script = Write("bin/helper with space", "#!/bin/sh\n" + body);
    ::chmod(script.c_str(), 0700);
    Write(".aws/config", "[default]\nregion = eu-central-1\ncredential_process = '" +
                             script.string() + "' " + args + "\n");
    return script.string();
  }
  Result<Credentials> RunChain(ChainOptions options = {.remote_sources = false}) {
    return ResolveChain(Env(), home_.path(), options);
  }
};

TEST_F(CredentialProcessProfileTest, Success) {
  UseScript(
      "[ \"$1\" = --account ] && [ \"$2\" = 'a b' ] || exit 9\n"
      "echo '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": \"ps\",'\n"
      "echo ' \"SessionToken\": \"pt\", \"Expiration\": \"2026-01-01T06:00:00Z\"}'\n",
      "--account \"a b\"");
  auto c = Run();  // the CLI's chain runs it too
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "ASIAPROC");
  EXPECT_EQ(c->secret_access_key, "ps");
  EXPECT_EQ(c->session_token, "pt");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(FormatRfc3339(*c->expiration), "2026-01-01T06:00:00.000Z");
  EXPECT_EQ(c->source, "credential_process of " + Path(".aws/config") + " [default]");
}

TEST_F(CredentialProcessProfileTest, StaticKeysInTheSameProfileWin) {
  UseScript("exit 1\n");
  Write(".aws/config",
        "[default]\naws_access_key_id = AKIASTATIC\naws_secret_access_key = s\n"
        "credential_process = /nonexistent/helper\n");
  auto c = RunChain();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "AKIASTATIC");
}

TEST_F(CredentialProcessProfileTest, BadJson) {
  std::string script = UseScript("echo 'AccessKeyId=TOPSECRET'\n");
  auto c = RunChain();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(c.status().message(), Path(".aws/config") +
                                      ":3: credential_process of profile [default]: '" + script +
                                      "' printed no usable credentials: the answer is not JSON");
}

TEST_F(CredentialProcessProfileTest, WrongVersion) {
  UseScript(R"(echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "TOPSECRET"}')"
            "\n");
  auto c = RunChain();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr("$.Version must be 1"));
  EXPECT_THAT(c.status().message(), Not(HasSubstr("TOPSECRET")));
}

TEST_F(CredentialProcessProfileTest, NonZeroExit) {
  UseScript("echo 'SSO session expired; run aws sso login' >&2\nexit 255\n", "TOPSECRET-ARG");
  auto c = RunChain();
  EXPECT_THAT(c, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(c.status().message(), HasSubstr(":3: credential_process of profile [default]: '"));
  EXPECT_THAT(c.status().message(),
              HasSubstr("' exited with status 255: SSO session expired; run aws sso login"));
  EXPECT_THAT(c.status().message(), Not(HasSubstr("TOPSECRET")));  // arguments are not shown
}

TEST_F(CredentialProcessProfileTest, Timeout) {
  UseScript("sleep 30\n");
  auto c = RunChain({.remote_sources = false, .process_timeout = std::chrono::milliseconds(200)});
  EXPECT_THAT(c, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(c.status().message(), HasSubstr("did not finish within 200 ms and was killed"));
}

TEST_F(CredentialProcessProfileTest, UnsplittableCommand) {
  Write(".aws/config", "[default]\ncredential_process = helper 'unterminated\n");
  auto c = RunChain();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(),
              HasSubstr(":2: credential_process of profile [default]: a ' quote is not closed"));
}

TEST_F(CredentialProcessProfileTest, NamedProfileInTheCredentialsFile) {
  std::filesystem::path script = Write(
      "bin/helper",
      "#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"AKIALONG\",\"SecretAccessKey\":\"x\"}'\n");
  ::chmod(script.c_str(), 0700);
  Write(".aws/credentials", "[ci]\ncredential_process = " + script.string() + "\n");
  env_ = {{"AWS_PROFILE", "ci"}};
  auto c = RunChain();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "AKIALONG");
  EXPECT_FALSE(c->expiration.has_value());  // long-term: no Expiration
  EXPECT_EQ(c->source, "credential_process of " + Path(".aws/credentials") + " [ci]");
}

TEST_F(CredentialsTest, SsoProfilesAreReportedAsUnsupported) {
  Write(".aws/config", "[profile sso]\nsso_session = corp\nsso_account_id = 1\n");
  env_ = {{"AWS_PROFILE", "sso"}};
  auto c = Run();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr(":1: profile [profile sso] gets its credentials "
                                              "through sso_session"));
  EXPECT_THAT(c.status().message(), HasSubstr("aws configure export-credentials --profile sso"));
}

TEST_F(CredentialsTest, ParseErrorsNameFileAndLine) {
  Write(".aws/credentials", "[default]\naws_access_key_id = D\nthis is not ini\n");
  auto c = Run();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr(Path(".aws/credentials") + ":3: expected"));
}

TEST_F(CredentialsTest, ADirectoryInPlaceOfTheFileIsAnError) {
  std::filesystem::create_directories(home_.path() / ".aws" / "credentials");
  auto c = Run();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), HasSubstr("not a regular file"));
}

TEST_F(CredentialsTest, SecretsNeverAppearInErrors) {
  Write(".aws/credentials", "[default]\naws_secret_access_key = TOPSECRET\n");
  auto c = Run();
  EXPECT_THAT(c, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(c.status().message(), Not(HasSubstr("TOPSECRET")));
}

TEST(ParseIniTest, SectionsKeysAndSubSettings) {
  auto ini = ParseIni(
      "\xEF\xBB\xBF[default]\r\n"
      "region = eu-central-1\r\n"
      "s3 =\n"
      "  max_concurrent_requests = 20\n"
      "  addressing_style = path\n"
      "output = json\n"
      "empty =\n"
      "[default]\n"
      "region = eu-west-1\n",
      "cfg");
  ASSERT_OK(ini);
  ASSERT_EQ(ini->size(), 1u);
  const IniSection& s = ini->at("default");
  EXPECT_EQ(s.line, 1);
  EXPECT_EQ(s.values.at("region"), "eu-west-1");  // last one wins
  EXPECT_EQ(s.value_lines.at("region"), 9);
  EXPECT_EQ(s.values.at("output"), "json");
  EXPECT_EQ(s.values.at("s3"), "");
  EXPECT_EQ(s.values.count("max_concurrent_requests"), 0u);
  EXPECT_EQ(s.values.at("empty"), "");
}

TEST(ParseIniTest, ErrorsCarryFileAndLine) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c : {
           Case{"key = v\n", "f:1: 'key' is outside any [section]"},
           Case{"[a]\n[b\n", "f:2: section header '[b' lacks ']'"},
           Case{"[]\n", "f:1: empty section name"},
           Case{"[a] junk\n", "f:1: unexpected text 'junk'"},
           Case{"[a]\n= v\n", "f:2: a value without a key"},
           Case{"[a]\n\nnonsense\n", "f:3: expected `key = value`"},
       }) {
    auto r = ParseIni(c.text, "f");
    EXPECT_THAT(r, StatusIs(ErrorCode::kValidation)) << c.expected;
    EXPECT_THAT(r.status().message(), HasSubstr(c.expected));
  }
  auto nul = ParseIni(std::string_view("[a]\nk = \0\n", 10), "f");
  EXPECT_THAT(nul.status().message(), HasSubstr("f:2: NUL byte"));
}

}  // namespace
}  // namespace bp::auth::credentials
