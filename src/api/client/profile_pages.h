#pragma once
// ListInferenceProfiles, every page (bedrock-api.md §2): the one paging loop
// of the CLI's clients (HttpControlPlane's application profiles, `catalog
// refresh`'s system-defined ones). Public header of bp_api_client.
//
//   GET /inference-profiles?type=TYPE&maxResults=N[&nextToken=T]
//
// Thread-safety: as safe as the client.

#include <cstdint>
#include <string_view>

#include "api/client/bedrock_client.h"
#include "core/status.h"
#include "json/json.h"

namespace bp::api::client {

struct ProfilePagesOptions {
  int32_t page_size = 100;   // maxResults of each page (clamped to 1..1000)
  int32_t max_pages = 1000;  // pages followed at most (at least 1)
};

// The inferenceProfileSummaries entries of every page, in order, unparsed.
// Errors: the service's and the transport's as `client` reports them;
// kServiceUnavailable for an endpoint that repeats a nextToken, sends more
// than max_pages pages, or answers without the documented shape ("malformed
// ListInferenceProfiles answer from URL: $.nextToken: ...").
Result<json::Array> ListProfileSummaries(const BedrockClient& client, std::string_view type,
                                         const ProfilePagesOptions& options = {});

}  // namespace bp::api::client
