#include "api/client/profile_pages.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "core/uri.h"

namespace bp::api::client {

namespace {

constexpr std::string_view kListOp = "ListInferenceProfiles";

Status GiveUp(const BedrockClient& client, std::string_view why) {
  return Status(ErrorCode::kServiceUnavailable, std::string(kListOp) + " on " + client.Describe() +
                                                    " " + std::string(why) + "; giving up");
}

}  // namespace

Result<json::Array> ListProfileSummaries(const BedrockClient& client, std::string_view type,
                                         const ProfilePagesOptions& options) {
  const int32_t page_size = std::clamp(options.page_size, 1, 1000);
  const int32_t max_pages = std::max(options.max_pages, 1);
  json::Array summaries;
  std::set<std::string> tokens_seen;
  std::string token;
  for (int32_t pages = 0;; ++pages) {
    if (pages == max_pages) {
      return GiveUp(client, "sent more than " + std::to_string(max_pages) + " pages");
    }
    std::string query = "type=" + std::string(type) + "&maxResults=" + std::to_string(page_size);
    if (!token.empty()) query += "&nextToken=" + UriEncode(token);
    BP_ASSIGN_OR_RETURN(json::Value page,
                        client.SendJson(Call{.method = "GET",
                                             .path = "/inference-profiles",
                                             .query = std::move(query),
                                             .body = "",
                                             .idempotency = http::Idempotency::kByMethod}));
    auto next = [&]() -> Result<std::string> {
      BP_ASSIGN_OR_RETURN(const json::Object* obj, json::RequireObject(page, "$"));
      BP_ASSIGN_OR_RETURN(const json::Array* items,
                          json::OptionalArray(*obj, "inferenceProfileSummaries", "$"));
      if (items != nullptr) summaries.insert(summaries.end(), items->begin(), items->end());
      BP_ASSIGN_OR_RETURN(std::optional<std::string> t,
                          json::OptionalString(*obj, "nextToken", "$"));
      return t.value_or("");
    }();
    if (!next.ok()) {
      return Status(ErrorCode::kServiceUnavailable, "malformed " + std::string(kListOp) +
                                                        " answer from " + client.Describe() + ": " +
                                                        next.status().message());
    }
    token = std::move(*next);
    if (token.empty()) return summaries;
    if (!tokens_seen.insert(token).second) return GiveUp(client, "repeated a nextToken");
  }
}

}  // namespace bp::api::client
