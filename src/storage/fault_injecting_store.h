#pragma once
// FaultInjectingProfileStore: a decorator that makes chosen mutating calls of
// a wrapped ProfileStore fail with kIo (STYLE.md F.27), for tests such as
// "a refused request writes nothing" and "a retry after a lost reply is
// replayed, not duplicated".
//
// Mutating calls are Create, Delete and UpdateTags; Get and List always pass
// through. Two fault modes:
// - kBeforeWrite: the call never reaches the wrapped store (a storage failure
//   before commit); the store is unchanged.
// - kAfterWrite: the call reaches the wrapped store and commits (or fails),
//   then the caller is told kIo anyway (a crash or lost reply after commit).
//
// Thread-safe. Does not own the wrapped store, which must outlive it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "storage/profile_store.h"

namespace bp::storage {

enum class FaultMode : uint8_t { kBeforeWrite, kAfterWrite };

class FaultInjectingProfileStore final : public ProfileStore {
 public:
  explicit FaultInjectingProfileStore(ProfileStore& target) : target_(target) {}
  FaultInjectingProfileStore(const FaultInjectingProfileStore&) = delete;
  FaultInjectingProfileStore& operator=(const FaultInjectingProfileStore&) = delete;

  // Arms one fault: the nth mutating call from now (1 = the next) fails.
  // Replaces any fault already armed. REQUIRES: n >= 1.
  void FailNthMutation(int64_t n, FaultMode mode = FaultMode::kBeforeWrite) BP_EXCLUDES(mu_);
  // Every mutating call from now on fails, until Disarm().
  void FailAllMutations(FaultMode mode = FaultMode::kBeforeWrite) BP_EXCLUDES(mu_);
  void Disarm() BP_EXCLUDES(mu_);

  // Mutating calls seen so far (faulted or not), and how many were faulted.
  int64_t mutations() const BP_EXCLUDES(mu_);
  int64_t faults_injected() const BP_EXCLUDES(mu_);

  Result<CreateProfileOutcome> Create(const CreateProfileRequest& request) override;
  Result<ProfileRecord> Get(std::string_view id) override;
  Result<std::vector<ProfileRecord>> List() override;
  Status Delete(std::string_view id) override;
  Result<ProfileRecord> UpdateTags(std::string_view id, const Tags& upsert,
                                   const std::vector<std::string>& remove, size_t max_tags,
                                   int64_t now_ms) override;

 private:
  enum class Fate : uint8_t { kPass, kFailBefore, kFailAfter };

  // Counts one mutating call and decides whether and when it fails.
  Fate NextMutation() BP_EXCLUDES(mu_);
  static Status InjectedError(std::string_view operation);

  ProfileStore& target_;
  mutable Mutex mu_;
  int64_t mutations_ BP_GUARDED_BY(mu_) = 0;
  int64_t faults_ BP_GUARDED_BY(mu_) = 0;
  int64_t fail_at_ BP_GUARDED_BY(mu_) = 0;  // mutation number to fail; 0 = none
  bool fail_all_ BP_GUARDED_BY(mu_) = false;
  FaultMode mode_ BP_GUARDED_BY(mu_) = FaultMode::kBeforeWrite;
};

}  // namespace bp::storage
