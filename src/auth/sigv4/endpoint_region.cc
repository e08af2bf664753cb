#include "auth/sigv4/endpoint_region.h"

#include <algorithm>

namespace bp::auth::sigv4 {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// "name:port" -> "name"; an IPv6 literal ("[::1]:8700") is left whole (it
// names no Bedrock endpoint anyway).
std::string_view WithoutPort(std::string_view host) {
  if (host.starts_with('[')) return host;
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

}  // namespace

bool IsRegionName(std::string_view region) {
  return !region.empty() && region.size() <= 32 &&
         std::all_of(region.begin(), region.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

std::optional<std::string> BedrockHostRegion(std::string_view host) {
  std::string name = Lower(WithoutPort(host));
  if (name.ends_with('.')) name.pop_back();
  constexpr std::string_view kSuffix = ".amazonaws.com";
  if (!name.ends_with(kSuffix)) return std::nullopt;
  std::string_view rest = std::string_view(name).substr(0, name.size() - kSuffix.size());
  for (std::string_view prefix :
       {std::string_view("bedrock."), std::string_view("bedrock-runtime.")}) {
    if (!rest.starts_with(prefix)) continue;
    std::string_view region = rest.substr(prefix.size());
    if (IsRegionName(region)) return std::string(region);
  }
  return std::nullopt;
}

std::string EndpointRegion(std::string_view host, std::string_view configured_region) {
  std::optional<std::string> named = BedrockHostRegion(host);
  return named ? *named : std::string(configured_region);
}

}  // namespace bp::auth::sigv4
