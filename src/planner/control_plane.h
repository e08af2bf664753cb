#pragma once
// The Bedrock control plane as the planner sees it: just what plan and apply
// need, over any endpoint (the local `serve`, real AWS). Implemented over
// HTTP by api/client/http_control_plane.h; tests use an in-memory fake.
// Public header of bp_planner.

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tags.h"

namespace bp::planner {

// An application inference profile as the endpoint reports it.
struct LiveProfile {
  std::string name;
  std::string id;
  std::string arn;
  std::optional<std::string> description;
  std::vector<std::string> model_arns;  // foundation-model ARNs ("models"), in the order given
  Tags tags;                            // ListTagsForResource
  bool operator==(const LiveProfile&) const = default;
};

struct CreateRequest {
  std::string name;
  std::optional<std::string> description;
  std::string copy_from;             // modelSource.copyFrom: the config's model_arn
  Tags tags;                         // the complete set to put on the resource
  std::string client_request_token;  // deterministic per plan action (idempotent retries)
};

class ControlPlane {
 public:
  virtual ~ControlPlane() = default;
  // Every APPLICATION profile with its tags (ListInferenceProfiles pages, then
  // ListTagsForResource per profile), ordered by name.
  virtual Result<std::vector<LiveProfile>> ListApplicationProfiles() = 0;
  // CreateInferenceProfile; returns the new profile's ARN.
  virtual Result<std::string> Create(const CreateRequest& request) = 0;
  virtual Status Delete(const std::string& arn) = 0;
  virtual Status Tag(const std::string& arn, const Tags& tags) = 0;
  virtual Status Untag(const std::string& arn, const std::vector<std::string>& keys) = 0;
  // For messages: "http://127.0.0.1:8700" or "https://bedrock.eu-central-1.amazonaws.com".
  virtual std::string Describe() const = 0;
};

}  // namespace bp::planner
