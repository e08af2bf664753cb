#pragma once
// Helpers shared by the ControlService source files. Private to bp_api_control.
// Pure functions over values; thread-safe.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/control/control_service.h"
#include "catalog/catalog.h"
#include "core/status.h"
#include "core/tags.h"
#include "storage/profile_store.h"

namespace bp::api::control {

// What an inference-profile identifier names: a system-defined profile of the
// catalog (`system` set), or an application profile id to look up.
struct ProfileRef {
  std::string id;
  const catalog::SystemProfile* system = nullptr;
};

// Validates `identifier` (1-2048, kProfileIdentifierPattern, member
// 'inferenceProfileIdentifier') and resolves it: a bare system-defined id or
// one of its ARNs; otherwise an application id (bare, or the id of an
// application ARN). ARNs of another partition, region or account, and
// system-defined ids the catalog does not know, are kResourceNotFound.
Result<ProfileRef> ResolveProfile(std::string_view identifier,
                                  const ControlService::Options& options,
                                  const catalog::Catalog& catalog);

// kResourceNotFound naming the identifier the caller gave.
Status ProfileNotFound(std::string_view identifier);

// The Get/List view of a stored application profile.
InferenceProfile ToProfile(const storage::ProfileRecord& record);

// Stable digest (hex) of a create request's normalised parameters, for
// idempotency: equal iff name, description, source and tags are equal.
std::string RequestDigest(std::string_view name, const std::optional<std::string>& description,
                          std::string_view copy_from, const Tags& own_tags);

// A validated ListInferenceProfiles request.
struct ListQuery {
  ProfileType type = ProfileType::kSystemDefined;
  size_t max_results = 100;
  std::optional<std::string> after_id;  // from the next token
};

Result<ListQuery> ValidateListInput(const ListInput& input, int64_t default_max_results);

// One page of `all` (sorted here by id) after `query.after_id`, with a next
// token when items remain.
ListPage Paginate(std::vector<InferenceProfile> all, const ListQuery& query);

// The opaque next token: base64url of "v1\n<TYPE>\n<last id>". Exposed for tests.
std::string EncodeNextToken(ProfileType type, std::string_view last_id);
// kValidation "Invalid nextToken" unless `token` was made by EncodeNextToken
// for `type`; returns the last id.
Result<std::string> DecodeNextToken(std::string_view token, ProfileType type);

}  // namespace bp::api::control
