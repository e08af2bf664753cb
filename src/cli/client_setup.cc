#include "cli/client_setup.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <sstream>

#include "config/load.h"

namespace bp::cli {

namespace creds = auth::credentials;

Result<std::string> ConfigText(const std::string& source) {
  if (source.ends_with("(built in)")) return std::string(config::BuiltinConfigText());
  std::ifstream in(source, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return Status(ErrorCode::kIo,
                  "cannot read the config file '" + source + "': " + std::strerror(errno));
  }
  return text.str();
}

Result<creds::Credentials> ResolveCredentials(const std::string& principal,
                                              const config::Config& config,
                                              const creds::EnvLookup& env,
                                              std::string_view suggested, std::string_view option) {
  if (principal.empty()) {
    auto found = creds::Resolve(env, env("HOME").value_or(""));
    if (found.ok()) return found;
    return ValidationError(found.status().message() +
                           "\nhint: for the local endpoint, sign with a principal of the config: " +
                           std::string(option) + " " + std::string(suggested));
  }
  const config::PrincipalConfig* p = config.FindPrincipal(principal);
  if (p == nullptr) {
    std::string names;
    for (const auto& q : config.principals) names += " " + q.name;
    return ValidationError("no principal named '" + principal + "' in " + config.source +
                           (names.empty() ? " (it has none)" : "; configured:" + names));
  }
  return creds::Credentials{.access_key_id = p->access_key_id,
                            .secret_access_key = p->secret_access_key,
                            .session_token = p->session_token,
                            .bearer_token = std::nullopt,
                            .source = "principal " + p->name};
}

namespace {

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host.ends_with(".localhost")) return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

Status CheckPrincipalEndpoint(std::string_view principal, bool allow_remote,
                              const http::Endpoint& endpoint, std::string_view origin) {
  if (principal.empty() || allow_remote || IsLoopbackHost(endpoint.host)) return Status::Ok();
  return ValidationError(
      "refusing to send the keys of config principal '" + std::string(principal) + "' to " +
      endpoint.ToString() + " (" + std::string(origin) +
      "): --principal keys are for a local `bedrock-profiles serve`.\n"
      "hint: for the local endpoint pass --endpoint http://127.0.0.1:8700; for AWS drop "
      "--principal and use your AWS credentials (environment, ~/.aws); to send these keys to a "
      "remote endpoint anyway, add --allow-remote-principal");
}

Result<std::unique_ptr<api::client::BedrockClient>> MakeControlClient(const ClientFlags& flags,
                                                                      const config::Config& config,
                                                                      const Clock& clock) {
  const creds::EnvLookup env = creds::ProcessEnv();
  BP_ASSIGN_OR_RETURN(
      creds::Credentials credentials,
      ResolveCredentials(flags.principal, config, env, "platform-admin", flags.principal_option));
  BP_ASSIGN_OR_RETURN(api::client::ResolvedEndpoint endpoint,
                      api::client::ResolveEndpoint(api::client::Plane::kControl, flags.endpoint,
                                                   config.region, env));
  BP_RETURN_IF_ERROR(CheckPrincipalEndpoint(flags.principal, flags.allow_remote_principal,
                                            endpoint.endpoint, endpoint.origin));
  api::client::BedrockClientOptions options{.region = config.region,
                                            .http = api::client::HttpOptionsFromEnv(env)};
  return std::make_unique<api::client::BedrockClient>(
      std::move(endpoint.endpoint), std::move(credentials), std::move(options), clock);
}

void AddClientFlags(CLI::App* cmd, ClientFlags& flags) {
  cmd->add_option("--endpoint", flags.endpoint,
                  "Bedrock control-plane URL; default: AWS_ENDPOINT_URL_BEDROCK, AWS_ENDPOINT_URL, "
                  "else https://bedrock.<config region>.amazonaws.com");
  cmd->add_option(std::string(flags.principal_option), flags.principal,
                  "sign with this config principal's keys (the local endpoint) instead of the AWS "
                  "credential chain");
  cmd->add_flag(
      "--allow-remote-principal", flags.allow_remote_principal,
      "allow " + std::string(flags.principal_option) + "'s keys to go to a non-loopback endpoint");
}

}  // namespace bp::cli
