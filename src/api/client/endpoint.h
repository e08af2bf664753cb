#pragma once
// Where the CLI's Bedrock calls go, and the HTTP settings the AWS
// environment asks for (BRIEF.md "Client commands", bedrock-api.md §7).
// Public header of bp_api_client.
//
// Thread-safety: pure functions over their inputs.

#include <string>
#include <string_view>

#include "auth/credentials/credentials.h"
#include "core/status.h"
#include "http/client.h"

namespace bp::api::client {

// The two Bedrock services. Both sign with the SigV4 service name "bedrock".
enum class Plane : uint8_t {
  kControl,  // bedrock: inference profiles, tags, foundation models
  kRuntime,  // bedrock-runtime: InvokeModel, Converse, ...
};

// The SigV4 signing name of both planes.
inline constexpr std::string_view kSigningService = "bedrock";

struct ResolvedEndpoint {
  http::Endpoint endpoint;
  // Where the URL came from, for messages: "--endpoint",
  // "AWS_ENDPOINT_URL_BEDROCK", "the AWS endpoint of eu-central-1".
  std::string origin;
};

// "https://bedrock.<region>.amazonaws.com" or
// "https://bedrock-runtime.<region>.amazonaws.com".
std::string AwsEndpointUrl(Plane plane, std::string_view region);

// Picks the endpoint, first match wins:
//   1. `explicit_url` (the --endpoint flag) when not empty;
//   2. runtime only: AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
//   3. AWS_ENDPOINT_URL_BEDROCK (for the runtime too: the local `serve`
//      answers both planes on one port);
//   4. AWS_ENDPOINT_URL;
//   5. AwsEndpointUrl(plane, region).
// Steps 2-4 are skipped when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true"
// (any case). Errors (kValidation): a malformed URL, with its origin
// ("invalid endpoint URL 'x': ... [from AWS_ENDPOINT_URL]"); for step 5, a
// region that is not of the form [a-z0-9-]+.
Result<ResolvedEndpoint> ResolveEndpoint(Plane plane, std::string_view explicit_url,
                                         std::string_view region,
                                         const auth::credentials::EnvLookup& env);

// http::ClientOptions defaults plus what the environment sets: AWS_CA_BUNDLE
// becomes ca_bundle_file (an extra PEM file of trusted certificates).
http::ClientOptions HttpOptionsFromEnv(const auth::credentials::EnvLookup& env);

}  // namespace bp::api::client
