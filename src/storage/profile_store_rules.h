#pragma once
// Rules that every ProfileStore implementation applies the same way, so the
// memory, SQLite and PostgreSQL stores answer with the same codes and
// the same messages. Pure functions over values; no I/O; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/tags.h"
#include "storage/profile_store.h"

namespace bp::storage {

// kValidation unless `request` can be stored: the profile has a non-empty id,
// name and arn; no model ARN and no tag key is empty. The store does not
// check ARN syntax or naming rules: the control plane did that already.
Status ValidateCreateRequest(const CreateProfileRequest& request);

// The tag set UpdateTags leaves: `current` with every `upsert` pair set, then
// every `remove` key erased (a key in both ends up removed; absent keys are
// ignored). kTooManyTags if the result holds more than `max_tags` tags.
Result<Tags> ApplyTagChanges(const Tags& current, const Tags& upsert,
                             const std::vector<std::string>& remove, size_t max_tags);

// Decides a Create whose client token is already on record with
// `stored_digest`: OK means "replay the profile the token created";
// kConflict when the request digest differs.
Status CheckTokenReuse(const CreateProfileRequest& request, std::string_view stored_digest);

// The errors the interface documents, worded once.
Status ProfileNotFoundError(std::string_view id);
Status NameTakenError(std::string_view name);
Status IdTakenError(std::string_view id);
// The token created `profile_id`, which has since been deleted.
Status TokenOfDeletedProfileError(std::string_view token, std::string_view profile_id);

}  // namespace bp::storage
