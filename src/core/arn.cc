#include "core/arn.h"

namespace bp {

Result<Arn> Arn::Parse(std::string_view text) {
  static constexpr const char* kNames[] = {"'arn' prefix", "partition", "service", "region",
                                           "account"};
  std::string_view parts[5];
  std::string_view rest = text;
  for (int i = 0; i < 5; ++i) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
      return ValidationError("'" + std::string(text) + "' is not an ARN: missing " + kNames[i] +
                             " component (expected arn:partition:service:region:account:resource)");
    }
    parts[i] = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  if (parts[0] != "arn") {
    return ValidationError("'" + std::string(text) + "' is not an ARN: it must start with 'arn:'");
  }
  if (parts[1].empty() || parts[2].empty() || rest.empty()) {
    return ValidationError("'" + std::string(text) +
                           "' is not an ARN: partition, service and resource must not be empty");
  }
  return Arn{std::string(parts[1]), std::string(parts[2]), std::string(parts[3]),
             std::string(parts[4]), std::string(rest)};
}

std::string Arn::ToString() const {
  std::string out;
  out.reserve(8 + partition.size() + service.size() + region.size() + account.size() +
              resource.size());
  out.append("arn:").append(partition).append(":").append(service).append(":");
  out.append(region).append(":").append(account).append(":").append(resource);
  return out;
}

std::string_view Arn::ResourceType() const {
  std::string_view r = resource;
  size_t slash = r.find('/');
  return slash == std::string_view::npos ? std::string_view() : r.substr(0, slash);
}

std::string_view Arn::ResourceId() const {
  std::string_view r = resource;
  size_t slash = r.find('/');
  return slash == std::string_view::npos ? std::string_view() : r.substr(slash + 1);
}

BedrockResourceKind ClassifyBedrockArn(const Arn& arn) {
  if (arn.service != "bedrock" || arn.ResourceId().empty()) return BedrockResourceKind::kOther;
  std::string_view type = arn.ResourceType();
  if (type == "application-inference-profile") return BedrockResourceKind::kApplicationProfile;
  if (type == "inference-profile") return BedrockResourceKind::kSystemProfile;
  if (type == "foundation-model") return BedrockResourceKind::kFoundationModel;
  return BedrockResourceKind::kOther;
}

std::string ApplicationProfileArn(std::string_view region, std::string_view account,
                                  std::string_view id) {
  return Arn{"aws", "bedrock", std::string(region), std::string(account),
             "application-inference-profile/" + std::string(id)}
      .ToString();
}

std::string SystemProfileArn(std::string_view region, std::string_view account,
                             std::string_view id) {
  return Arn{"aws", "bedrock", std::string(region), std::string(account),
             "inference-profile/" + std::string(id)}
      .ToString();
}

std::string FoundationModelArn(std::string_view region, std::string_view model_id) {
  return Arn{"aws", "bedrock", std::string(region), "", "foundation-model/" + std::string(model_id)}
      .ToString();
}

}  // namespace bp
