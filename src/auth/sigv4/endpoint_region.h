#pragma once
// Which region a request to this endpoint must be signed for (auth.md §1.2):
// the region of the host name when it names a Bedrock endpoint
// ("bedrock.eu-west-1.amazonaws.com", "bedrock-runtime.eu-west-1.amazonaws.com"),
// as AWS's endpoint of that region would insist, otherwise the endpoint's
// configured region (the config's `region`). Public header of bp_auth_sigv4:
// the verifier checks scopes with it, the CLI client signs with it.
//
// Pure functions over their inputs; thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace bp::auth::sigv4 {

// True for a name shaped like a region: [a-z0-9-], 1 to 32 characters.
bool IsRegionName(std::string_view region);

// The region of a Bedrock host name: `host` (a Host header or :authority
// value, any case, with an optional ":port" and trailing dot) of the form
// "bedrock.<region>.amazonaws.com" or "bedrock-runtime.<region>.amazonaws.com"
// gives <region>; any other host (an IP address, "localhost", the global
// "bedrock.amazonaws.com", another service) gives nullopt.
std::optional<std::string> BedrockHostRegion(std::string_view host);

// BedrockHostRegion(host) when there is one, else `configured_region`.
std::string EndpointRegion(std::string_view host, std::string_view configured_region);

}  // namespace bp::auth::sigv4
