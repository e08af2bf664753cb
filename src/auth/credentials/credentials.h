#pragma once
// The standard AWS credential chain, as far as a command-line tool needs it
// (the order of the AWS SDKs, bedrock-api.md §7):
//
//   1. AWS_BEARER_TOKEN_BEDROCK          a Bedrock API key; wins over SigV4 keys
//   2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//   3. the shared credentials file: AWS_SHARED_CREDENTIALS_FILE, else
//      ~/.aws/credentials, section [<profile>]
//   4. the shared config file: AWS_CONFIG_FILE, else ~/.aws/config, section
//      [profile <profile>] ([default] for the default profile)
//
// <profile> is AWS_PROFILE, else "default". SSO, credential_process, web
// identity, role assumption and instance metadata are not supported; a profile
// that uses them and holds no static keys is reported as such.
//
// Used by the CLI (invoke, plan, apply, output) and, later, the Bedrock
// upstream backend. Public header of bp_auth_credentials; depends on core only.
// Thread-safety: pure functions over their inputs (plus reading the files).

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace bp::auth::credentials {

// Holds secrets: never log `secret_access_key`, `session_token` or
// `bearer_token`. Either bearer_token is set (and the keys are empty) or
// both keys are non-empty.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::optional<std::string> session_token;  // temporary (STS) credentials
  std::optional<std::string> bearer_token;   // Bedrock API key: Authorization: Bearer
  // Where they came from, for messages: "environment (AWS_ACCESS_KEY_ID)",
  // "/home/ana/.aws/credentials [default]". Never holds a secret.
  std::string source;

  bool is_bearer() const { return bearer_token.has_value(); }
};

// Reads one environment variable; std::nullopt when unset. Injected so tests
// control the environment. An empty value counts as unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// getenv(3). For composition roots only.
EnvLookup ProcessEnv();

// Walks the chain above. `home` is the user's home directory for the default
// file locations (empty: the default locations are skipped).
//
// Errors, all kValidation with a message fit for a terminal:
//   - nothing found: lists every place looked at and why each gave nothing;
//   - only one of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY is set;
//   - a file that exists but cannot be read or parsed ("file:line: ...");
//   - AWS_PROFILE names a profile found in neither file (lists the profiles
//     that exist);
//   - the selected profile lacks aws_access_key_id or aws_secret_access_key
//     ("file:line: profile [x] ...").
Result<Credentials> Resolve(const EnvLookup& env, const std::filesystem::path& home);

// One parsed INI file: section name (as written between the brackets,
// trimmed, e.g. "default" or "profile dev") -> lower-cased key -> value.
struct IniSection {
  int line = 0;  // of the [section] header, 1-based
  std::map<std::string, std::string, std::less<>> values;
  std::map<std::string, int, std::less<>> value_lines;  // key -> 1-based line
};
using IniFile = std::map<std::string, IniSection, std::less<>>;

// Parses the AWS shared-file dialect: [section] headers, `key = value`
// lines, full-line comments starting with '#' or ';', comments after a
// section header, and " #"/" ;" inline comments after values; blank lines and
// surrounding whitespace are ignored. Indented lines following a key with an
// empty value are that key's sub-settings (e.g. `s3 =` blocks) and are
// skipped. A repeated section is merged; a repeated key takes the last value.
// Errors (kValidation, "<file_name>:<line>: ..."): a key outside any section,
// an unterminated or empty section header, a line that is none of the above.
Result<IniFile> ParseIni(std::string_view text, std::string_view file_name);

}  // namespace bp::auth::credentials
