#pragma once
// What every client command (plan, apply, output; invoke has its own needs)
// sets up before talking to a Bedrock endpoint: the config's text (for
// digests), credentials (a config principal with --principal, else the
// standard AWS chain), the endpoint (BRIEF.md order) and the signed client.
// Private to cli/.

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "api/client/bedrock_client.h"
#include "api/client/endpoint.h"
#include "auth/credentials/credentials.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"

namespace bp::cli {

// The bytes of the file `config` was loaded from (the built-in text for the
// shipped default). kIo when the file cannot be read.
Result<std::string> ConfigText(const std::string& source);

// --principal NAME: that config principal's keys; empty: the AWS chain
// (kValidation listing where it looked, with a hint to pass
// `<option> <suggested>` for the local endpoint).
Result<auth::credentials::Credentials> ResolveCredentials(const std::string& principal,
                                                          const config::Config& config,
                                                          const auth::credentials::EnvLookup& env,
                                                          std::string_view suggested,
                                                          std::string_view option = "--principal");

struct ClientFlags {
  std::string endpoint;                 // --endpoint; empty: environment, then AWS
  std::string principal;                // --principal; empty: the AWS chain
  bool allow_remote_principal = false;  // --allow-remote-principal
  // The option that sets `principal`, for hints ("--sign-as" in `policy`,
  // whose --principal names the policy's subject).
  std::string_view principal_option = "--principal";
};

// A config principal's keys are for the local endpoint: with `principal`
// set, kValidation (saying why and what to do instead) unless `endpoint` is
// a loopback address (127.0.0.0/8, ::1, localhost) or `allow_remote` is set.
// Checked before any connection is made.
Status CheckPrincipalEndpoint(std::string_view principal, bool allow_remote,
                              const http::Endpoint& endpoint, std::string_view origin);

// A control-plane client signed for the config's region.
Result<std::unique_ptr<api::client::BedrockClient>> MakeControlClient(const ClientFlags& flags,
                                                                      const config::Config& config,
                                                                      const Clock& clock);

// Adds --endpoint, flags.principal_option (--principal) and
// --allow-remote-principal to `cmd`.
void AddClientFlags(CLI::App* cmd, ClientFlags& flags);

}  // namespace bp::cli
