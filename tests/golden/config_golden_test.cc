// Golden runner for the config loader: every tests/golden/config/NAME.hcl or
// NAME.json is loaded (with a fixed environment, see README.md there) and
// what `validate` would print is compared with NAME.expected:
//
//   NAME.hcl:12:5: message            one line per error or warning, in file order
//   NAME.hcl:3:1: warning: message    (warnings are marked)
//   OK                                last line when there is no error
//
// The case folder's path is removed from the output, so files show as their
// base name. With BP_UPDATE_GOLDEN=1 the runner writes NAME.expected instead
// of comparing (review the diff before committing it).

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "config/load.h"
#include "testing/testing.h"

namespace bp::config {
namespace {

namespace fs = std::filesystem;

fs::path CaseDir() { return testing::SourceDir() / "tests" / "golden" / "config"; }

std::vector<std::string> FindCases() {
  std::vector<std::string> names;
  for (std::string_view extension : {".hcl", ".json"}) {
    for (const fs::path& file : testing::ListCaseFiles(CaseDir(), extension)) {
      names.push_back(file.filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The environment every case sees.
std::optional<std::string> GoldenEnv(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> vars = {
      {"BP_GOLDEN_SECRET", "golden-secret-from-env"},
      {"BP_GOLDEN_TOKEN", "golden-session-token"},
      {"BP_GOLDEN_EMPTY", ""},
  };
  auto it = vars.find(name);
  if (it == vars.end()) return std::nullopt;
  return it->second;
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

std::string Render(const LoadResult& result, const std::string& strip) {
  std::string out;
  for (const std::string& line : FormatDiagnostics(result)) out += line + "\n";
  if (result.errors.empty()) out += "OK\n";
  ReplaceAll(out, strip, "");
  return out;
}

class ConfigGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConfigGoldenTest, MatchesExpected) {
  Result<catalog::Catalog> catalog = catalog::Catalog::Builtin();
  ASSERT_OK(catalog);
  fs::path input = CaseDir() / GetParam();
  fs::path expected = fs::path(input).replace_extension(".expected");
  std::string actual = Render(LoadFile(input, *catalog, GoldenEnv), CaseDir().string() + "/");

  const char* update = std::getenv("BP_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::ofstream(expected, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected)) << expected << " is missing; run with BP_UPDATE_GOLDEN=1 "
                                    << "to create it, then review it";
  EXPECT_EQ(actual, testing::ReadFileOrDie(expected)) << "case " << GetParam();
}

std::string CaseName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
      '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, ConfigGoldenTest, ::testing::ValuesIn(FindCases()), CaseName);

TEST(ConfigGoldenSuiteTest, HasCasesAndNoOrphanExpectations) {
  EXPECT_GE(FindCases().size(), 30u) << "case folder: " << CaseDir();
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(CaseDir(), ec)) {
    if (e.path().extension() != ".expected") continue;
    fs::path stem = fs::path(e.path()).replace_extension();
    EXPECT_TRUE(fs::exists(stem.string() + ".hcl") || fs::exists(stem.string() + ".json"))
        << e.path() << " has no input file";
  }
}

}  // namespace
}  // namespace bp::config
