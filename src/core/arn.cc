#include "core/arn.h"

#include <cstdint>

namespace bp {

namespace {

enum class ArnProblem : uint8_t { kNone, kMissingComponent, kNoArnPrefix, kEmptyComponent };

// Splits `text` into `out`; on kMissingComponent, `missing` is the index of
// the first absent component (0 = the 'arn' prefix).
ArnProblem SplitArnText(std::string_view text, ArnView& out, int& missing) {
  std::string_view parts[5];
  std::string_view rest = text;
  for (int i = 0; i < 5; ++i) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
      missing = i;
      return ArnProblem::kMissingComponent;
    }
    parts[i] = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  if (parts[0] != "arn") return ArnProblem::kNoArnPrefix;
  if (parts[1].empty() || parts[2].empty() || rest.empty()) return ArnProblem::kEmptyComponent;
  out = ArnView{parts[1], parts[2], parts[3], parts[4], rest};
  return ArnProblem::kNone;
}

}  // namespace

std::optional<ArnView> ArnView::Parse(std::string_view text) {
  ArnView view;
  int missing = 0;
  if (SplitArnText(text, view, missing) != ArnProblem::kNone) return std::nullopt;
  return view;
}

Result<Arn> Arn::Parse(std::string_view text) {
  static constexpr const char* kNames[] = {"'arn' prefix", "partition", "service", "region",
                                           "account"};
  ArnView v;
  int missing = 0;
  switch (SplitArnText(text, v, missing)) {
    case ArnProblem::kNone:
      break;
    case ArnProblem::kMissingComponent:
      return ValidationError("'" + std::string(text) + "' is not an ARN: missing " +
                             kNames[missing] +
                             " component (expected arn:partition:service:region:account:resource)");
    case ArnProblem::kNoArnPrefix:
      return ValidationError("'" + std::string(text) +
                             "' is not an ARN: it must start with 'arn:'");
    case ArnProblem::kEmptyComponent:
      return ValidationError("'" + std::string(text) +
                             "' is not an ARN: partition, service and resource must not be empty");
  }
  return Arn{std::string(v.partition), std::string(v.service), std::string(v.region),
             std::string(v.account), std::string(v.resource)};
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
