#pragma once
// Decoders of the credential answers the chain reads from outside the
// process: a credential_process's standard output, and the JSON of the
// container credential endpoint and of IMDS. Private to bp_auth_credentials
// (fuzzed by credentials_fuzz.cc). Pure functions; thread-safe.
//
// No error message quotes any part of the input: a half-valid answer may
// still hold a secret.

#include <chrono>
#include <optional>
#include <string_view>

#include "auth/credentials/credentials.h"
#include "core/status.h"

namespace bp::auth::credentials {

// RFC 3339 date-time: "2026-01-01T06:00:00Z", "2026-01-01t06:00:00.123+02:00",
// "2026-01-01 06:00:00z". Fractions beyond milliseconds are truncated; a leap
// second (":60") is read as :59.999. Years 1970..2261 (system_clock's
// nanoseconds end in 2262). std::nullopt for
// anything else (including trailing text).
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);

// The credential_process answer (AWS CLI's "sourcing credentials with an
// external process" format):
//   {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
//    "SessionToken": "...", "Expiration": "<RFC 3339>"}
// SessionToken and Expiration are optional (without Expiration the keys are
// long-term). Unknown members are ignored. Errors (kValidation): not a JSON
// object, Version absent or not 1, a required key absent or empty, a member
// of the wrong kind, an Expiration that is not RFC 3339. `source` is copied
// into the result.
Result<Credentials> ParseProcessCredentials(std::string_view text, std::string_view source);

// The container endpoint's and IMDS's answer:
//   {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", ...}
// all four required and non-empty; IMDS's "Code", when present, must be
// "Success". Unknown members are ignored. Errors as above (kValidation).
Result<Credentials> ParseRemoteCredentials(std::string_view text, std::string_view source);

}  // namespace bp::auth::credentials
