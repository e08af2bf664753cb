#include "api/client/endpoint.h"

#include <cctype>
#include <optional>
#include <utility>
#include <vector>

namespace bp::api::client {
namespace {

bool IsRegionName(std::string_view region) {
  if (region.empty() || region.size() > 64 || region.front() == '-' || region.back() == '-') {
    return false;
  }
  for (char c : region) {
    if (!std::islower(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return true;
}

bool IgnoreConfiguredUrls(const auth::credentials::EnvLookup& env) {
  std::string value = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("");
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value == "true";
}

Result<ResolvedEndpoint> Parse(std::string_view url, std::string origin) {
  auto endpoint = http::ParseEndpointUrl(url);
  if (!endpoint.ok()) {
    return ValidationError(endpoint.status().message() + " [from " + origin + "]");
  }
  return ResolvedEndpoint{.endpoint = std::move(endpoint).value(), .origin = std::move(origin)};
}

}  // namespace

std::string AwsEndpointUrl(Plane plane, std::string_view region) {
  return std::string(plane == Plane::kRuntime ? "https://bedrock-runtime." : "https://bedrock.") +
         std::string(region) + ".amazonaws.com";
}

Result<ResolvedEndpoint> ResolveEndpoint(Plane plane, std::string_view explicit_url,
                                         std::string_view region,
                                         const auth::credentials::EnvLookup& env) {
  if (!explicit_url.empty()) return Parse(explicit_url, "--endpoint");
  if (!IgnoreConfiguredUrls(env)) {
    std::vector<std::string_view> vars;
    if (plane == Plane::kRuntime) vars.push_back("AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
    vars.push_back("AWS_ENDPOINT_URL_BEDROCK");
    vars.push_back("AWS_ENDPOINT_URL");
    for (std::string_view var : vars) {
      std::optional<std::string> url = env(var);
      if (url && !url->empty()) return Parse(*url, std::string(var));
    }
  }
  if (!IsRegionName(region)) {
    return ValidationError("cannot build the AWS endpoint: '" + std::string(region) +
                           "' is not a region name (expected e.g. eu-central-1); pass --endpoint "
                           "or set AWS_ENDPOINT_URL");
  }
  return Parse(AwsEndpointUrl(plane, region), "the AWS endpoint of " + std::string(region) +
                                                  " (no --endpoint or AWS_ENDPOINT_URL* given)");
}

http::ClientOptions HttpOptionsFromEnv(const auth::credentials::EnvLookup& env) {
  http::ClientOptions options;
  options.ca_bundle_file = env("AWS_CA_BUNDLE").value_or("");
  return options;
}

}  // namespace bp::api::client
