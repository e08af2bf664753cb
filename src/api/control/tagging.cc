// ControlService: TagResource, UntagResource, ListTagsForResource, and the
// authorization helpers that name resources (ProfileArnFor, ...).
#include <cstdint>
#include <utility>

#include "api/control/control_internal.h"
#include "api/control/control_service.h"
#include "api/control/validation.h"
#include "core/arn.h"

namespace bp::api::control {

namespace {

Status ResourceNotFound(std::string_view arn) {
  return NotFoundError("The resource '" + std::string(arn) + "' was not found");
}

// Store failures of a tag operation, re-worded to name the ARN the caller gave.
Status Reword(const Status& status, std::string_view arn) {
  if (status.code() == ErrorCode::kResourceNotFound) return ResourceNotFound(arn);
  if (status.code() == ErrorCode::kTooManyTags) {
    return Status(ErrorCode::kTooManyTags, "Tag limit exceeded for resource '" + std::string(arn) +
                                               "': " + status.message());
  }
  return status;
}

}  // namespace

Result<std::string> ControlService::ResolveTaggable(std::string_view resource_arn) const {
  Violations v;
  v.CheckLength(resource_arn, resource_arn, "resourceARN", 20, 1011);
  BP_RETURN_IF_ERROR(v.ToStatus());
  Result<Arn> arn = Arn::Parse(resource_arn);
  if (!arn.ok()) return ValidationError("resourceARN: " + arn.status().message());
  switch (ClassifyBedrockArn(*arn)) {
    case BedrockResourceKind::kApplicationProfile:
      break;
    case BedrockResourceKind::kSystemProfile:
    case BedrockResourceKind::kFoundationModel:
      return ValidationError("The resource '" + std::string(resource_arn) +
                             "' is owned by AWS and cannot be tagged; tags are supported on "
                             "application inference profiles");
    case BedrockResourceKind::kOther:
      return ValidationError(
          "The resource '" + std::string(resource_arn) +
          "' is not a taggable Bedrock resource: expected "
          "arn:aws:bedrock:<region>:<account>:application-inference-profile/<id>");
  }
  std::string id(arn->ResourceId());
  if (arn->partition != "aws" || arn->region != options_.region ||
      arn->account != options_.account_id || !MatchesProfileId(id)) {
    return ResourceNotFound(resource_arn);
  }
  return id;
}

Status ControlService::TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) {
  BP_ASSIGN_OR_RETURN(std::string id, ResolveTaggable(resource_arn));
  Violations v;
  Tags upsert = CheckTags(tags, "tags", v);
  BP_RETURN_IF_ERROR(v.ToStatus());
  Result<storage::ProfileRecord> updated =
      store_.UpdateTags(id, upsert, {}, options_.max_tags, NowMs());
  if (!updated.ok()) return Reword(updated.status(), resource_arn);
  return Status::Ok();
}

Status ControlService::UntagResource(std::string_view resource_arn,
                                     const std::vector<std::string>& tag_keys) {
  BP_ASSIGN_OR_RETURN(std::string id, ResolveTaggable(resource_arn));
  Violations v;
  CheckTagKeys(tag_keys, "tagKeys", v);
  BP_RETURN_IF_ERROR(v.ToStatus());
  // Removing keys can never exceed the limit; pass the larger bound so a
  // resource already over a lowered limit can still shed tags.
  Result<storage::ProfileRecord> updated = store_.UpdateTags(id, {}, tag_keys, SIZE_MAX, NowMs());
  if (!updated.ok()) return Reword(updated.status(), resource_arn);
  return Status::Ok();
}

Result<Tags> ControlService::ListTagsForResource(std::string_view resource_arn) {
  BP_ASSIGN_OR_RETURN(std::string id, ResolveTaggable(resource_arn));
  Result<storage::ProfileRecord> record = store_.Get(id);
  if (!record.ok()) return Reword(record.status(), resource_arn);
  return std::move(record->tags);
}

Result<Tags> ControlService::ResourceTagsFor(std::string_view arn) const {
  Result<Arn> parsed = Arn::Parse(arn);
  if (!parsed.ok() || ClassifyBedrockArn(*parsed) != BedrockResourceKind::kApplicationProfile ||
      parsed->partition != "aws" || parsed->region != options_.region ||
      parsed->account != options_.account_id) {
    return Tags{};
  }
  Result<storage::ProfileRecord> record = store_.Get(parsed->ResourceId());
  if (record.ok()) return std::move(record->tags);
  if (record.status().code() == ErrorCode::kResourceNotFound) return Tags{};
  return record.status();
}

std::string ControlService::ProfileArnFor(std::string_view identifier) const {
  if (identifier.starts_with("arn:")) return std::string(identifier);
  if (catalog_.FindSystemProfile(identifier) != nullptr) {
    return SystemProfileArn(options_.region, options_.account_id, identifier);
  }
  return ApplicationProfileArn(options_.region, options_.account_id, identifier);
}

std::string ControlService::ModelArnFor(std::string_view identifier) const {
  if (identifier.starts_with("arn:")) return std::string(identifier);
  return FoundationModelArn(options_.region, identifier);
}

std::string ControlService::NewProfileArnPattern() const {
  return ApplicationProfileArn(options_.region, options_.account_id, "*");
}

}  // namespace bp::api::control
