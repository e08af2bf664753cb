#include "storage/profile_store_rules.h"

#include <utility>

namespace bp::storage {

Status ValidateCreateRequest(const CreateProfileRequest& request) {
  const ProfileRecord& p = request.profile;
  if (p.id.empty()) return ValidationError("inference profile record has an empty id");
  if (p.name.empty()) return ValidationError("inference profile " + p.id + " has an empty name");
  if (p.arn.empty()) return ValidationError("inference profile " + p.id + " has an empty arn");
  for (const std::string& model_arn : p.model_arns) {
    if (model_arn.empty()) {
      return ValidationError("inference profile " + p.id + " has an empty model ARN");
    }
  }
  for (const auto& [key, value] : p.tags) {
    if (key.empty()) return ValidationError("inference profile " + p.id + " has an empty tag key");
  }
  return Status::Ok();
}

Result<Tags> ApplyTagChanges(const Tags& current, const Tags& upsert,
                             const std::vector<std::string>& remove, size_t max_tags) {
  Tags result = current;
  for (const auto& [key, value] : upsert) {
    if (key.empty()) return ValidationError("tag keys must not be empty");
    result.insert_or_assign(key, value);
  }
  for (const std::string& key : remove) result.erase(key);
  if (result.size() > max_tags) {
    return Status(ErrorCode::kTooManyTags, "the resource would have " +
                                               std::to_string(result.size()) + " tags; at most " +
                                               std::to_string(max_tags) + " are allowed");
  }
  return result;
}

Status CheckTokenReuse(const CreateProfileRequest& request, std::string_view stored_digest) {
  if (request.request_digest == stored_digest) return Status::Ok();
  return ConflictError("client request token '" + request.client_token +
                       "' was already used with different request parameters");
}

Status ProfileNotFoundError(std::string_view id) {
  return NotFoundError("inference profile '" + std::string(id) + "' does not exist");
}

Status NameTakenError(std::string_view name) {
  return ConflictError("an inference profile named '" + std::string(name) + "' already exists");
}

Status IdTakenError(std::string_view id) {
  return ConflictError("an inference profile with id '" + std::string(id) + "' already exists");
}

Status TokenOfDeletedProfileError(std::string_view token, std::string_view profile_id) {
  return ConflictError("client request token '" + std::string(token) +
                       "' was already used to create inference profile '" +
                       std::string(profile_id) + "', which has since been deleted");
}

}  // namespace bp::storage
