// `simulate --cases`: the real binary deciding IAM case files (docs/auth.md,
// "Deciding case files"): one file, a folder, --json lines, a policy that does
// not parse, a file that is not a case, and the checked `expect`.
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "integration/child_process.h"
#include "testing/testing.h"

namespace bp::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kProfile[] =
    "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/acwt9yee9wzo";

void WriteFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

// A case whose policy is `policy` (JSON text), on kProfile, with `context`.
std::string Case(const std::string& policy, const std::string& context = "{}",
                 const std::string& extra = "") {
  return R"({"policies":[)" + policy +
         R"(],"request":{"principal":"arn:aws:iam::123456789012:role/rd-e2e",)"
         R"("action":"bedrock:InvokeModel","resource":")" +
         kProfile + R"(","context":)" + context + "}" + extra + "}";
}

// The brief's example: a Deny whose first Resource entry has a variable the
// caller lacks and whose second entry matches.
const std::string kDenyWithUnresolvedEntry =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:*","Resource":"*"},)"
    R"({"Sid":"DenyEuWest","Effect":"Deny","Action":"bedrock:*","Resource":[)"
    R"("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/${aws:username}",)"
    R"("arn:aws:bedrock:eu-west-1:*:application-inference-profile/*"]}]})";
const std::string kAllowWhenTeam =
    R"({"Version":"2012-10-17","Statement":{"Sid":"Team","Effect":"Allow","Action":"bedrock:Invoke*",)"
    R"("Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"research"}}}})";

std::vector<boost::json::object> JsonLines(const std::string& out) {
  std::vector<boost::json::object> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(boost::json::parse(line).as_object());
  }
  return lines;
}

TEST(SimulateCasesTest, OneFilePrintsTheDecisionAndTheStatement) {
  TempDir dir;
  auto file = dir.path() / "deny.json";
  WriteFile(file, Case(kDenyWithUnresolvedEntry));
  RunResult r = RunBinary({"simulate", "--cases", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("deny.json: explicit_deny"));
  EXPECT_THAT(r.out, HasSubstr("statement DenyEuWest of policy 0"));
}

TEST(SimulateCasesTest, AFolderIsDecidedFileByFileAsJsonLines) {
  TempDir dir;
  WriteFile(dir.path() / "a-deny.json", Case(kDenyWithUnresolvedEntry));
  WriteFile(dir.path() / "b-allow.json",
            Case(kAllowWhenTeam, R"({"aws:PrincipalTag/team":"research"})"));
  WriteFile(dir.path() / "c-implicit.json",
            Case(kAllowWhenTeam, R"({"aws:PrincipalTag/team":["x"]})"));
  WriteFile(dir.path() / "notes.txt", "not a case");
  RunResult r = RunBinary({"simulate", "--cases", dir.path().string(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<boost::json::object> lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0].at("file").as_string(), (dir.path() / "a-deny.json").string());
  EXPECT_EQ(lines[0].at("decision").as_string(), "explicit_deny");
  EXPECT_EQ(lines[0].at("statement").as_string(), "DenyEuWest");
  EXPECT_EQ(lines[0].at("policy").as_int64(), 0);
  EXPECT_EQ(lines[1].at("decision").as_string(), "allow");
  EXPECT_EQ(lines[1].at("statement").as_string(), "Team");
  EXPECT_EQ(lines[2].at("decision").as_string(), "implicit_deny");
  EXPECT_FALSE(lines[2].contains("statement"));
}

TEST(SimulateCasesTest, APolicyThatDoesNotParseIsAnErrorLine) {
  TempDir dir;
  WriteFile(dir.path() / "bad.json",
            Case(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"bedrock:*",)"
                 R"("Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}})"));
  WriteFile(dir.path() / "good.json", Case(kDenyWithUnresolvedEntry));
  RunResult r = RunBinary({"simulate", "--cases", dir.path().string(), "--json"});
  EXPECT_EQ(r.exit_code, 1);
  std::vector<boost::json::object> lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  ASSERT_TRUE(lines[0].contains("error")) << r.out;
  EXPECT_FALSE(lines[0].contains("decision"));
  std::string error(lines[0].at("error").as_string());
  EXPECT_THAT(error, HasSubstr("bad.json:policies[0]"));
  EXPECT_THAT(error, HasSubstr("StringEqualz"));
  EXPECT_EQ(lines[1].at("decision").as_string(), "explicit_deny");  // the next file still runs

  RunResult text = RunBinary({"simulate", "--cases", (dir.path() / "bad.json").string()});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out, HasSubstr("bad.json: error: "));
  EXPECT_THAT(text.out, HasSubstr("did you mean"));
}

TEST(SimulateCasesTest, AFileThatIsNotACaseNamesTheProblem) {
  TempDir dir;
  WriteFile(dir.path() / "truncated.json", R"({"policies":[)");
  WriteFile(dir.path() / "no-request.json", R"({"policies":[]})");
  WriteFile(dir.path() / "number-context.json",
            Case(kAllowWhenTeam, R"({"aws:PrincipalTag/team":7})"));
  RunResult r = RunBinary({"simulate", "--cases", dir.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("no-request.json: error: $: request is required"));
  EXPECT_THAT(
      r.out, HasSubstr("number-context.json: error: $.request.context[\"aws:PrincipalTag/team\"]"));
  EXPECT_THAT(r.out, HasSubstr("truncated.json: error: "));
  RunResult missing = RunBinary({"simulate", "--cases", (dir.path() / "absent").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("absent"));
  RunResult mixed = RunBinary({"simulate", "--cases", dir.path().string(), "--principal", "x"});
  EXPECT_EQ(mixed.exit_code, 1);
  EXPECT_THAT(mixed.err, HasSubstr("cannot be combined"));
}

TEST(SimulateCasesTest, ExpectIsChecked) {
  TempDir dir;
  WriteFile(dir.path() / "right.json",
            Case(kDenyWithUnresolvedEntry, "{}", R"(,"expect":"explicit_deny")"));
  WriteFile(dir.path() / "wrong.json",
            Case(kDenyWithUnresolvedEntry, "{}", R"(,"expect":"allow")"));
  RunResult r = RunBinary({"simulate", "--cases", dir.path().string(), "--json"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  std::vector<boost::json::object> lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].at("asExpected").as_bool());
  EXPECT_FALSE(lines[1].at("asExpected").as_bool());
  EXPECT_EQ(lines[1].at("expect").as_string(), "allow");
}

// The project's own golden cases are all in this format: the command agrees
// with every expectation (the golden runner checks the evaluator itself).
TEST(SimulateCasesTest, DecidesTheGoldenCasesAsExpected) {
  auto cases = SourceDir() / "tests" / "golden" / "iam" / "cases";
  RunResult r = RunBinary({"simulate", "--cases", cases.string(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GE(JsonLines(r.out).size(), 60u);
}

}  // namespace
}  // namespace bp::testing
