#include "storage/memory/memory_profile_store.h"

#include <utility>

#include "storage/profile_store_rules.h"

namespace bp::storage {

Result<CreateProfileOutcome> MemoryProfileStore::Create(const CreateProfileRequest& request) {
  BP_RETURN_IF_ERROR(ValidateCreateRequest(request));
  const ProfileRecord& profile = request.profile;
  MutexLock lock(mu_);
  if (!request.client_token.empty()) {
    auto token = tokens_.find(request.client_token);
    if (token != tokens_.end()) return Replay(request, token->second);
  }
  if (profiles_.contains(profile.id)) return IdTakenError(profile.id);
  if (ids_by_name_.contains(profile.name)) return NameTakenError(profile.name);
  // Nothing below can fail, so the three inserts are all-or-nothing.
  profiles_.emplace(profile.id, profile);
  ids_by_name_.emplace(profile.name, profile.id);
  if (!request.client_token.empty()) {
    tokens_.emplace(request.client_token, TokenEntry{request.request_digest, profile.id});
  }
  return CreateProfileOutcome{.profile = profile, .replayed = false};
}

Result<CreateProfileOutcome> MemoryProfileStore::Replay(const CreateProfileRequest& request,
                                                        const TokenEntry& entry) const {
  BP_RETURN_IF_ERROR(CheckTokenReuse(request, entry.request_digest));
  auto it = profiles_.find(entry.profile_id);
  if (it == profiles_.end()) {
    return TokenOfDeletedProfileError(request.client_token, entry.profile_id);
  }
  return CreateProfileOutcome{.profile = it->second, .replayed = true};
}

Result<ProfileRecord> MemoryProfileStore::Get(std::string_view id) {
  MutexLock lock(mu_);
  auto it = profiles_.find(id);
  if (it == profiles_.end()) return ProfileNotFoundError(id);
  return it->second;
}

Result<std::vector<ProfileRecord>> MemoryProfileStore::List() {
  MutexLock lock(mu_);
  std::vector<ProfileRecord> out;
  out.reserve(profiles_.size());
  for (const auto& [id, profile] : profiles_) out.push_back(profile);
  return out;
}

Status MemoryProfileStore::Delete(std::string_view id) {
  MutexLock lock(mu_);
  auto it = profiles_.find(id);
  if (it == profiles_.end()) return ProfileNotFoundError(id);
  ids_by_name_.erase(it->second.name);
  profiles_.erase(it);
  // Tokens stay: a replay of this profile's create must answer kConflict.
  return Status::Ok();
}

Result<ProfileRecord> MemoryProfileStore::UpdateTags(std::string_view id, const Tags& upsert,
                                                     const std::vector<std::string>& remove,
                                                     size_t max_tags, int64_t now_ms) {
  MutexLock lock(mu_);
  auto it = profiles_.find(id);
  if (it == profiles_.end()) return ProfileNotFoundError(id);
  BP_ASSIGN_OR_RETURN(Tags tags, ApplyTagChanges(it->second.tags, upsert, remove, max_tags));
  it->second.tags = std::move(tags);
  it->second.updated_at_ms = now_ms;
  return it->second;
}

}  // namespace bp::storage
