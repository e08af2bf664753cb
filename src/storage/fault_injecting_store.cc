#include "storage/fault_injecting_store.h"

#include <string>

namespace bp::storage {

void FaultInjectingProfileStore::FailNthMutation(int64_t n, FaultMode mode) {
  BP_ASSERT(n >= 1);
  MutexLock lock(mu_);
  fail_at_ = mutations_ + n;
  fail_all_ = false;
  mode_ = mode;
}

void FaultInjectingProfileStore::FailAllMutations(FaultMode mode) {
  MutexLock lock(mu_);
  fail_at_ = 0;
  fail_all_ = true;
  mode_ = mode;
}

void FaultInjectingProfileStore::Disarm() {
  MutexLock lock(mu_);
  fail_at_ = 0;
  fail_all_ = false;
}

int64_t FaultInjectingProfileStore::mutations() const {
  MutexLock lock(mu_);
  return mutations_;
}

int64_t FaultInjectingProfileStore::faults_injected() const {
  MutexLock lock(mu_);
  return faults_;
}

FaultInjectingProfileStore::Fate FaultInjectingProfileStore::NextMutation() {
  MutexLock lock(mu_);
  ++mutations_;
  if (!fail_all_ && mutations_ != fail_at_) return Fate::kPass;
  if (!fail_all_) fail_at_ = 0;
  ++faults_;
  return mode_ == FaultMode::kBeforeWrite ? Fate::kFailBefore : Fate::kFailAfter;
}

Status FaultInjectingProfileStore::InjectedError(std::string_view operation) {
  return IoError("fault-injecting profile store: injected I/O failure in " +
                 std::string(operation));
}

Result<CreateProfileOutcome> FaultInjectingProfileStore::Create(
    const CreateProfileRequest& request) {
  const Fate fate = NextMutation();
  if (fate == Fate::kFailBefore) return InjectedError("Create");
  auto result = target_.Create(request);
  if (fate == Fate::kFailAfter) return InjectedError("Create");
  return result;
}

Result<ProfileRecord> FaultInjectingProfileStore::Get(std::string_view id) {
  return target_.Get(id);
}

Result<std::vector<ProfileRecord>> FaultInjectingProfileStore::List() { return target_.List(); }

Status FaultInjectingProfileStore::Delete(std::string_view id) {
  const Fate fate = NextMutation();
  if (fate == Fate::kFailBefore) return InjectedError("Delete");
  Status status = target_.Delete(id);
  if (fate == Fate::kFailAfter) return InjectedError("Delete");
  return status;
}

Result<ProfileRecord> FaultInjectingProfileStore::UpdateTags(std::string_view id,
                                                             const Tags& upsert,
                                                             const std::vector<std::string>& remove,
                                                             size_t max_tags, int64_t now_ms) {
  const Fate fate = NextMutation();
  if (fate == Fate::kFailBefore) return InjectedError("UpdateTags");
  auto result = target_.UpdateTags(id, upsert, remove, max_tags, now_ms);
  if (fate == Fate::kFailAfter) return InjectedError("UpdateTags");
  return result;
}

}  // namespace bp::storage
