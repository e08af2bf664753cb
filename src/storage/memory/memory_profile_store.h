#pragma once
// MemoryProfileStore: a ProfileStore held in process memory, for fast unit
// tests (STYLE.md F.27). It follows the ProfileStore contract in every
// respect except durability: nothing survives the object.
//
// Thread-safe: one mutex guards all state, so every call is atomic and a
// failed call changes nothing. Errors, codes and messages are the same as the
// SQLite store's (storage/profile_store_rules.h); it never returns kIo.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "storage/profile_store.h"

namespace bp::storage {

class MemoryProfileStore final : public ProfileStore {
 public:
  MemoryProfileStore() = default;
  MemoryProfileStore(const MemoryProfileStore&) = delete;
  MemoryProfileStore& operator=(const MemoryProfileStore&) = delete;

  Result<CreateProfileOutcome> Create(const CreateProfileRequest& request) override
      BP_EXCLUDES(mu_);
  Result<ProfileRecord> Get(std::string_view id) override BP_EXCLUDES(mu_);
  Result<std::vector<ProfileRecord>> List() override BP_EXCLUDES(mu_);
  Status Delete(std::string_view id) override BP_EXCLUDES(mu_);
  Result<ProfileRecord> UpdateTags(std::string_view id, const Tags& upsert,
                                   const std::vector<std::string>& remove, size_t max_tags,
                                   int64_t now_ms) override BP_EXCLUDES(mu_);

 private:
  struct TokenEntry {
    std::string request_digest;
    std::string profile_id;
  };

  // The answer to a Create whose token is already on record: the replay,
  // or kConflict.
  Result<CreateProfileOutcome> Replay(const CreateProfileRequest& request,
                                      const TokenEntry& entry) const BP_REQUIRES(mu_);

  mutable Mutex mu_;
  std::map<std::string, ProfileRecord, std::less<>> profiles_ BP_GUARDED_BY(mu_);  // by id
  std::map<std::string, std::string, std::less<>> ids_by_name_ BP_GUARDED_BY(mu_);
  std::map<std::string, TokenEntry, std::less<>> tokens_ BP_GUARDED_BY(mu_);
};

}  // namespace bp::storage
