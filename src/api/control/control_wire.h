#pragma once
// The restJson1 wire shapes of the control-plane operations
// (bedrock-api.md §2): request bodies and query strings in, response bodies
// out. Private to bp_api_control (used by control_routes.cc and its tests).
//
// Parsing is strict: the body must be a JSON object, unknown members are
// kValidation naming the member, a member of the wrong JSON type is
// kValidation naming the member and both types, a missing required member is
// AWS's "Value null at '<member>' ... Member must not be null". Constraint
// checks (lengths, patterns) are ControlService's.
//
// Output omits absent optionals and writes timestamps as RFC 3339 strings.
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "api/control/control_service.h"
#include "core/status.h"
#include "core/tags.h"
#include "json/json.h"

namespace bp::api::control::wire {

Result<CreateInput> ParseCreateRequest(std::string_view body);

struct TagRequest {
  std::string resource_arn;
  std::vector<Tag> tags;
};
Result<TagRequest> ParseTagRequest(std::string_view body);

struct UntagRequest {
  std::string resource_arn;
  std::vector<std::string> tag_keys;
};
Result<UntagRequest> ParseUntagRequest(std::string_view body);

// {"resourceARN": "..."}; returns the ARN.
Result<std::string> ParseListTagsRequest(std::string_view body);

// Query strings (raw, as after '?'). Unknown parameters are ignored (presigned
// requests carry X-Amz-*); for a repeated parameter the first one counts.
Result<ListInput> ParseListProfilesQuery(std::string_view raw_query);
Result<ModelFilter> ParseModelFilterQuery(std::string_view raw_query);

json::Object ProfileJson(const InferenceProfile& profile);
json::Object ListProfilesJson(const ListPage& page);
json::Object TagsJson(const Tags& tags);  // {"tags":[{"key":..,"value":..}]}
json::Object ModelJson(const FoundationModelInfo& model);

}  // namespace bp::api::control::wire
