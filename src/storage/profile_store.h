#pragma once
// ProfileStore: durable application inference profiles, their tags and the
// idempotency tokens of CreateInferenceProfile. Implementations:
// storage/memory (tests), storage/sqlite (the default), storage/postgres (shared by instances).
//
// Contract for every implementation:
// - A mutating call that returns OK has committed durably: the change
//   survives kill -9 of the process that made it.
// - A failed call changes nothing (each call is one transaction).
// - Thread-safe: calls may come from any thread concurrently.
// - Errors: kResourceNotFound, kConflict, kTooManyTags as documented per
//   method; kIo for storage failures (message names the database);
//   kServiceUnavailable when a database server cannot be reached (the
//   message names it and says whether the change may have been made).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/tags.h"

namespace bp::storage {

struct ProfileRecord {
  std::string id;    // "acwt9yee9wzo"; unique
  std::string name;  // inferenceProfileName; unique
  std::optional<std::string> description;
  std::string arn;                      // full application-inference-profile ARN
  std::string source_arn;               // modelSource.copyFrom as given
  std::vector<std::string> model_arns;  // foundation-model ARNs, one per region, in order
  Tags tags;                            // the resource's tags as AWS holds them (already merged)
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;

  bool operator==(const ProfileRecord&) const = default;
};

struct CreateProfileRequest {
  ProfileRecord profile;
  // clientRequestToken; empty means none. With a token, a repeat whose
  // request_digest matches returns the original record (replayed = true);
  // a repeat with another digest is kConflict.
  std::string client_token;
  std::string request_digest;
};

struct CreateProfileOutcome {
  ProfileRecord profile;
  bool replayed = false;
};

class ProfileStore {
 public:
  virtual ~ProfileStore() = default;

  // Creates the profile. kConflict if the name or the id is taken (and the
  // call is not a replay of the same token).
  virtual Result<CreateProfileOutcome> Create(const CreateProfileRequest& request) = 0;

  // kResourceNotFound when absent.
  virtual Result<ProfileRecord> Get(std::string_view id) = 0;

  // Every profile, ordered by id.
  virtual Result<std::vector<ProfileRecord>> List() = 0;

  // kResourceNotFound when absent. Idempotency tokens of deleted profiles are
  // kept, so replaying the create of a deleted profile answers kConflict.
  virtual Status Delete(std::string_view id) = 0;

  // Sets `upsert` tags (overwriting values) and removes `remove` keys (absent
  // keys are ignored), in one transaction, bumping updated_at_ms to now_ms.
  // kTooManyTags (nothing written) if the result would hold more than
  // max_tags tags. Returns the updated record.
  virtual Result<ProfileRecord> UpdateTags(std::string_view id, const Tags& upsert,
                                           const std::vector<std::string>& remove, size_t max_tags,
                                           int64_t now_ms) = 0;
};

}  // namespace bp::storage
