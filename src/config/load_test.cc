#include "config/load.h"

#include <algorithm>
#include <fstream>
#include <sys/stat.h>

#include <unistd.h>

#include "config/hcl_parser.h"
#include "config/json_parser.h"
#include "testing/testing.h"

namespace bp::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const Tags& RdTags() {
  static const Tags tags = {{"billing-mode", "rd"}};
  return tags;
}

void WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Everything but where things came from (file names, locations, origins of
// inline policies) must match.
void ExpectSameConfig(const Config& a, const Config& b) {
  EXPECT_EQ(a.account_id, b.account_id);
  EXPECT_EQ(a.region, b.region);
  EXPECT_EQ(a.default_tags, b.default_tags);
  ASSERT_EQ(a.profiles.size(), b.profiles.size());
  for (size_t i = 0; i < a.profiles.size(); ++i) {
    const ProfileConfig& p = a.profiles[i];
    const ProfileConfig& q = b.profiles[i];
    EXPECT_EQ(p.name, q.name);
    EXPECT_EQ(p.model_arn, q.model_arn);
    EXPECT_EQ(p.description, q.description);
    EXPECT_EQ(p.id, q.id);
    EXPECT_EQ(p.tags, q.tags);
  }
  ASSERT_EQ(a.principals.size(), b.principals.size());
  for (size_t i = 0; i < a.principals.size(); ++i) {
    const PrincipalConfig& p = a.principals[i];
    const PrincipalConfig& q = b.principals[i];
    EXPECT_EQ(p.name, q.name);
    EXPECT_EQ(p.arn, q.arn);
    EXPECT_EQ(p.access_key_id, q.access_key_id);
    EXPECT_EQ(p.secret_access_key, q.secret_access_key);
    EXPECT_EQ(p.session_token, q.session_token);
    EXPECT_EQ(p.api_key_sha256, q.api_key_sha256);
    EXPECT_EQ(p.tags, q.tags);
    ASSERT_EQ(p.policies.size(), q.policies.size());
    for (size_t k = 0; k < p.policies.size(); ++k)
      EXPECT_EQ(p.policies[k].text, q.policies[k].text);
  }
}

class LoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = catalog::Catalog::Builtin();
    ASSERT_OK(c);
    catalog_ = std::move(*c);
  }
  LoadResult Load(std::string_view text, const std::string& name = "test.hcl") {
    return LoadText(text, name, *catalog_, env_);
  }

  std::optional<catalog::Catalog> catalog_;
  EnvLookup env_ = [](std::string_view) { return std::optional<std::string>(); };
};

void ExpectShippedDefault(const LoadResult& r) {
  ASSERT_THAT(r.errors, IsEmpty()) << r.errors[0].ToString();
  EXPECT_THAT(r.warnings, IsEmpty());
  ASSERT_TRUE(r.config.has_value());
  const Config& c = *r.config;
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_EQ(c.region, "eu-central-1");
  EXPECT_EQ(c.default_tags.at("billing-mode"), "standard");
  ASSERT_THAT(c.profiles, SizeIs(2));
  EXPECT_EQ(c.profiles[0].name, "rd-haiku-45");
  EXPECT_EQ(c.profiles[0].id, "acwt9yee9wzo");
  EXPECT_EQ(c.profiles[0].tags, RdTags());
  EXPECT_EQ(c.profiles[1].name, "rd-sonnet-4");
  EXPECT_EQ(c.profiles[1].id, "tkxdfdh17c6o");
  EXPECT_EQ(c.profiles[1].tags, RdTags());
  ASSERT_THAT(c.principals, SizeIs(2));
  EXPECT_EQ(c.principals[0].name, "platform-admin");
  EXPECT_EQ(c.principals[1].name, "rd-e2e");
  EXPECT_EQ(c.principals[1].access_key_id, "AKIABPLOCALRDE2E0001");
  ASSERT_THAT(c.principals[1].policies, SizeIs(1));
  EXPECT_THAT(c.principals[1].policies[0].text, HasSubstr("\"Sid\": \"InvokeBedrockProfile\""));
  // <<-EOT removed the indentation of the heredoc.
  EXPECT_EQ(c.principals[1].policies[0].text.substr(0, 4), "{\n  ");
}

TEST_F(LoadTest, BuiltinDefaultLoadsWithZeroErrors) {
  LoadResult r = Load(BuiltinConfigText(), std::string(kBuiltinConfigName));
  ExpectShippedDefault(r);
  EXPECT_EQ(r.config->source, kBuiltinConfigName);
}

TEST_F(LoadTest, ShippedFileIsTheBuiltinAndLoads) {
  std::filesystem::path path = testing::SourceDir() / "config" / "bedrock-profiles.hcl";
  EXPECT_EQ(testing::ReadFileOrDie(path), BuiltinConfigText());
  LoadResult r = LoadFile(path, *catalog_, env_);
  ExpectShippedDefault(r);
  EXPECT_EQ(r.config->source, path.string());
  // The first principal's policy heredoc, wherever edits to the file put it.
  const std::string text = testing::ReadFileOrDie(path);
  const size_t at = text.find("    policy            = <<-EOT");
  ASSERT_NE(at, std::string::npos);
  const size_t line = 1 + std::count(text.begin(), text.begin() + at, '\n');
  EXPECT_EQ(r.config->principals[0].policies[0].origin,
            path.string() + ":" + std::to_string(line) + ":25");
}

TEST_F(LoadTest, JsonTwinYieldsTheSameTreeAndConfig) {
  std::filesystem::path json_path =
      testing::SourceDir() / "src" / "config" / "testdata" / "bedrock-profiles.json";
  std::string json_text = testing::ReadFileOrDie(json_path);
  ParseOutput hcl_tree = ParseHcl(BuiltinConfigText(), "a.hcl");
  ParseOutput json_tree = ParseJson(json_text, "a.json");
  ASSERT_TRUE(hcl_tree.body && json_tree.body);
  EXPECT_TRUE(ast::SameBody(*hcl_tree.body, *json_tree.body));

  LoadResult from_json = LoadFile(json_path, *catalog_, env_);
  ExpectShippedDefault(from_json);
  LoadResult from_hcl = Load(BuiltinConfigText());
  ExpectSameConfig(*from_hcl.config, *from_json.config);
}

TEST_F(LoadTest, MissingFileIsADiagnosticNamingIt) {
  LoadResult r = LoadFile("/nonexistent/dir/x.hcl", *catalog_, env_);
  EXPECT_FALSE(r.config.has_value());
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].ToString(),
            "/nonexistent/dir/x.hcl: cannot read the config file: No such file or directory");
}

TEST_F(LoadTest, DirectoryAndOversizedFilesAreRefused) {
  testing::TempDir dir;
  LoadResult r = LoadFile(dir.path(), *catalog_, env_);
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_THAT(r.errors[0].message, HasSubstr("is a directory"));

  WriteFile(dir.path() / "big.hcl", std::string(2 << 20, '#'));
  r = LoadFile(dir.path() / "big.hcl", *catalog_, env_);
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_THAT(r.errors[0].message, HasSubstr("larger than the limit"));
}

TEST_F(LoadTest, LoadDefaultOrFilePrefersExplicitThenLocalThenBuiltin) {
  testing::TempDir dir;
  std::filesystem::path old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  LoadResult builtin = LoadDefaultOrFile(std::nullopt, *catalog_, env_);
  WriteFile("bedrock-profiles.hcl", "account_id = 1\n");
  LoadResult local = LoadDefaultOrFile(std::nullopt, *catalog_, env_);
  LoadResult missing = LoadDefaultOrFile(dir.path() / "other.hcl", *catalog_, env_);
  std::filesystem::current_path(old_cwd);

  ExpectShippedDefault(builtin);
  EXPECT_EQ(builtin.config->source, kBuiltinConfigName);
  ASSERT_FALSE(local.errors.empty());
  EXPECT_EQ(local.errors[0].location.file, "bedrock-profiles.hcl");
  ASSERT_THAT(missing.errors, SizeIs(1));
  EXPECT_THAT(missing.errors[0].message, HasSubstr("cannot read"));
}

// A valid config with one principal whose policy lines are `policy_lines`.
std::string WithPolicy(std::string_view policy_lines) {
  return std::string(R"(account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
principals = {
  alice = {
    arn               = "arn:aws:iam::123456789012:user/alice"
    access_key_id     = "AKIAALICE0000001"
    secret_access_key = "not-shown"
)") + std::string(policy_lines) +
         "\n  }\n}\n";
}

TEST_F(LoadTest, PolicyFilesResolveAgainstTheConfigFolder) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir.path() / "policies");
  WriteFile(dir.path() / "policies" / "p.json", R"({"Statement": []})");
  WriteFile(dir.path() / "c.hcl", WithPolicy("policy_files = [\"policies/p.json\"]\n"
                                             "policy = \"{\\\"Statement\\\": 1}\""));
  LoadResult r = LoadFile(dir.path() / "c.hcl", *catalog_, env_);
  ASSERT_THAT(r.errors, IsEmpty()) << r.errors[0].ToString();
  const PrincipalConfig* alice = r.config->FindPrincipal("alice");
  ASSERT_NE(alice, nullptr);
  ASSERT_THAT(alice->policies, SizeIs(2));
  EXPECT_EQ(alice->policies[0].text, R"({"Statement": 1})");
  EXPECT_EQ(alice->policies[0].origin, (dir.path() / "c.hcl").string() + ":14:10");
  EXPECT_EQ(alice->policies[1].text, R"({"Statement": []})");
  EXPECT_EQ(alice->policies[1].origin, (dir.path() / "policies/p.json").string());
}

TEST_F(LoadTest, PolicyFileThatIsAFifoIsRefusedWithoutBlocking) {
  testing::TempDir dir;
  ASSERT_EQ(mkfifo((dir.path() / "fifo").c_str(), 0600), 0);
  WriteFile(dir.path() / "c.hcl", WithPolicy("policy_file = \"fifo\""));
  LoadResult r = LoadFile(dir.path() / "c.hcl", *catalog_, env_);
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_THAT(r.errors[0].message, HasSubstr("not a regular file"));
}

TEST_F(LoadTest, ErrorsComeInFileOrderAndToResultListsThemAll) {
  LoadResult r = Load("region = \"us-east-1\"\nregion = \"x\"\naccount_id = \"1\"\n");
  std::vector<std::string> lines;
  for (const Diagnostic& d : r.errors) lines.push_back(d.ToString());
  EXPECT_THAT(lines,
              ElementsAre(HasSubstr("test.hcl:1:10: region: 'us-east-1' is not an EU region"),
                          HasSubstr("test.hcl:2:1: duplicate attribute 'region'"),
                          HasSubstr("test.hcl:3:14: account_id:")));
  Result<Config> result = ToResult(std::move(r));
  EXPECT_THAT(result, testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(result.status().message(), HasSubstr("\ntest.hcl:2:1: duplicate attribute"));
  EXPECT_OK(ToResult(Load(BuiltinConfigText())));
}

TEST_F(LoadTest, LocationsAndLookups) {
  EXPECT_EQ((SourceLocation{"f.hcl", 3, 7}).ToString(), "f.hcl:3:7");
  EXPECT_EQ((SourceLocation{"f.hcl", 0, 0}).ToString(), "f.hcl");
  EXPECT_EQ((Diagnostic{{"f.hcl", 1, 2}, "bad"}).ToString(), "f.hcl:1:2: bad");
  LoadResult r = Load(BuiltinConfigText());
  ASSERT_TRUE(r.config.has_value());
  ASSERT_NE(r.config->FindProfile("rd-sonnet-4"), nullptr);
  EXPECT_EQ(r.config->FindProfile("rd-sonnet-4")->id, "tkxdfdh17c6o");
  EXPECT_EQ(r.config->FindProfile("rd-opus"), nullptr);
  EXPECT_EQ(r.config->FindPrincipal("nobody"), nullptr);
}

TEST_F(LoadTest, ProcessEnvReadsTheEnvironment) {
  ASSERT_EQ(setenv("BP_CONFIG_LOAD_TEST_VAR", "value-1", 1), 0);
  EnvLookup env = ProcessEnv();
  EXPECT_EQ(env("BP_CONFIG_LOAD_TEST_VAR"), "value-1");
  EXPECT_EQ(env("BP_CONFIG_LOAD_TEST_UNSET_VAR"), std::nullopt);
  unsetenv("BP_CONFIG_LOAD_TEST_VAR");
}

}  // namespace
}  // namespace bp::config
