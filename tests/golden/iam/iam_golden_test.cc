// Golden runner for the IAM evaluator: every case file of the shared set
// (tests/testdata/iam/NN-*.json) and of tests/golden/iam/cases/
// is one parameter. A case lists policies, a request and the expected
// decision (format: the shared set's README.md; additions of this project:
// tests/golden/iam/cases/README.md):
//   - every policy is parsed with ParsePolicy; a policy written as a JSON
//     string is the raw document text (so a case can hold duplicate keys);
//   - aws:PrincipalArn is added from request.principal when the context
//     lacks it;
//   - "invalid": true cases need some policy to be refused with a message
//     containing error_contains (case-insensitively); others need every
//     policy to parse and Evaluate to give `expect`.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "auth/iam/evaluator.h"
#include "auth/iam/policy_parser.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::auth::iam {
namespace {

namespace fs = std::filesystem;

fs::path SharedCaseDir() { return testing::TestDataDir() / "iam"; }
fs::path OwnCaseDir() { return testing::SourceDir() / "tests" / "golden" / "iam" / "cases"; }

std::vector<fs::path> AllCases() {
  std::vector<fs::path> all = testing::ListCaseFiles(SharedCaseDir(), ".json");
  for (fs::path& p : testing::ListCaseFiles(OwnCaseDir(), ".json")) all.push_back(std::move(p));
  return all;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string String(const json::Object& obj, std::string_view key) {
  const json::Value* v = obj.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

Request ReadRequest(const json::Object& r) {
  Request request;
  request.action = String(r, "action");
  request.resource = String(r, "resource");
  if (const json::Value* ctx = r.if_contains("context"); ctx != nullptr && ctx->is_object()) {
    for (const auto& member : ctx->get_object()) {
      if (member.value().is_string()) {
        request.context.Set(member.key(), std::string(member.value().get_string()));
        continue;
      }
      std::vector<std::string> values;
      for (const json::Value& v : member.value().get_array()) {
        values.emplace_back(v.get_string());
      }
      request.context.SetList(member.key(), std::move(values));
    }
  }
  if (request.context.Find("aws:PrincipalArn") == nullptr) {
    request.context.Set("aws:PrincipalArn", String(r, "principal"));
  }
  return request;
}

// The document text of a policy entry: a raw string, or the object re-serialized.
std::string PolicyText(const json::Value& entry) {
  return entry.is_string() ? std::string(entry.get_string()) : json::Serialize(entry);
}

class IamGoldenTest : public ::testing::TestWithParam<fs::path> {};

TEST_P(IamGoldenTest, Decides) {
  Result<json::Value> doc = json::Parse(testing::ReadFileOrDie(GetParam()));
  ASSERT_OK(doc);
  ASSERT_TRUE(doc->is_object());
  const json::Object& c = doc->get_object();
  SCOPED_TRACE(String(c, "description"));
  const bool invalid = c.if_contains("invalid") != nullptr && c.at("invalid").as_bool();

  std::vector<Policy> policies;
  std::string errors;
  const json::Array& entries = c.at("policies").as_array();
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string origin = GetParam().filename().string() + ":policies[" + std::to_string(i) + "]";
    Result<Policy> p = ParsePolicy(PolicyText(entries[i]), origin);
    if (p.ok()) {
      policies.push_back(std::move(p).value());
    } else {
      errors += p.status().ToString() + "\n";
    }
  }
  if (invalid) {
    ASSERT_FALSE(errors.empty()) << "a policy should have been refused";
    EXPECT_NE(Lower(errors).find(Lower(String(c, "error_contains"))), std::string::npos) << errors;
    return;
  }
  ASSERT_TRUE(errors.empty()) << errors;
  std::vector<const Policy*> attached;
  for (const Policy& p : policies) attached.push_back(&p);
  Decision d = Evaluate(attached, ReadRequest(c.at("request").as_object()));
  EXPECT_EQ(OutcomeName(d.outcome), String(c, "expect")) << d.Describe();
}

std::string CaseName(const ::testing::TestParamInfo<fs::path>& info) {
  std::string prefix = info.param.parent_path() == OwnCaseDir() ? "own_" : "shared_";
  std::string name = prefix + info.param.stem().string();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, IamGoldenTest, ::testing::ValuesIn(AllCases()), CaseName);

// Guards against a runner that silently finds nothing.
TEST(IamGoldenSetTest, FindsEveryCase) {
  std::vector<fs::path> shared = testing::ListCaseFiles(SharedCaseDir(), ".json");
  std::vector<fs::path> own = testing::ListCaseFiles(OwnCaseDir(), ".json");
  testing::ExpectCases(shared, SharedCaseDir());
  testing::ExpectCases(own, OwnCaseDir());
  EXPECT_EQ(shared.size(), 99u) << SharedCaseDir();
  EXPECT_GE(own.size(), 25u) << OwnCaseDir();
}

}  // namespace
}  // namespace bp::auth::iam
