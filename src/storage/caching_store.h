#pragma once
// CachingProfileStore: a ProfileStore decorator that serves every read from
// an immutable in-memory snapshot, so the runtime's hot path never touches
// the database (docs/architecture.md). Writes go to the wrapped store first;
// only once it has committed is a new snapshot published. A snapshot is a
// persistent map (storage/persistent_map.h): publishing after one write
// copies O(log n) tree nodes and shares the rest with the previous snapshot,
// so a write costs the same with 10 or 100,000 profiles. A wrapped store
// that others write too (PostgreSQL shared by several instances) is followed
// by calling Reload() when told of a change (PostgresProfileListener); the
// SQLite store's LOCK file keeps other processes out, so it needs none.
//
// Thread-safety: every method may be called from any thread. Readers load
// the snapshot pointer from a std::atomic<std::shared_ptr> (no mutex; they
// never wait for the database or for a writer's commit). Writers are
// serialised by a mutex among themselves (control plane only). Public header
// of bp_storage.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "storage/persistent_map.h"
#include "storage/profile_store.h"

namespace bp::storage {

// Every profile at one moment, by id. Immutable once published.
struct ProfileSnapshot {
  using Map = PersistentMap<std::string, std::shared_ptr<const ProfileRecord>>;
  Map by_id;  // iterate with `for (const auto& [id, record] : by_id)`
  // 0 for the snapshot loaded at Create(), +1 for each published write: a
  // cheap "did the profiles change since" for caches derived from them.
  uint64_t generation = 0;

  // nullptr when absent.
  const ProfileRecord* Find(std::string_view id) const;
};

class CachingProfileStore final : public ProfileStore {
 public:
  // Loads the first snapshot from `inner` (which must outlive this).
  static Result<std::unique_ptr<CachingProfileStore>> Create(ProfileStore& inner);

  // The current snapshot; holding it keeps it alive.
  std::shared_ptr<const ProfileSnapshot> Snapshot() const;

  // Reads every profile from the wrapped store again and publishes them as
  // the next snapshot (generation + 1) if anything differs from the current
  // one; nothing is published when all is the same. Serialised with the
  // writes (a write of this process and a reload never interleave); readers
  // never wait. Returns whether a new snapshot was published; on an error
  // the current snapshot stays.
  Result<bool> Reload() BP_EXCLUDES(write_mu_);

  // ProfileStore
  Result<CreateProfileOutcome> Create(const CreateProfileRequest& request) override;
  Result<ProfileRecord> Get(std::string_view id) override;
  Result<std::vector<ProfileRecord>> List() override;
  Status Delete(std::string_view id) override;
  Result<ProfileRecord> UpdateTags(std::string_view id, const Tags& upsert,
                                   const std::vector<std::string>& remove, size_t max_tags,
                                   int64_t now_ms) override;

 private:
  explicit CachingProfileStore(ProfileStore& inner) : inner_(inner) {}
  // Publishes a snapshot with `record` put (or removed when `remove`).
  void Publish(const ProfileRecord* record, std::string_view removed_id) BP_REQUIRES(write_mu_);

  ProfileStore& inner_;
  Mutex write_mu_;  // serialises writers: inner write + publish is one step
  std::atomic<std::shared_ptr<const ProfileSnapshot>> snapshot_;
};

}  // namespace bp::storage
