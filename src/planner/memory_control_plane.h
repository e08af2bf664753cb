#pragma once
// An in-memory Bedrock control plane: the planner's fake for unit, golden
// and CLI tests (STYLE.md F.27), with fault injection. Behaves as
// docs/control-plane.md describes `serve`: names are unique (Conflict), a
// create's clientRequestToken replays the original answer for the same
// request and is a Conflict for another request or a deleted profile, tags
// are limited to 50, unknown ARNs are ResourceNotFound. Models come from the
// catalog (plus `extra_regions`, to act like real AWS serving an EU profile
// in more regions than the catalog lists). Thread-safe. Public header of
// bp_planner.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/mutex.h"
#include "planner/control_plane.h"

namespace bp::planner {

struct MemoryControlPlaneOptions {
  std::string region = "eu-central-1";
  std::string account_id = "123456789012";
  std::string endpoint = "memory://bedrock";  // what Describe() returns
  // Appended (as foundation-model ARNs) to the models of profiles copied
  // from a system-defined profile.
  std::vector<std::string> extra_regions;
};

class MemoryControlPlane final : public ControlPlane {
 public:
  MemoryControlPlane(const catalog::Catalog& catalog, MemoryControlPlaneOptions options);
  MemoryControlPlane(const MemoryControlPlane&) = delete;
  MemoryControlPlane& operator=(const MemoryControlPlane&) = delete;

  Result<std::vector<LiveProfile>> ListApplicationProfiles() override;
  Result<std::string> Create(const CreateRequest& request) override;
  Status Delete(const std::string& arn) override;
  Status Tag(const std::string& arn, const Tags& tags) override;
  Status Untag(const std::string& arn, const std::vector<std::string>& keys) override;
  std::string Describe() const override;

  // Adds a profile as if made outside the planner (console, another tool).
  // Empty id/arn are filled in. Returns the ARN. Replaces a same-name one.
  std::string Insert(LiveProfile profile);
  // The profiles now, ordered by name.
  std::vector<LiveProfile> Profiles() const;

  // The n-th call from now (1 = the next; every method above but Describe,
  // Insert and Profiles counts) fails with `status`. With `after_effect`
  // the call takes effect first and only its answer is lost (a timeout
  // after the endpoint acted).
  void FailCall(size_t n, Status status, bool after_effect = false);
  // Calls so far, and their log ("List", "Create rd-x token=...", "Delete <arn>", ...).
  size_t calls() const;
  std::vector<std::string> log() const;
  // Profiles made by Create so far (token replays not counted).
  size_t profiles_created() const;

 private:
  struct Fault {
    Status status;
    bool after_effect = false;
  };
  struct TokenRecord {
    std::string request_digest;
    std::string arn;
  };

  // Counts the call; returns the fault planned for it, if any.
  std::optional<Fault> Count(std::string entry) BP_REQUIRES(mu_);
  Result<std::vector<std::string>> ResolveModels(const std::string& copy_from) const;
  Result<std::string> CreateLocked(const CreateRequest& request) BP_REQUIRES(mu_);
  Status DeleteLocked(const std::string& arn) BP_REQUIRES(mu_);
  Status TagLocked(const std::string& arn, const Tags& tags) BP_REQUIRES(mu_);
  Status UntagLocked(const std::string& arn, const std::vector<std::string>& keys) BP_REQUIRES(mu_);
  LiveProfile* FindByArn(const std::string& arn) BP_REQUIRES(mu_);
  std::string NextId() BP_REQUIRES(mu_);

  const catalog::Catalog& catalog_;
  const MemoryControlPlaneOptions options_;
  mutable Mutex mu_;
  std::map<std::string, LiveProfile> profiles_ BP_GUARDED_BY(mu_);  // by name
  std::map<std::string, TokenRecord> tokens_ BP_GUARDED_BY(mu_);
  std::map<size_t, Fault> faults_ BP_GUARDED_BY(mu_);  // by call number
  size_t calls_ BP_GUARDED_BY(mu_) = 0;
  size_t next_id_ BP_GUARDED_BY(mu_) = 1;
  size_t created_ BP_GUARDED_BY(mu_) = 0;
  std::vector<std::string> log_ BP_GUARDED_BY(mu_);
};

}  // namespace bp::planner
