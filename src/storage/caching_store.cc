#include "storage/caching_store.h"

#include <utility>

#include "storage/profile_store_rules.h"

namespace bp::storage {

const ProfileRecord* ProfileSnapshot::Find(std::string_view id) const {
  auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : it->second.get();
}

Result<std::unique_ptr<CachingProfileStore>> CachingProfileStore::Create(ProfileStore& inner) {
  BP_ASSIGN_OR_RETURN(std::vector<ProfileRecord> all, inner.List());
  auto snapshot = std::make_shared<ProfileSnapshot>();
  for (ProfileRecord& r : all) {
    std::string id = r.id;
    snapshot->by_id.emplace(std::move(id), std::make_shared<const ProfileRecord>(std::move(r)));
  }
  std::unique_ptr<CachingProfileStore> store(new CachingProfileStore(inner));
  {
    MutexLock lock(store->mu_);
    store->snapshot_ = std::move(snapshot);
  }
  return store;
}

std::shared_ptr<const ProfileSnapshot> CachingProfileStore::Snapshot() const {
  MutexLock lock(mu_);
  return snapshot_;
}

void CachingProfileStore::Publish(const ProfileRecord* record, std::string_view removed_id) {
  std::shared_ptr<const ProfileSnapshot> current = Snapshot();
  auto next = std::make_shared<ProfileSnapshot>(*current);  // shares the unchanged records
  if (record != nullptr) {
    next->by_id.insert_or_assign(record->id, std::make_shared<const ProfileRecord>(*record));
  } else {
    auto it = next->by_id.find(removed_id);
    if (it != next->by_id.end()) next->by_id.erase(it);
  }
  MutexLock lock(mu_);
  snapshot_ = std::move(next);
}

Result<CreateProfileOutcome> CachingProfileStore::Create(const CreateProfileRequest& request) {
  MutexLock writing(write_mu_);
  BP_ASSIGN_OR_RETURN(CreateProfileOutcome outcome, inner_.Create(request));
  if (!outcome.replayed) Publish(&outcome.profile, {});
  return outcome;
}

Result<ProfileRecord> CachingProfileStore::Get(std::string_view id) {
  std::shared_ptr<const ProfileSnapshot> snapshot = Snapshot();
  const ProfileRecord* record = snapshot->Find(id);
  if (record == nullptr) {
    return ProfileNotFoundError(id);
  }
  return *record;
}

Result<std::vector<ProfileRecord>> CachingProfileStore::List() {
  std::shared_ptr<const ProfileSnapshot> snapshot = Snapshot();
  std::vector<ProfileRecord> out;
  out.reserve(snapshot->by_id.size());
  for (const auto& [id, record] : snapshot->by_id) out.push_back(*record);
  return out;
}

Status CachingProfileStore::Delete(std::string_view id) {
  MutexLock writing(write_mu_);
  BP_RETURN_IF_ERROR(inner_.Delete(id));
  Publish(nullptr, id);
  return Status::Ok();
}

Result<ProfileRecord> CachingProfileStore::UpdateTags(std::string_view id, const Tags& upsert,
                                                      const std::vector<std::string>& remove,
                                                      size_t max_tags, int64_t now_ms) {
  MutexLock writing(write_mu_);
  BP_ASSIGN_OR_RETURN(ProfileRecord updated,
                      inner_.UpdateTags(id, upsert, remove, max_tags, now_ms));
  Publish(&updated, {});
  return updated;
}

}  // namespace bp::storage
