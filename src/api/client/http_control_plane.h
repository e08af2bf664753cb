#pragma once
// planner::ControlPlane over the Bedrock control-plane API (bedrock-api.md
// §2), for any endpoint: real AWS over https with SigV4, or the local
// `serve`. The requests are exactly those of the AWS SDK (restJson1):
//
//   ListApplicationProfiles  GET  /inference-profiles?type=APPLICATION&maxResults=N[&nextToken=T]
//                                 (every page), then per profile
//                            POST /listTagsForResource   {"resourceARN"}
//   ListApplicationSummaries the same pages, no tag calls
//   GetApplicationProfile    GET  /inference-profiles/{UriEncode(id or arn)}
//   Create                   POST /inference-profiles    {"inferenceProfileName", "description"?,
//                                 "clientRequestToken", "modelSource":{"copyFrom"}, "tags"?}
//   Delete                   DELETE /inference-profiles/{UriEncode(arn)}
//   Tag                      POST /tagResource           {"resourceARN", "tags":[{"key","value"}]}
//   Untag                    POST /untagResource         {"resourceARN", "tagKeys":[...]}
//
// Reads, deletes and tagging are idempotent and retried on throttling, 5xx
// and connection failures (BedrockClient); a create is retried only when it
// carries a clientRequestToken (otherwise only when throttled or never
// sent). Tag and Untag with nothing to change send nothing.
//
// Errors: the service's own as "<Type>: <message>" with the matching code
// (client/service_error.h), so a profile deleted meanwhile is
// kResourceNotFound; transport failures as http::Client reports them; an
// answer that does not have the documented shape is kServiceUnavailable
// naming the operation, the endpoint and the offending member
// ("malformed ListInferenceProfiles answer from https://...:
// $.inferenceProfileSummaries[1].inferenceProfileArn is required").
// A profile that disappears between the list and its ListTagsForResource is
// left out of the result.
//
// Public header of bp_api_client. Thread-safety: as safe as the client
// (calls may run concurrently).

#include <cstdint>
#include <string>
#include <vector>

#include "api/client/bedrock_client.h"
#include "core/status.h"
#include "core/tags.h"
#include "planner/control_plane.h"

namespace bp::api::client {

struct HttpControlPlaneOptions {
  // maxResults of each ListInferenceProfiles page (1..1000).
  int32_t page_size = 100;
  // Pages followed at most; an endpoint that keeps sending new tokens past
  // this is an error, as is one that repeats a token.
  int32_t max_pages = 1000;
};

class HttpControlPlane final : public planner::ControlPlane {
 public:
  // `client` (built for Plane::kControl) must outlive this object.
  explicit HttpControlPlane(const BedrockClient& client, HttpControlPlaneOptions options = {});

  Result<std::vector<planner::LiveProfile>> ListApplicationProfiles() override;
  // ListInferenceProfiles(type=APPLICATION), every page, without the tag
  // calls: all that `output` and `invoke` need, so a consumer holding only
  // bedrock:ListInferenceProfiles can use it. In the endpoint's order; tags empty.
  Result<std::vector<planner::LiveProfile>> ListApplicationSummaries() const;
  // GetInferenceProfile of an application profile's id or ARN (tags empty).
  // A system-defined profile is kValidation.
  Result<planner::LiveProfile> GetApplicationProfile(const std::string& identifier) const;
  Result<std::string> Create(const planner::CreateRequest& request) override;
  Status Delete(const std::string& arn) override;
  Status Tag(const std::string& arn, const Tags& tags) override;
  Status Untag(const std::string& arn, const std::vector<std::string>& keys) override;
  std::string Describe() const override;

 private:
  Result<Tags> ListTags(const std::string& arn) const;
  Status Malformed(std::string_view operation, const Status& why) const;

  const BedrockClient& client_;
  const HttpControlPlaneOptions options_;
};

}  // namespace bp::api::client
