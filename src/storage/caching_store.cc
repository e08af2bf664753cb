#include "storage/caching_store.h"

#include <utility>

#include "storage/profile_store_rules.h"

namespace bp::storage {

const ProfileRecord* ProfileSnapshot::Find(std::string_view id) const {
  const std::shared_ptr<const ProfileRecord>* record = by_id.Find(id);
  return record == nullptr ? nullptr : record->get();
}

Result<std::unique_ptr<CachingProfileStore>> CachingProfileStore::Create(ProfileStore& inner) {
  BP_ASSIGN_OR_RETURN(std::vector<ProfileRecord> all, inner.List());
  ProfileSnapshot::Map by_id;
  for (ProfileRecord& r : all) {
    std::string id = r.id;
    by_id = by_id.Insert(std::move(id), std::make_shared<const ProfileRecord>(std::move(r)));
  }
  std::unique_ptr<CachingProfileStore> store(new CachingProfileStore(inner));
  store->snapshot_.store(
      std::make_shared<const ProfileSnapshot>(ProfileSnapshot{std::move(by_id)}));
  return store;
}

std::shared_ptr<const ProfileSnapshot> CachingProfileStore::Snapshot() const {
  return snapshot_.load(std::memory_order_acquire);
}

Result<bool> CachingProfileStore::Reload() {
  MutexLock writing(write_mu_);
  BP_ASSIGN_OR_RETURN(std::vector<ProfileRecord> all, inner_.List());
  std::shared_ptr<const ProfileSnapshot> current = Snapshot();
  bool same = all.size() == current->by_id.size();
  ProfileSnapshot::Map by_id;
  for (ProfileRecord& r : all) {
    // An unchanged record keeps its shared copy (derived caches may key on it).
    const std::shared_ptr<const ProfileRecord>* kept = current->by_id.Find(r.id);
    std::shared_ptr<const ProfileRecord> record;
    if (kept != nullptr && **kept == r) {
      record = *kept;
    } else {
      same = false;
      record = std::make_shared<const ProfileRecord>(std::move(r));
    }
    std::string id = record->id;
    by_id = by_id.Insert(std::move(id), std::move(record));
  }
  if (same) return false;
  snapshot_.store(std::make_shared<const ProfileSnapshot>(
                      ProfileSnapshot{std::move(by_id), current->generation + 1}),
                  std::memory_order_release);
  return true;
}

// Only writers (holding write_mu_) store, so load-modify-store cannot lose
// an update; the new version shares all but O(log n) nodes with the old.
void CachingProfileStore::Publish(const ProfileRecord* record, std::string_view removed_id) {
  std::shared_ptr<const ProfileSnapshot> current = Snapshot();
  ProfileSnapshot::Map next =
      record != nullptr
          ? current->by_id.Insert(record->id, std::make_shared<const ProfileRecord>(*record))
          : current->by_id.Erase(removed_id);
  snapshot_.store(std::make_shared<const ProfileSnapshot>(
                      ProfileSnapshot{std::move(next), current->generation + 1}),
                  std::memory_order_release);
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
