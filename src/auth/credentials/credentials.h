#pragma once
// The standard AWS credential chain, in the order of the AWS SDKs
// (bedrock-api.md §7), for the CLI and for the server's Bedrock upstream:
//
//   1. AWS_BEARER_TOKEN_BEDROCK          a Bedrock API key; wins over SigV4
//                                        keys (ChainOptions::bearer_token: the
//                                        CLI only)
//   2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//   3. the profile <profile> of the shared credentials file
//      (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials, section
//      [<profile>]), then of the shared config file (AWS_CONFIG_FILE, else
//      ~/.aws/config, section [profile <profile>], [default] for the default
//      profile): its static keys, else its credential_process
//   4. container credentials, when AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
//      _FULL_URI is set (ChainOptions::remote_sources)
//   5. IMDSv2, unless AWS_EC2_METADATA_DISABLED=true (remote_sources)
//
// <profile> is AWS_PROFILE, else "default". Not supported: SSO, role
// assumption (role_arn/source_profile), web identity (profile keys or
// AWS_WEB_IDENTITY_TOKEN_FILE), IMDSv1. A profile that uses them and holds no
// static keys is reported as such. docs/auth.md, "Upstream credentials".
//
// Public headers of bp_auth_credentials: this one and provider.h (the
// server's refreshing holder). Depends on core, json and http (the blocking
// client, for the HTTP sources).
// Thread-safety: functions over their inputs (plus reading the files,
// running credential_process and the HTTP sources); no shared state.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stop_token>
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
  // "/home/ana/.aws/credentials [default]", "container credentials
  // (http://169.254.170.2/v2/credentials/...)". Never holds a secret.
  std::string source;
  // When temporary credentials stop working; std::nullopt: long-term.
  std::optional<std::chrono::system_clock::time_point> expiration;

  bool is_bearer() const { return bearer_token.has_value(); }
};

// Reads one environment variable; std::nullopt when unset. Injected so tests
// control the environment. An empty value counts as unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// getenv(3). For composition roots only.
EnvLookup ProcessEnv();

// What the chain tries and how long it waits. Defaults: the server's.
struct ChainOptions {
  // Step 1. The server signs its upstream calls with SigV4 and leaves it off.
  bool bearer_token = false;
  // Steps 4 and 5. The CLI leaves them off: a command on a laptop should not
  // wait for an instance metadata service that is not there.
  bool remote_sources = true;
  // credential_process: wall time until it is killed, and its largest answer.
  std::chrono::milliseconds process_timeout{30'000};
  size_t process_max_output_bytes = 64 * 1024;
  // HTTP sources: connect (so that a machine without IMDS fails fast) and
  // idle-read bounds per request. Container requests are tried twice, the
  // IMDS token request once.
  std::chrono::milliseconds connect_timeout{1'000};
  std::chrono::milliseconds read_timeout{5'000};
  // The host AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is relative to (the ECS
  // agent). Tests point it at a loopback stand-in.
  std::string container_relative_base = "http://169.254.170.2";
  // x-aws-ec2-metadata-token-ttl-seconds of the IMDSv2 session token (one
  // token per fetch; refreshes are hours apart).
  int64_t imds_token_ttl_seconds = 21'600;
};

// Walks the chain above. `home` is the user's home directory for the default
// file locations (empty: they are skipped). `stop` kills a running
// credential_process (the provider's shutdown); HTTP requests run to their
// timeouts. Blocks: never call it on an event loop.
//
// Errors, with a message fit for a terminal, never holding a secret:
//   - everything Resolve() lists below (kValidation);
//   - credential_process: a command that does not split, cannot be started
//     (kIo), fails, times out or prints more than allowed
//     (kServiceUnavailable, with the first line of its standard error), or
//     prints an answer that is not Version 1 credentials (kValidation), each
//     prefixed "file:line: credential_process of profile [x]";
//   - container: a bad or disallowed endpoint, a failed request or a bad
//     answer (no fall-back to IMDS: the environment asked for the container);
//   - IMDS: any failure once the endpoint answered the token request; when
//     nothing answered, the chain ends with "nothing found" and says so.
Result<Credentials> ResolveChain(const EnvLookup& env, const std::filesystem::path& home,
                                 const ChainOptions& options, std::stop_token stop = {});

// The CLI's chain: ResolveChain with bearer_token on and remote_sources off.
// Errors of the file stage (and those of credential_process above), all
// kValidation unless said otherwise:
//   - nothing found: lists every place looked at and why each gave nothing;
//   - only one of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY is set;
//   - a file that exists but cannot be read or parsed ("file:line: ...");
//   - AWS_PROFILE names a profile found in neither file (lists the profiles
//     that exist);
//   - the selected profile lacks aws_access_key_id or aws_secret_access_key
//     ("file:line: profile [x] ..."), or gets its credentials in a way that
//     is not supported (SSO, role_arn, web identity).
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
