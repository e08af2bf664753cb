#include "cli/identity.h"

#include <map>

#include <pwd.h>
#include <unistd.h>

#include "testing/testing.h"

namespace bp::cli {
namespace {

using ::testing::HasSubstr;

auto Env(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(WhoIsRunningTest, ByWinsThenTheLoginNameThenTheEnvironment) {
  auto env = Env({{"USER", "env-user"}, {"LOGNAME", "env-logname"}});
  EXPECT_EQ(*WhoIsRunning(" alice ", "login", env), "alice");
  EXPECT_EQ(*WhoIsRunning("", "login", env), "login");
  EXPECT_EQ(*WhoIsRunning("", std::nullopt, env), "env-user");
  EXPECT_EQ(*WhoIsRunning("", std::nullopt, Env({{"LOGNAME", "env-logname"}})), "env-logname");
  EXPECT_EQ(*WhoIsRunning("  ", std::nullopt, Env({{"USER", ""}, {"LOGNAME", "l"}})), "l");
}

TEST(WhoIsRunningTest, NeverMakesUpAName) {
  Result<std::string> nobody = WhoIsRunning("", std::nullopt, Env({{"USER", " "}}));
  EXPECT_THAT(nobody, ::bp::testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(nobody.status().message(), HasSubstr("--by NAME"));
  EXPECT_THAT(nobody.status().message(), HasSubstr("cannot tell who you are"));
}

TEST(WhoIsRunningTest, TheLoginNameIsThePasswordDatabasesNotUser) {
  const passwd* pw = getpwuid(geteuid());
  if (pw == nullptr) GTEST_SKIP() << "no password entry for this uid";
  EXPECT_EQ(LoginName(), std::string(pw->pw_name));
  setenv("USER", "someone-else", 1);
  EXPECT_EQ(*WhoIsRunning(""), std::string(pw->pw_name));
}

}  // namespace
}  // namespace bp::cli
