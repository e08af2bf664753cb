#pragma once
// Who is running a command, for the names a plan file records: the planner
// (`plan`, `apply --auto-approve`) and each approver (`approve`). Private to
// cli/.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace bp::cli {

// `by` (trimmed) when given; else the login name of the effective user
// (getpwuid_r(geteuid())); only if that yields nothing, $USER, then
// $LOGNAME. Never a made-up name: when nothing yields one, kValidation
// asking for --by NAME.
Result<std::string> WhoIsRunning(std::string_view by);

// The same over injected sources (tests): `login_name` stands for the
// password database's answer, `env` for the environment.
Result<std::string> WhoIsRunning(
    std::string_view by, const std::optional<std::string>& login_name,
    const std::function<std::optional<std::string>(std::string_view)>& env);

// The password database's login name of the effective user, or nullopt.
std::optional<std::string> LoginName();

}  // namespace bp::cli
