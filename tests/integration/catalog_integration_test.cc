// The model catalog outside the binary, and `policy` for any profile, against
// real `serve` child processes: a config whose catalog_file adds a model
// validates, is listed by the control plane, and is invoked through; a broken
// catalog file is reported at its file:line:col; `catalog refresh` from a
// server on the built-in catalog writes config/model-catalog.json byte for
// byte; `policy` reads an unpinned profile's ARN from --endpoint and
// completes a principal's policy.
#include <fstream>
#include <regex>

#include "integration/child_process.h"
#include "integration/served_test.h"
#include "testing/testing.h"

namespace bp::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOpusModel[] = "anthropic.claude-opus-4-1-20250805-v1:0";

// A model the built-in catalog lacks, with its EU profile (test data).
constexpr char kCatalogFile[] = R"({
  "foundation_models": [
    {
      "model_id": "anthropic.claude-opus-4-1-20250805-v1:0",
      "model_name": "Claude Opus 4.1",
      "provider_name": "Anthropic",
      "regions": ["eu-central-1", "eu-west-1"],
      "input_modalities": ["TEXT"],
      "output_modalities": ["TEXT"],
      "inference_types": ["INFERENCE_PROFILE"]
    }
  ],
  "system_profiles": [
    {
      "id": "eu.anthropic.claude-opus-4-1-20250805-v1:0",
      "name": "EU Anthropic Claude Opus 4.1",
      "description": "Added by the config's catalog file.",
      "model_id": "anthropic.claude-opus-4-1-20250805-v1:0",
      "regions": ["eu-central-1", "eu-west-1"],
      "created_at": "2025-08-05T00:00:00Z"
    }
  ]
}
)";

// The shipped config (fast regions) plus `extra` top-level text and
// `profiles` inserted into inference_profiles.
std::string ShippedWith(const std::string& extra, const std::string& profiles) {
  std::string text = WithRegions(ShippedConfig(), kFastRegions) + extra;
  std::string anchor = "\n  rd-sonnet-4 = {";
  return text.replace(text.find(anchor), 0, profiles);
}

// Where the suite's catalog file lives (absolute, so the config may name it
// wherever ServedTest writes the config).
const TempDir& CatalogDir() {
  static const TempDir* dir = [] {
    auto* d = new TempDir();
    std::ofstream(d->path() / "models.json") << kCatalogFile;
    return d;
  }();
  return *dir;
}

class CatalogFileIntegrationTest : public ServedTest<CatalogFileIntegrationTest> {
 public:
  static std::string ConfigText() {
    // The added model has no built-in price: a profile on it needs one.
    return ShippedWith(
        "catalog_file = \"" + (CatalogDir().path() / "models.json").string() + "\"\n" +
            "prices = { \"" + kOpusModel +
            "\" = { input = 15, output = 75, cache_read = 1.5, cache_write_5m = 18.75, "
            "cache_write_1h = 30 } }\n",
        R"(
  rd-opus-41 = {
    model_arn   = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-opus-4-1-20250805-v1:0"
    description = "a model from the catalog file"
    id          = "opus41cat001"
  }
  rd-haiku-45-eval = {
    model_arn   = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    description = "no pinned id"
  }
)");
  }

 protected:
  std::vector<std::string> Client(std::vector<std::string> args, const char* flag = "--principal") {
    for (const std::string& extra : {std::string("--config"), config_, std::string("--endpoint"),
                                     endpoint_, std::string(flag), std::string("platform-admin")}) {
      args.push_back(extra);
    }
    return args;
  }
  // `output NAME`: the live ARN of a profile.
  std::string LiveArn(const std::string& name) {
    RunResult r = RunBinary(Client({"output", name}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.empty() ? r.out : r.out.substr(0, r.out.size() - 1);
  }
};

TEST_F(CatalogFileIntegrationTest, ValidateAcceptsAModelFromTheCatalogFile) {
  RunResult r = RunBinary({"validate", "--config", config_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("valid (4 profile(s), 2 principal(s))"));
  EXPECT_THAT(r.out, HasSubstr("model catalog: built-in merged with " +
                               (CatalogDir().path() / "models.json").string() +
                               " (8 model(s), 8 system-defined profile(s))"));
}

TEST_F(CatalogFileIntegrationTest, ServeListsTheAddedModelAndProfile) {
  // catalog refresh reads ListFoundationModels and ListInferenceProfiles
  // SYSTEM_DEFINED: what serve lists.
  RunResult r = RunBinary(Client({"catalog", "refresh"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(std::string("\"model_id\": \"") + kOpusModel + "\""));
  EXPECT_THAT(r.out, HasSubstr(std::string("\"id\": \"eu.") + kOpusModel + "\""));
  EXPECT_THAT(r.out, HasSubstr("\"description\": \"Added by the config's catalog file.\""));
  EXPECT_THAT(r.err, HasSubstr("8 model(s), 8 system-defined profile(s) from " + endpoint_ +
                               ", written to standard output"));
}

TEST_F(CatalogFileIntegrationTest, InvokeThroughAProfileOnTheAddedModel) {
  RunResult r = RunBinary(Client({"invoke", "rd-opus-41", "Say: hello opus"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(r.out.empty());
  EXPECT_THAT(r.err, HasSubstr("rd-opus-41 \u00b7 eu-"));
}

TEST_F(CatalogFileIntegrationTest, PolicyWithoutAProfileOrPrincipalIsAUsageError) {
  RunResult r = RunBinary({"policy", "--config", config_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("policy takes one profile NAME"));
}

TEST_F(CatalogFileIntegrationTest, PolicyOfAnUnpinnedProfileNeedsTheEndpoint) {
  RunResult without = RunBinary({"policy", "rd-haiku-45-eval", "--config", config_});
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_THAT(without.err, HasSubstr("has no pinned id"));
  EXPECT_THAT(without.err, HasSubstr("pass --endpoint URL"));
  EXPECT_THAT(without.err, HasSubstr("pin `id`"));

  std::string arn = LiveArn("rd-haiku-45-eval");
  ASSERT_THAT(arn, HasSubstr(":application-inference-profile/"));
  RunResult with = RunBinary(Client({"policy", "rd-haiku-45-eval"}, "--sign-as"));
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_THAT(with.out, HasSubstr("\"" + arn + "\""));
  EXPECT_THAT(with.out,
              HasSubstr("arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001"));
}

TEST_F(CatalogFileIntegrationTest, PolicyForAPrincipalAddsOnlyWhatIsMissing) {
  std::string arn = LiveArn("rd-haiku-45-eval");
  // rd-e2e may call the Haiku model already (for rd-haiku-45), not this profile.
  RunResult r =
      RunBinary(Client({"policy", "--principal", "rd-e2e", "rd-haiku-45-eval"}, "--sign-as"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("# principals.rd-e2e: 1 statement(s) added for rd-haiku-45-eval; "
                               "paste over its policy at " +
                               config_ + ":"));
  EXPECT_THAT(r.out, HasSubstr("    policy            = <<-EOT\n      {\n"));
  EXPECT_THAT(r.out, HasSubstr("\"Sid\": \"InvokeBedrockProfileRdHaiku45Eval\""));
  EXPECT_THAT(r.out, Not(HasSubstr("InvokeFoundationModelRdHaiku45Eval")));
  EXPECT_THAT(r.out, HasSubstr("\"" + arn + "\""));
  EXPECT_THAT(r.out, HasSubstr("\"Sid\": \"InvokeBedrockProfile\","));  // the existing ones stay
  EXPECT_THAT(r.out, HasSubstr("\n    EOT\n"));

  // The model of the catalog file is new to rd-e2e: both statements; --json
  // prints just the document.
  RunResult json =
      RunBinary({"policy", "--principal", "rd-e2e", "rd-opus-41", "--json", "--config", config_});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out.substr(0, 2), "{\n");
  EXPECT_THAT(json.out, HasSubstr("InvokeBedrockProfileRdOpus41"));
  EXPECT_THAT(json.out, HasSubstr(std::string("foundation-model/") + kOpusModel));

  RunResult nothing =
      RunBinary({"policy", "--principal", "rd-e2e", "rd-haiku-45", "--config", config_});
  EXPECT_EQ(nothing.exit_code, 0) << nothing.err;
  EXPECT_EQ(nothing.out, "principal 'rd-e2e' may already invoke rd-haiku-45: nothing to add\n");
}

// The built-in catalog only: what refresh writes is the shipped file.
class CatalogRefreshIntegrationTest : public ServedTest<CatalogRefreshIntegrationTest> {
 public:
  static std::string ConfigText() { return WithRegions(ShippedConfig(), kFastRegions); }
};

TEST_F(CatalogRefreshIntegrationTest, RefreshWritesTheBuiltinCatalogFile) {
  TempDir out;
  std::string file = (out.path() / "models.json").string();
  RunResult r = RunBinary({"catalog", "refresh", "--endpoint", endpoint_, "--principal",
                           "platform-admin", "--config", config_, "--out", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "7 model(s), 7 system-defined profile(s) from " + endpoint_ + ", written to " +
                       file + "\n");
  EXPECT_EQ(ReadFileOrDie(file), ReadFileOrDie(SourceDir() / "config" / "model-catalog.json"));

  // The written file works as a catalog_file (same ids: it replaces every entry).
  std::string config = (out.path() / "c.hcl").string();
  std::ofstream(config) << ConfigText() << "catalog_file = \"models.json\"\n";
  RunResult valid = RunBinary({"validate", "--config", config});
  EXPECT_EQ(valid.exit_code, 0) << valid.err;
  EXPECT_THAT(valid.out, HasSubstr("(7 model(s), 7 system-defined profile(s))"));
}

TEST_F(CatalogRefreshIntegrationTest, RefreshNeedsCredentialsAndAReachableEndpoint) {
  RunResult denied = RunBinary({"catalog", "refresh", "--endpoint", endpoint_, "--principal",
                                "rd-e2e", "--config", config_});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_THAT(denied.err, HasSubstr("AccessDenied"));
  EXPECT_THAT(denied.err, HasSubstr("ListFoundationModels"));
  RunResult usage = RunBinary({"catalog"});
  EXPECT_EQ(usage.exit_code, 2);
  RunResult help = RunBinary({"catalog", "refresh", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("Examples:\n  bedrock-profiles catalog refresh --endpoint"));
  EXPECT_THAT(help.out, HasSubstr("--out"));
}

TEST(CatalogFileErrorsTest, ValidateReportsTheCatalogFileLineAndColumn) {
  TempDir dir;
  std::ofstream(dir.path() / "models.json") << R"({
  "system_profiles": [
    {
      "id": "eu.anthropic.claude-opus-4-1-20250805-v1:0",
      "name": "n",
      "description": "d",
      "model_id": "anthropic.claude-opus-4-1-20250805-v1:0",
      "regions": ["eu-central-1"],
      "created_at": "2025-08-05T00:00:00Z"
    }
  ]
}
)";
  std::ofstream(dir.path() / "c.hcl") << ShippedWith("catalog_file = \"models.json\"\n", "");
  RunResult r = RunBinary({"validate", "--config", (dir.path() / "c.hcl").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr((dir.path() / "models.json").string() +
                               ":7:7: $.system_profiles[0].model_id: unknown model "
                               "anthropic.claude-opus-4-1-20250805-v1:0"));
  EXPECT_THAT(r.err, HasSubstr("1 error(s) found"));

  std::ofstream(dir.path() / "models.json") << "{\"foundation_models\": [}\n";
  RunResult syntax = RunBinary({"validate", "--config", (dir.path() / "c.hcl").string()});
  EXPECT_EQ(syntax.exit_code, 1);
  EXPECT_THAT(syntax.err, HasSubstr((dir.path() / "models.json").string() + ":1:"));
}

}  // namespace
}  // namespace bp::testing
