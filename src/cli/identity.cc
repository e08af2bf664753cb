#include "cli/identity.h"

#include <cstdlib>
#include <vector>

#include <pwd.h>
#include <unistd.h>

namespace bp::cli {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> LoginName() {
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(geteuid(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr || found->pw_name == nullptr || *found->pw_name == '\0') {
    return std::nullopt;
  }
  return std::string(found->pw_name);
}

Result<std::string> WhoIsRunning(
    std::string_view by, const std::optional<std::string>& login_name,
    const std::function<std::optional<std::string>(std::string_view)>& env) {
  if (std::string_view given = Trim(by); !given.empty()) return std::string(given);
  if (login_name && !Trim(*login_name).empty()) return std::string(Trim(*login_name));
  for (std::string_view var : {"USER", "LOGNAME"}) {
    std::optional<std::string> v = env(var);
    if (v && !Trim(*v).empty()) return std::string(Trim(*v));
  }
  return ValidationError("cannot tell who you are: the user database has no name for uid " +
                         std::to_string(geteuid()) +
                         " and neither USER nor LOGNAME is set; name yourself with --by NAME");
}

Result<std::string> WhoIsRunning(std::string_view by) {
  return WhoIsRunning(by, LoginName(), [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  });
}

}  // namespace bp::cli
