#pragma once
// The chain's HTTP sources: container credentials (the ECS agent, EKS Pod
// Identity, any endpoint named by AWS_CONTAINER_CREDENTIALS_FULL_URI) and
// IMDSv2 on EC2. Private to bp_auth_credentials. Blocking (http::Client):
// call them from a refresher thread or at start, never from an event loop.
// Thread-safe: no shared state.

#include <string>
#include <string_view>

#include "auth/credentials/credentials.h"
#include "core/status.h"
#include "http/client.h"

namespace bp::auth::credentials {

// Where a container credential request goes.
struct ContainerTarget {
  http::Endpoint endpoint;  // base_path always empty
  std::string target;       // path and query: "/v2/credentials/abc"
  std::string shown;        // for messages and `source`: the URL without its query
};

// True when AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI is set (then
// the container is the chain's source, and IMDS is not tried).
bool ContainerConfigured(const EnvLookup& env);

// The container endpoint the environment names: RELATIVE_URI (it wins when
// both are set) appended to options.container_relative_base, else FULL_URI.
// A FULL_URI may use https with any host, or http only with a host of the
// container agents' or this machine's own: localhost, 127.0.0.0/8, ::1,
// 169.254.170.2 (ECS), 169.254.170.23 and fd00:ec2::23 (EKS Pod Identity),
// as the AWS SDKs require, so credentials never travel in clear text to
// another machine. Errors (kValidation): a malformed URL, a relative URI not
// starting with '/', an http host outside that list, a fragment.
Result<ContainerTarget> ContainerTargetFromEnv(const EnvLookup& env, const ChainOptions& options);

// GET the container endpoint with `Authorization: <token>` when one is
// configured: the contents of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read
// on every call, since the agent rotates it; trailing line breaks dropped)
// or else AWS_CONTAINER_AUTHORIZATION_TOKEN. The answer must be 200 with the
// JSON of ParseRemoteCredentials. Errors name the URL, never the token:
// kValidation (configuration, unreadable token file, bad answer),
// kServiceUnavailable (transport, non-200 status).
Result<Credentials> FetchContainerCredentials(const EnvLookup& env, const ChainOptions& options);

// The IMDS endpoint: AWS_EC2_METADATA_SERVICE_ENDPOINT, else by
// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE (IPv4: http://169.254.169.254,
// IPv6: http://[fd00:ec2::254]).
Result<http::Endpoint> ImdsEndpointFromEnv(const EnvLookup& env);

// IMDSv2 only: PUT /latest/api/token (x-aws-ec2-metadata-token-ttl-seconds),
// then, with x-aws-ec2-metadata-token, GET
// /latest/meta-data/iam/security-credentials/ for the role (first line) and
// GET .../<role> for the credentials. A refused token is an error, never a
// reason to try IMDSv1. `reachable` is set when the token request got an
// HTTP answer at all (false: nothing listens there, as on a laptop).
// Errors name the endpoint and the step; kServiceUnavailable for transport
// and HTTP failures, kValidation for a bad answer.
Result<Credentials> FetchImdsCredentials(const EnvLookup& env, const ChainOptions& options,
                                         bool& reachable);

}  // namespace bp::auth::credentials
