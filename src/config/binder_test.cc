#include "config/binder.h"

#include <map>

#include "config/hcl_parser.h"
#include "testing/testing.h"

namespace bp::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr std::string_view kHead = R"(account_id = "123456789012"
region     = "eu-central-1"
)";
constexpr std::string_view kHaiku =
    "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0";
constexpr std::string_view kPolicy = R"({"Statement": []})";

class BinderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = catalog::Catalog::Builtin();
    ASSERT_OK(c);
    catalog_ = std::move(*c);
  }

  // Parses and binds; "line:col: message" per error (warnings prefixed).
  std::vector<std::string> Diagnose(std::string_view text) {
    result_ = BindText(text);
    auto by_location = [](const Diagnostic& a, const Diagnostic& b) {
      return std::pair(a.location.line, a.location.column) <
             std::pair(b.location.line, b.location.column);
    };
    std::stable_sort(result_.errors.begin(), result_.errors.end(), by_location);
    std::vector<std::string> out;
    for (const Diagnostic& d : result_.errors) out.push_back(Short(d));
    for (const Diagnostic& d : result_.warnings) out.push_back("warning " + Short(d));
    return out;
  }
  LoadResult BindText(std::string_view text) {
    ParseOutput parsed = ParseHcl(text, "t.hcl");
    EXPECT_THAT(parsed.errors, IsEmpty());
    if (!parsed.body) return {};
    BindContext context{*catalog_, env_, "/cfg", reader_};
    return Bind(*parsed.body, context);
  }
  static std::string Short(const Diagnostic& d) {
    return std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " +
           d.message;
  }
  std::string Profile(std::string_view name, std::string_view body) {
    return std::string(kHead) + "inference_profiles = {\n  " + std::string(name) + " = {\n" +
           std::string(body) + "\n  }\n}\n";
  }
  std::string Principal(std::string_view body) {
    return std::string(kHead) + "inference_profiles = { rd-h = { model_arn = \"" +
           std::string(kHaiku) + "\" } }\nprincipals = {\n  p1 = {\n" + std::string(body) +
           "\n  }\n}\n";
  }

  std::optional<catalog::Catalog> catalog_;
  std::map<std::string, std::string, std::less<>> env_vars_;
  EnvLookup env_ = [this](std::string_view name) -> std::optional<std::string> {
    auto it = env_vars_.find(name);
    if (it == env_vars_.end()) return std::nullopt;
    return it->second;
  };
  std::map<std::string, std::string> files_;
  FileReader reader_ = [this](const std::filesystem::path& p) -> Result<std::string> {
    auto it = files_.find(p.string());
    if (it == files_.end()) return IoError("No such file or directory");
    return it->second;
  };
  LoadResult result_;
};

TEST_F(BinderTest, MinimalConfigBinds) {
  EXPECT_THAT(Diagnose(Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"")),
              IsEmpty());
  ASSERT_TRUE(result_.config.has_value());
  EXPECT_EQ(result_.config->profiles[0].model_arn, kHaiku);
  EXPECT_EQ(result_.config->profiles[0].location.line, 4u);
  EXPECT_EQ(result_.config->profiles[0].description, std::nullopt);
}

TEST_F(BinderTest, EmptyFileNeedsAccountAndRegion) {
  EXPECT_THAT(Diagnose(""), ElementsAre("0:0: missing required key 'account_id'",
                                        "0:0: missing required key 'region'",
                                        "warning 0:0: no inference_profiles are declared: callers "
                                        "will have no model to use"));
  EXPECT_FALSE(result_.config.has_value());
}

TEST_F(BinderTest, UnknownKeysSuggestTheClosestKnownKey) {
  EXPECT_THAT(
      Diagnose(std::string(kHead) + "regoin = \"x\"\nzzz = 1\ninference_profiles = {}\n"),
      ElementsAre("3:1: unknown top-level key 'regoin'; did you mean 'region'?",
                  "4:1: unknown top-level key 'zzz'; expected one of: account_id, region, "
                  "default_tags, inference_profiles, principals, regions, routing, approvals, "
                  "server, catalog_file, guardrails, prices, price_multipliers, metrics, metering, "
                  "quotas, budgets, storage",
                  "warning 5:22: inference_profiles is empty: callers will have no model "
                  "to use"));
  EXPECT_THAT(Diagnose(Profile("rd-haiku-45", "modle_arn = \"x\"\nTags = {}")),
              ElementsAre("4:3: inference_profiles.rd-haiku-45: missing required key 'model_arn'",
                          "5:1: unknown key 'modle_arn' in inference_profiles.rd-haiku-45; did you "
                          "mean 'model_arn'?",
                          "6:1: unknown key 'Tags' in inference_profiles.rd-haiku-45; did you mean "
                          "'tags'?"));
}

TEST_F(BinderTest, WrongKindsNameTheKeyAndTheExpectedType) {
  EXPECT_THAT(
      Diagnose("account_id = 123456789012\nregion = [\"eu-west-1\"]\ndefault_tags = []\n"
               "inference_profiles = \"x\"\nprincipals = 1\n"),
      ElementsAre("1:14: account_id: expected a string, found a number (write it in quotes)",
                  "2:10: region: expected a string, found a list",
                  "3:16: default_tags: expected a map, found a list",
                  "4:22: inference_profiles: expected a map, found a string",
                  "5:14: principals: expected a map, found a number"));
}

TEST_F(BinderTest, NullMeansNotSet) {
  EXPECT_THAT(
      Diagnose(Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) +
                                          "\"\ndescription = null\nid = null\ntags = null")),
      IsEmpty());
  EXPECT_THAT(Diagnose("account_id = null\n" + std::string(kHead.substr(kHead.find('\n') + 1)) +
                       "inference_profiles = {}"),
              ElementsAre("0:0: missing required key 'account_id'", HasSubstr("warning")));
}

TEST_F(BinderTest, ProfileRulesReportAtTheValue) {
  std::string text = std::string(kHead) + R"(default_tags = { "aws:x" = "1", ok = "a&b" }
inference_profiles = {
  Haiku = { model_arn = "arn:aws:bedrock:us-east-1::foundation-model/x" }
  rd-a = {
    model_arn   = ")" +
                     std::string(kHaiku) + R"("
    description = "for R&D"
    id          = "acwt9yee9wzo"
  }
  rd-b = {
    model_arn = ")" + std::string(kHaiku) +
                     R"("
    id        = "acwt9yee9wzo"
    tags      = { k = 1 }
  }
})";
  std::vector<std::string> d = Diagnose(text);
  ASSERT_THAT(d, SizeIs(7));
  EXPECT_THAT(d[0], HasSubstr("3:18: default_tags: tag key 'aws:x' starts with 'aws:'"));
  EXPECT_THAT(d[1], HasSubstr("3:38: default_tags.ok: tag value 'a&b' contains '&'"));
  EXPECT_THAT(d[2], HasSubstr("5:3: inference_profiles: profile name 'Haiku' does not follow"));
  EXPECT_THAT(d[3], HasSubstr("5:25: inference_profiles.Haiku.model_arn: region 'us-east-1'"));
  EXPECT_THAT(d[4], HasSubstr("8:19: inference_profiles.rd-a.description: description 'for R&D'"));
  EXPECT_EQ(d[5],
            "13:17: inference_profiles.rd-b.id: id 'acwt9yee9wzo' is already used by "
            "profile 'rd-a' (t.hcl:6:3)");
  EXPECT_EQ(d[6],
            "14:23: inference_profiles.rd-b.tags.k: expected a string, found a number "
            "(write it in quotes)");
}

TEST_F(BinderTest, AccountOfTheProfileArnMustMatchUnlessAccountIdIsInvalid) {
  std::string other = std::string(kHaiku).replace(kHaiku.find("123456789012"), 12, "999999999999");
  std::string body = "model_arn = \"" + other + "\"";
  EXPECT_THAT(Diagnose(Profile("rd-h", body)), ElementsAre(HasSubstr("differs from account_id")));
  std::string bad_account = Profile("rd-h", body);
  bad_account.replace(bad_account.find("123456789012"), 12, "12");
  EXPECT_THAT(Diagnose(bad_account),
              ElementsAre(HasSubstr("account_id: '12' is not an AWS account id")));
}

TEST_F(BinderTest, TagCountsIncludeDefaultTags) {
  std::string defaults = "default_tags = {\n";
  for (int i = 0; i < 49; ++i) defaults += "  d" + std::to_string(i) + " = \"v\"\n";
  defaults += "}\n";
  std::string arn = "model_arn = \"" + std::string(kHaiku) + "\"\n";
  std::string base = std::string(kHead) + defaults + "inference_profiles = {\n";
  // 49 defaults + 1 overriding + 1 new = 50: fine. 49 + 2 new = 51: refused.
  EXPECT_THAT(Diagnose(base + "rd-a = {\n" + arn + "tags = { d0 = \"x\", n1 = \"y\" }\n}\n}\n"),
              IsEmpty());
  EXPECT_THAT(Diagnose(base + "rd-a = {\n" + arn + "tags = { n0 = \"x\", n1 = \"y\" }\n}\n}\n"),
              ElementsAre("57:1: inference_profiles.rd-a: 51 tags after merging default_tags with "
                          "the profile's tags; AWS allows at most 50 per resource"));
  std::string many = "default_tags = {\n";
  for (int i = 0; i < 51; ++i) many += "  d" + std::to_string(i) + " = \"v\"\n";
  many += "}\ninference_profiles = { rd-a = { " + arn + " } }\n";
  EXPECT_THAT(Diagnose(std::string(kHead) + many),
              ElementsAre("3:16: default_tags: 51 tags; AWS allows at most 50 per resource"));
}

TEST_F(BinderTest, SecretsComeInlineOrFromTheEnvironment) {
  std::string common =
      "arn = \"arn:aws:iam::123456789012:role/r\"\naccess_key_id = \"AKIA000000000001\"\n"
      "policy = \"{\\\"Statement\\\": []}\"\n";
  env_vars_["BP_SECRET"] = "from-env";
  env_vars_["BP_TOKEN"] = "token-env";
  EXPECT_THAT(Diagnose(Principal(common + "secret_access_key_env = \"BP_SECRET\"\n"
                                          "session_token_env = \"BP_TOKEN\"")),
              IsEmpty());
  EXPECT_EQ(result_.config->principals[0].secret_access_key, "from-env");
  EXPECT_EQ(result_.config->principals[0].session_token, "token-env");

  env_vars_["BP_EMPTY"] = "";
  EXPECT_THAT(Diagnose(Principal(common + "secret_access_key_env = \"BP_MISSING\"\n"
                                          "session_token_env = \"BP_EMPTY\"")),
              ElementsAre("9:25: principals.p1.secret_access_key_env: environment variable "
                          "'BP_MISSING' is not set",
                          "10:21: principals.p1.session_token_env: environment variable "
                          "'BP_EMPTY' is empty"));
  EXPECT_THAT(Diagnose(Principal(common + "secret_access_key = \"inline-secret\"\n"
                                          "secret_access_key_env = \"BP_SECRET\"")),
              ElementsAre("10:25: principals.p1: give either secret_access_key or "
                          "secret_access_key_env, not both"));
  EXPECT_THAT(Diagnose(Principal(common)),
              ElementsAre("5:3: principals.p1: a secret is required: set secret_access_key or "
                          "secret_access_key_env"));
  EXPECT_THAT(Diagnose(Principal(common + "secret_access_key = 5")),
              ElementsAre(HasSubstr("principals.p1.secret_access_key: expected a string")));
}

TEST_F(BinderTest, StorageIsSqliteByDefaultAndPostgresFromTheUrlOrItsVariable) {
  const std::string base = std::string(kHead) + "inference_profiles = { rd-h = { model_arn = \"" +
                           std::string(kHaiku) + "\" } }\n";
  EXPECT_THAT(Diagnose(base), IsEmpty());
  EXPECT_EQ(result_.config->storage.backend, StorageConfig::Backend::kSqlite);

  EXPECT_THAT(Diagnose(base + "storage = { backend = \"postgres\", url = "
                              "\"postgresql://bp@db:5432/profiles\" }\n"),
              IsEmpty());
  EXPECT_EQ(result_.config->storage.backend, StorageConfig::Backend::kPostgres);
  EXPECT_EQ(result_.config->storage.url, "postgresql://bp@db:5432/profiles");

  // From the environment, a password is fine.
  env_vars_["BP_DB"] = "postgresql://bp:pw@db/profiles";
  EXPECT_THAT(Diagnose(base + "storage = { backend = \"postgres\", url_env = \"BP_DB\" }\n"),
              IsEmpty());
  EXPECT_EQ(result_.config->storage.url, "postgresql://bp:pw@db/profiles");

  // Neither: libpq's PG* variables decide.
  EXPECT_THAT(Diagnose(base + "storage = { backend = \"postgres\" }\n"), IsEmpty());
  EXPECT_EQ(result_.config->storage.url, "");

  // The refused password is never repeated.
  std::vector<std::string> refused = Diagnose(
      base + "storage = { backend = \"postgres\", url = \"postgresql://bp:pw-xyz@db/p\" }\n");
  ASSERT_THAT(refused, SizeIs(1));
  EXPECT_THAT(refused[0], HasSubstr("put the password in url_env or PGPASSWORD"));
  EXPECT_THAT(refused[0], Not(HasSubstr("pw-xyz")));
}

TEST_F(BinderTest, SecretsNeverAppearInDiagnostics) {
  const std::string secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
  env_vars_["BP_SECRET"] = secret;
  // Every key of the principal is wrong in some way.
  std::string text = Principal(
      "arn = \"" + secret + "\"\naccess_key_id = \"" + secret + "\"\nsecret_access_key = \"" +
      secret + "\"\nsecret_access_key_env = \"BP_SECRET\"\nsession_token = \"" + secret +
      "\"\nsession_token_env = \"BP_SECRET\"\napi_key_sha256 = \"" + secret + "\"\npolicy = \"" +
      secret + "\"\nsecret_acces_key = \"" + secret + "\"");
  std::vector<std::string> d = Diagnose(text);
  EXPECT_THAT(d, SizeIs(7));
  for (const std::string& line : d) {
    if (line.find("arn") != std::string::npos || line.find("access_key_id") != std::string::npos) {
      continue;  // identifiers, quoted on purpose (the test put the secret there)
    }
    EXPECT_THAT(line, Not(HasSubstr(secret)));
    EXPECT_THAT(line, Not(HasSubstr("wJalr")));
  }
}

TEST_F(BinderTest, AccessKeysAndApiKeysAreUniqueAcrossPrincipals) {
  std::string digest(64, 'a');
  std::string upper(64, 'A');
  std::string text = std::string(kHead) + "inference_profiles = { rd-h = { model_arn = \"" +
                     std::string(kHaiku) + "\" } }\nprincipals = {\n" +
                     "  a = {\n    arn = \"arn:aws:iam::123456789012:role/a\"\n"
                     "    access_key_id = \"AKIA000000000001\"\n    secret_access_key = \"s\"\n"
                     "    api_key_sha256 = \"" +
                     digest +
                     "\"\n    policy = \"{\\\"Statement\\\":1}\"\n  }\n"
                     "  b = {\n    arn = \"arn:aws:iam::123456789012:user/b\"\n"
                     "    access_key_id = \"AKIA000000000001\"\n    secret_access_key = \"s\"\n"
                     "    api_key_sha256 = [\"" +
                     std::string(64, 'b') + "\", \"" + upper +
                     "\"]\n"
                     "    policy = \"{\\\"Statement\\\":1}\"\n  }\n}\n";
  EXPECT_THAT(
      Diagnose(text),
      ElementsAre("14:21: principals.b.access_key_id: 'AKIA000000000001' is already used "
                  "by principal 'a' (t.hcl:5:3)",
                  "16:91: principals.b.api_key_sha256[1]: the same API key digest is already "
                  "given for principal 'a' (t.hcl:5:3)"));
}

TEST_F(BinderTest, ApiKeyDigestsAreNormalisedToLowerCase) {
  std::string text = Principal(
      "arn = \"arn:aws:iam::123456789012:role/r\"\naccess_key_id = "
      "\"AKIA000000000001\"\nsecret_access_key = \"s\"\npolicy = "
      "\"{\\\"Statement\\\":1}\"\napi_key_sha256 = \"" +
      std::string(64, 'F') + "\"");
  EXPECT_THAT(Diagnose(text), IsEmpty());
  EXPECT_THAT(result_.config->principals[0].api_key_sha256, ElementsAre(std::string(64, 'f')));
  EXPECT_THAT(Diagnose(text + "\n").size(), 0u);
}

TEST_F(BinderTest, PoliciesFromEveryKeyAddUp) {
  files_["/cfg/a.json"] = std::string(kPolicy);
  files_["/abs/b.json"] = R"({"Statement": [{"Effect": "Allow"}]})";
  files_["/cfg/bad.json"] = "{";
  std::string common =
      "arn = \"arn:aws:iam::123456789012:role/r\"\naccess_key_id = "
      "\"AKIA000000000001\"\nsecret_access_key = \"s\"\n";
  EXPECT_THAT(
      Diagnose(Principal(common + "policy = <<EOT\n{\"Statement\": 1}\nEOT\n"
                                  "policies = [\"{\\\"Statement\\\": 2}\"]\n"
                                  "policy_file = \"a.json\"\npolicy_files = [\"/abs/b.json\"]")),
      IsEmpty());
  const std::vector<PolicyDocument>& p = result_.config->principals[0].policies;
  ASSERT_THAT(p, SizeIs(4));
  EXPECT_EQ(p[0].text, "{\"Statement\": 1}\n");
  EXPECT_EQ(p[0].origin, "t.hcl:9:10");
  EXPECT_EQ(p[1].text, "{\"Statement\": 2}");
  EXPECT_EQ(p[2].origin, "/cfg/a.json");
  EXPECT_EQ(p[3].origin, "/abs/b.json");

  EXPECT_THAT(
      Diagnose(Principal(common + "policy = <<-EOT\n  {\"Version\": 1}\n  EOT\n"
                                  "policies = \"x\"\npolicy_file = \"bad.json\"\n"
                                  "policy_files = [\"missing.json\", 3]")),
      ElementsAre("9:10: principals.p1.policy: the policy has no \"Statement\" member (an "
                  "IAM policy document needs one)",
                  "12:12: principals.p1.policies: expected a list, found a string",
                  HasSubstr("13:15: principals.p1.policy_file ('/cfg/bad.json'): the policy "
                            "is not valid JSON"),
                  "14:17: principals.p1.policy_files[0]: cannot read policy file "
                  "'/cfg/missing.json': No such file or directory",
                  "14:33: principals.p1.policy_files[1]: expected a string, found a number (write "
                  "it in quotes)"));
}

TEST_F(BinderTest, PrincipalWithoutPolicyIsAWarning) {
  EXPECT_THAT(Diagnose(Principal("arn = \"arn:aws:iam::123456789012:role/r\"\naccess_key_id = "
                                 "\"AKIA000000000001\"\nsecret_access_key = \"s\"")),
              ElementsAre("warning 5:3: principals.p1: no policy is attached, so every request it "
                          "signs will be denied"));
  EXPECT_TRUE(result_.config.has_value());
}

TEST_F(BinderTest, ProfilesAndPrincipalsComeOutSortedByName) {
  std::string arn = "{ model_arn = \"" + std::string(kHaiku) + "\" }";
  std::string p =
      "{\n arn = \"arn:aws:iam::123456789012:role/r\"\n secret_access_key = \"s\"\n"
      " policy = \"{\\\"Statement\\\":1}\"\n access_key_id = ";
  EXPECT_THAT(Diagnose(std::string(kHead) + "inference_profiles = {\n rd-z = " + arn +
                       "\n rd-a = " + arn + "\n rd-m = " + arn + "\n}\nprincipals = {\n zed = " +
                       p + "\"AKIA000000000001\"\n}\n amy = " + p + "\"AKIA000000000002\"\n}\n}\n"),
              IsEmpty());
  ASSERT_THAT(result_.config->profiles, SizeIs(3));
  EXPECT_EQ(result_.config->profiles[0].name, "rd-a");
  EXPECT_EQ(result_.config->profiles[2].name, "rd-z");
  EXPECT_EQ(result_.config->principals[0].name, "amy");
}

TEST_F(BinderTest, WithoutRegionsEveryDestinationRegionIsSimulatedAndHomeIsTheRegion) {
  ASSERT_THAT(Diagnose(Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"")),
              IsEmpty());
  ASSERT_TRUE(result_.config.has_value());
  const Config& c = *result_.config;
  ASSERT_THAT(c.regions, SizeIs(3));
  EXPECT_EQ(c.regions[0].name, "eu-central-1");
  EXPECT_EQ(c.regions[1].name, "eu-west-1");
  EXPECT_EQ(c.regions[2].name, "eu-west-3");
  EXPECT_EQ(c.regions[1].backend, "simulated");
  EXPECT_EQ(c.regions[1].simulated.time_to_first_token_ms, 200);
  EXPECT_EQ(c.routing.policy, "home-first");
  EXPECT_EQ(c.routing.home_region, "eu-central-1");
  EXPECT_NE(c.FindRegion("eu-west-3"), nullptr);
  EXPECT_EQ(c.FindRegion("eu-north-1"), nullptr);
}

TEST_F(BinderTest, RegionsAndRoutingBindEveryKnob) {
  std::string text = Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"") +
                     R"(regions = {
  eu-central-1 = { faults = { outage = true, seed = 9 } }
  eu-west-1    = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }
  eu-west-3    = { faults = { error_rate = 0.25, throttle_rate = 0.5, mid_stream_error_rate = 1 } }
}
routing = { policy = "least-outstanding", home_region = "eu-west-1", max_attempts = 2,
            open_seconds = 0.5, max_open_seconds = 2, failure_threshold = 4,
            overflow_outstanding = 8 }
)";
  ASSERT_THAT(Diagnose(text), IsEmpty());
  const Config& c = *result_.config;
  EXPECT_TRUE(c.FindRegion("eu-central-1")->faults.outage);
  EXPECT_EQ(c.FindRegion("eu-central-1")->faults.seed, 9u);
  EXPECT_EQ(c.FindRegion("eu-west-1")->simulated.tokens_per_second, 0);
  EXPECT_EQ(c.FindRegion("eu-west-3")->faults.throttle_rate, 0.5);
  EXPECT_EQ(c.FindRegion("eu-west-3")->faults.mid_stream_error_rate, 1);
  EXPECT_EQ(c.routing.policy, "least-outstanding");
  EXPECT_EQ(c.routing.home_region, "eu-west-1");
  EXPECT_EQ(c.routing.max_attempts, 2u);
  EXPECT_EQ(c.routing.open_seconds, 0.5);
  EXPECT_EQ(c.routing.max_open_seconds, 2);
  EXPECT_EQ(c.routing.failure_threshold, 4u);
  EXPECT_EQ(c.routing.overflow_outstanding, 8u);
}

TEST_F(BinderTest, ServerLimitsHaveDefaultsAndBindEveryKnob) {
  const std::string profile = Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"");
  ASSERT_THAT(Diagnose(profile), IsEmpty());
  EXPECT_EQ(result_.config->server.header_timeout_ms, 10'000);
  EXPECT_EQ(result_.config->server.request_timeout_ms, 120'000);
  EXPECT_EQ(result_.config->server.idle_timeout_ms, 60'000);
  EXPECT_EQ(result_.config->server.max_connections, 0u);
  EXPECT_EQ(result_.config->server.max_body_bytes_in_flight, 96u * 1024 * 1024);

  ASSERT_THAT(Diagnose(profile + R"(server = {
  header_timeout_ms = 1000, request_timeout_ms = 5000, idle_timeout_ms = 2000
  max_connections = 300, max_body_bytes_in_flight = 30000000
}
)"),
              IsEmpty());
  const ServerConfig& s = result_.config->server;
  EXPECT_EQ(s.header_timeout_ms, 1000);
  EXPECT_EQ(s.request_timeout_ms, 5000);
  EXPECT_EQ(s.idle_timeout_ms, 2000);
  EXPECT_EQ(s.max_connections, 300u);
  EXPECT_EQ(s.max_body_bytes_in_flight, 30'000'000u);
}

TEST_F(BinderTest, MetricsBearerTokenComesInlineOrFromTheEnvironment) {
  const std::string profile = Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"");
  ASSERT_THAT(Diagnose(profile), IsEmpty());
  EXPECT_EQ(result_.config->metrics.bearer_token, "");
  env_vars_["BP_METRICS_TOKEN"] = "scrape-0123456789abcdef";
  ASSERT_THAT(Diagnose(profile + "metrics = { bearer_token_env = \"BP_METRICS_TOKEN\" }\n"),
              IsEmpty());
  EXPECT_EQ(result_.config->metrics.bearer_token, "scrape-0123456789abcdef");
  ASSERT_THAT(Diagnose(profile + "metrics = { bearer_token = \"inline-0123456789abcdef\" }\n"),
              IsEmpty());
  EXPECT_EQ(result_.config->metrics.bearer_token, "inline-0123456789abcdef");
  EXPECT_THAT(Diagnose(profile + "metrics = { bearer_token_env = \"BP_UNSET\" }\n"),
              ElementsAre(HasSubstr("metrics.bearer_token_env: environment variable 'BP_UNSET' "
                                    "is not set")));
  // Too short: refused, and the token is not repeated.
  std::vector<std::string> short_token =
      Diagnose(profile + "metrics = { bearer_token = \"tiny secret\" }\n");
  ASSERT_THAT(short_token, ElementsAre(HasSubstr("metrics: the bearer token must be at least 16")));
  EXPECT_THAT(short_token[0], Not(HasSubstr("tiny")));
  EXPECT_THAT(Diagnose(profile + "metrics = { token = \"x\" }\n"),
              ElementsAre(HasSubstr("unknown key 'token' in metrics")));
}

TEST_F(BinderTest, ApprovalsDefaultToOneRequiredAndNoAutoApprove) {
  const std::string profile = Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"");
  ASSERT_THAT(Diagnose(profile), IsEmpty());
  EXPECT_EQ(result_.config->required_approvals, 1u);
  EXPECT_FALSE(result_.config->allow_auto_approve);

  ASSERT_THAT(Diagnose(profile + "approvals = { required = 2 }\n"), IsEmpty());
  EXPECT_EQ(result_.config->required_approvals, 2u);
  EXPECT_FALSE(result_.config->allow_auto_approve);

  ASSERT_THAT(Diagnose(profile + "approvals = { required = 1, allow_auto_approve = true }\n"),
              IsEmpty());
  EXPECT_EQ(result_.config->required_approvals, 1u);
  EXPECT_TRUE(result_.config->allow_auto_approve);

  ASSERT_THAT(Diagnose(profile + "approvals = { allow_auto_approve = false }\n"), IsEmpty());
  EXPECT_EQ(result_.config->required_approvals, 1u);
  EXPECT_FALSE(result_.config->allow_auto_approve);
}

TEST_F(BinderTest, ApprovalsKeysAreCheckedWithTheirLocation) {
  const std::string profile = Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"");
  EXPECT_THAT(Diagnose(profile + "approvals = { allow_auto_aprove = true }\n"),
              ElementsAre("8:15: unknown key 'allow_auto_aprove' in approvals; did you mean "
                          "'allow_auto_approve'?"));
  EXPECT_THAT(Diagnose(profile + "approvals = { allow_auto_approve = \"yes\" }\n"),
              ElementsAre("8:36: approvals.allow_auto_approve: expected a bool, found a string"));
}

constexpr std::string_view kHaikuModel = "anthropic.claude-haiku-4-5-20251001-v1:0";
constexpr std::string_view kOpus41 = "anthropic.claude-opus-4-1-20250805-v1:0";

TEST_F(BinderTest, BuiltinPricesCoverEveryCatalogModel) {
  const std::string profile = Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"");
  ASSERT_THAT(Diagnose(profile), IsEmpty());  // no error, no unpriced-model warning
  const PricesConfig& prices = result_.config->prices;
  ASSERT_THAT(prices.models, SizeIs(catalog_->models().size()));
  for (const catalog::FoundationModel& m : catalog_->models()) {
    const ModelPriceConfig* p = prices.Find(m.model_id);
    ASSERT_NE(p, nullptr) << m.model_id;
    EXPECT_GT(p->input, 0) << m.model_id;
    EXPECT_GT(p->output, p->input) << m.model_id;
    EXPECT_GT(p->cache_write_1h, p->cache_write_5m) << m.model_id;
    EXPECT_GT(p->cache_write_5m, p->input) << m.model_id;
    EXPECT_LT(p->cache_read, p->input) << m.model_id;
    EXPECT_EQ(p->location.file, kBuiltinPricesName);
  }
  // The eu. profile price of Haiku 4.5: $1.10 / $5.50 / $0.11 / $1.375 / $2.20.
  const ModelPriceConfig* haiku = prices.Find(kHaikuModel);
  EXPECT_EQ(haiku->input, 1'100'000);
  EXPECT_EQ(haiku->output, 5'500'000);
  EXPECT_EQ(haiku->cache_read, 110'000);
  EXPECT_EQ(haiku->cache_write_5m, 1'375'000);
  EXPECT_EQ(haiku->cache_write_1h, 2'200'000);
  EXPECT_THAT(prices.region_multipliers, IsEmpty());
  using Pair = std::pair<std::string, int64_t>;
  EXPECT_THAT(prices.tier_multipliers,
              ElementsAre(Pair("default", 1'000'000), Pair("flex", 500'000),
                          Pair("priority", 1'750'000), Pair("reserved", 1'000'000)));
}

TEST_F(BinderTest, ConfigPricesReplaceTheBuiltinOnesPerModelRegionAndTier) {
  const std::string profile = Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"");
  ASSERT_THAT(Diagnose(profile + R"(prices = {
  "anthropic.claude-haiku-4-5-20251001-v1:0" = {
    input = 1, output = 5.0, cache_read = 0.1, cache_write_5m = 1.25, cache_write_1h = 0.000001
  }
}
price_multipliers = { regions = { eu-west-1 = 1.2 }, service_tiers = { flex = 0.4 } }
)"),
              IsEmpty());
  const PricesConfig& prices = result_.config->prices;
  const ModelPriceConfig* haiku = prices.Find(kHaikuModel);
  ASSERT_NE(haiku, nullptr);
  EXPECT_EQ(haiku->input, 1'000'000);
  EXPECT_EQ(haiku->output, 5'000'000);
  EXPECT_EQ(haiku->cache_read, 100'000);
  EXPECT_EQ(haiku->cache_write_5m, 1'250'000);
  EXPECT_EQ(haiku->cache_write_1h, 1);
  EXPECT_EQ(haiku->location.ToString(), "t.hcl:9:3");
  EXPECT_EQ(prices.Find("anthropic.claude-sonnet-4-20250514-v1:0")->input, 3'000'000);  // built in
  using Pair = std::pair<std::string, int64_t>;
  EXPECT_THAT(prices.region_multipliers, ElementsAre(Pair("eu-west-1", 1'200'000)));
  EXPECT_THAT(prices.tier_multipliers,
              ElementsAre(Pair("default", 1'000'000), Pair("flex", 400'000),
                          Pair("priority", 1'750'000), Pair("reserved", 1'000'000)));
}

TEST_F(BinderTest, PriceErrorsNameTheKeyAtItsPlace) {
  const std::string profile = Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"");
  EXPECT_THAT(
      Diagnose(profile + R"(prices = {
  "anthropic.claude-haiku-4-5-20251001-v1:1" = {
    input = 1, output = 5, cache_read = 0.1, cache_write_5m = 1.25, cache_write_1h = 2
  }
  "eu.anthropic.claude-3-haiku-20240307-v1:0" = {
    input = 1, output = 5, cache_read = 0.1, cache_write_5m = 1.25, cache_write_1h = 2
  }
  "anthropic.claude-3-haiku-20240307-v1:0" = {
    input = -1, output = "5", cache_read = 0.0000001, cache_write_5m = 1.25, cahce_write_1h = 2
  }
}
)"),
      ElementsAre(
          "9:3: prices: unknown model 'anthropic.claude-haiku-4-5-20251001-v1:1'; did you mean "
          "'anthropic.claude-haiku-4-5-20251001-v1:0'?",
          "12:3: prices: unknown model 'eu.anthropic.claude-3-haiku-20240307-v1:0'; "
          "'eu.anthropic.claude-3-haiku-20240307-v1:0' is a system-defined inference profile: "
          "price its model, 'anthropic.claude-3-haiku-20240307-v1:0'",
          "15:3: prices[\"anthropic.claude-3-haiku-20240307-v1:0\"]: missing required key "
          "'cache_write_1h' (USD per million tokens)",
          "16:13: prices[\"anthropic.claude-3-haiku-20240307-v1:0\"].input: -1 is out of range; "
          "expected a value between 0 and 1000000",
          "16:26: prices[\"anthropic.claude-3-haiku-20240307-v1:0\"].output: expected a number, "
          "found a string",
          "16:44: prices[\"anthropic.claude-3-haiku-20240307-v1:0\"].cache_read: 0.0000001 has "
          "more than 6 decimal places (prices are kept in millionths of a dollar per million "
          "tokens)",
          "16:78: unknown key 'cahce_write_1h' in "
          "prices[\"anthropic.claude-3-haiku-20240307-v1:0\"]; did you mean 'cache_write_1h'?"));
  EXPECT_THAT(
      Diagnose(profile + R"(price_multipliers = {
  regions = { us-east-1 = 1.1, eu-west-1 = 0 }
  service_tiers = { standard = 1, priorty = 2, flex = 1001 }
  tiers = {}
}
)"),
      ElementsAre("9:15: price_multipliers.regions: 'us-east-1' is not an EU region; expected an "
                  "EU region (geography 'eu') such as eu-central-1, eu-north-1, eu-south-1, "
                  "eu-south-2, eu-west-1, eu-west-3",
                  "9:44: price_multipliers.regions.eu-west-1: 0 is out of range; expected a value "
                  "between 0.000001 and 1000",
                  "10:21: price_multipliers.service_tiers: unknown service tier 'standard'; "
                  "Bedrock's Standard tier is named 'default' on the wire",
                  "10:35: price_multipliers.service_tiers: unknown service tier 'priorty'; did "
                  "you mean 'priority'?",
                  "10:55: price_multipliers.service_tiers.flex: 1001 is out of range; expected a "
                  "value between 0.000001 and 1000",
                  "11:3: unknown key 'tiers' in price_multipliers; expected one of: regions, "
                  "service_tiers"));
}

TEST_F(BinderTest, AProfileWhoseModelHasNoPriceIsAnError) {
  // A catalog file's model has no built-in price.
  auto merged = catalog_->Merge(std::string(R"({"foundation_models": [{"model_id": ")") +
                                std::string(kOpus41) + R"(", "model_name": "Claude Opus 4.1",
    "provider_name": "Anthropic", "regions": ["eu-central-1"], "input_modalities": ["TEXT"],
    "output_modalities": ["TEXT"], "inference_types": ["ON_DEMAND"]}]})");
  ASSERT_OK(merged);
  catalog_ = std::move(*merged);
  const std::string opus = Profile("rd-opus-41",
                                   "model_arn = \"arn:aws:bedrock:eu-central-1::"
                                   "foundation-model/" +
                                       std::string(kOpus41) + "\"");
  EXPECT_THAT(Diagnose(opus),
              ElementsAre("4:3: inference_profiles.rd-opus-41: its model "
                          "'anthropic.claude-opus-4-1-20250805-v1:0' has no price; add it to "
                          "prices = { \"anthropic.claude-opus-4-1-20250805-v1:0\" = { input, "
                          "output, cache_read, cache_write_5m, cache_write_1h } } (USD per "
                          "million tokens)"));
  // A price written with an error is reported where it is, and only there.
  EXPECT_THAT(Diagnose(opus + "prices = { \"" + std::string(kOpus41) + "\" = { input = 15 } }\n"),
              SizeIs(4));  // the four missing keys
  EXPECT_THAT(Diagnose(opus + "prices = { \"" + std::string(kOpus41) +
                       "\" = { input = 15, output = 75, cache_read = 1.5, cache_write_5m = "
                       "18.75, cache_write_1h = 30 } }\n"),
              IsEmpty());
  EXPECT_EQ(result_.config->prices.Find(kOpus41)->output, 75'000'000);
  // Unused by any profile: a warning, as a profile may be created for it later.
  EXPECT_THAT(Diagnose(Profile("rd-haiku-45", "model_arn = \"" + std::string(kHaiku) + "\"")),
              ElementsAre("warning 0:0: catalog model 'anthropic.claude-opus-4-1-20250805-v1:0' "
                          "has no price: calls through a profile created for it at runtime "
                          "cannot be costed; add it to prices"));
}

}  // namespace
}  // namespace bp::config
