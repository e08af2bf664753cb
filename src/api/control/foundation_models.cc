// ControlService: ListFoundationModels, GetFoundationModel.
#include <algorithm>

#include "api/control/control_service.h"
#include "api/control/validation.h"
#include "core/arn.h"

namespace bp::api::control {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

bool Contains(const std::vector<std::string>& list, const std::optional<std::string>& wanted) {
  return !wanted || std::find(list.begin(), list.end(), *wanted) != list.end();
}

Status ValidateFilter(const ModelFilter& f) {
  Violations v;
  if (f.by_provider) {
    v.CheckPattern(MatchesProvider(*f.by_provider), *f.by_provider, "byProvider", kProviderPattern);
  }
  if (f.by_customization_type) {
    v.CheckEnum(*f.by_customization_type, "byCustomizationType",
                {"FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"});
  }
  if (f.by_output_modality) {
    v.CheckEnum(*f.by_output_modality, "byOutputModality", {"TEXT", "IMAGE", "EMBEDDING"});
  }
  if (f.by_inference_type) {
    v.CheckEnum(*f.by_inference_type, "byInferenceType", {"ON_DEMAND", "PROVISIONED"});
  }
  return v.ToStatus();
}

Status ModelNotFound(std::string_view identifier) {
  return NotFoundError("The foundation model '" + std::string(identifier) +
                       "' was not found: could not resolve the foundation model from the "
                       "provided model identifier");
}

}  // namespace

FoundationModelInfo ControlService::ModelInfo(const catalog::FoundationModel& model) const {
  return FoundationModelInfo{.arn = FoundationModelArn(options_.region, model.model_id),
                             .model = model};
}

Result<std::vector<FoundationModelInfo>> ControlService::ListFoundationModels(
    const ModelFilter& filter) {
  BP_RETURN_IF_ERROR(ValidateFilter(filter));
  std::vector<FoundationModelInfo> out;
  for (const catalog::FoundationModel& m : catalog_.models()) {
    if (filter.by_provider && !EqualsIgnoreCase(m.provider_name, *filter.by_provider)) continue;
    if (!Contains(m.customizations, filter.by_customization_type)) continue;
    if (!Contains(m.output_modalities, filter.by_output_modality)) continue;
    if (!Contains(m.inference_types, filter.by_inference_type)) continue;
    out.push_back(ModelInfo(m));
  }
  return out;
}

Result<FoundationModelInfo> ControlService::GetFoundationModel(std::string_view identifier) {
  Violations v;
  v.CheckLength(identifier, identifier, "modelIdentifier", 1, 2048);
  BP_RETURN_IF_ERROR(v.ToStatus());
  if (identifier.substr(0, 4) != "arn:") {
    const catalog::FoundationModel* model = catalog_.FindModel(identifier);
    if (model == nullptr) return ModelNotFound(identifier);
    return ModelInfo(*model);
  }
  Result<Arn> arn = Arn::Parse(identifier);
  if (!arn.ok()) return ValidationError("modelIdentifier: " + arn.status().message());
  if (ClassifyBedrockArn(*arn) != BedrockResourceKind::kFoundationModel || !arn->account.empty()) {
    return ValidationError("modelIdentifier '" + std::string(identifier) +
                           "' is not a foundation-model ARN "
                           "(arn:aws:bedrock:<region>::foundation-model/<model id>) or a model id");
  }
  const catalog::FoundationModel* model = catalog_.FindModel(arn->ResourceId());
  if (arn->partition != "aws" || model == nullptr ||
      std::find(model->regions.begin(), model->regions.end(), arn->region) ==
          model->regions.end()) {
    return ModelNotFound(identifier);
  }
  return ModelInfo(*model);
}

}  // namespace bp::api::control
