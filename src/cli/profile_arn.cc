#include "cli/profile_arn.h"

#include <algorithm>

#include "api/client/http_control_plane.h"
#include "core/arn.h"

namespace bp::cli {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

bool HonoursPinnedIds(const http::Endpoint& endpoint) {
  std::string host = Lower(endpoint.host);
  while (!host.empty() && host.back() == '.')
    host.pop_back();  // "bedrock.eu-west-1.amazonaws.com."
  for (std::string_view aws : {"amazonaws.com", "amazonaws.com.cn", "api.aws"}) {
    if (host == aws || EndsWith(host, "." + std::string(aws))) return false;
  }
  return true;
}

Status ExplainListDenial(const Status& denial, const std::vector<std::string>& names) {
  std::string quoted;
  for (const std::string& name : names) {
    if (!quoted.empty()) quoted += ", ";
    quoted += "'" + name + "'";
  }
  std::string first = names.empty() ? "NAME" : names.front();
  return Status(ErrorCode::kAccessDenied,
                "finding the ARN of " + quoted +
                    " needs bedrock:ListInferenceProfiles, which was denied:\n  " +
                    denial.message() +
                    "\nWays to the ARN:\n"
                    "  * ask for this statement in your policy (it reveals profile names and ARNs, "
                    "nothing else):\n"
                    "      { \"Effect\": \"Allow\", \"Action\": \"bedrock:ListInferenceProfiles\", "
                    "\"Resource\": \"*\" }\n"
                    "  * pin the profile's id in the config (inference_profiles." +
                    first +
                    ".id; honoured by a local `serve`, not by AWS), so no lookup is needed\n"
                    "  * ask a platform engineer for it: bedrock-profiles output " +
                    first);
}

Result<std::string> ConfiguredProfileArn(const config::ProfileConfig& profile,
                                         const config::Config& config,
                                         const api::client::BedrockClient& control) {
  api::client::HttpControlPlane endpoint(control);
  if (profile.id && HonoursPinnedIds(control.endpoint())) {
    std::string arn = ApplicationProfileArn(config.region, config.account_id, *profile.id);
    Result<planner::LiveProfile> live = endpoint.GetApplicationProfile(arn);
    if (live.ok()) {
      if (live->name != profile.name) {
        return Status(ErrorCode::kConflict, "the id '" + *profile.id + "' pinned for profile '" +
                                                profile.name + "' belongs to profile '" +
                                                live->name + "' on " + control.Describe());
      }
      return live->arn;
    }
    if (live.status().code() == ErrorCode::kAccessDenied) return arn;  // may not look: computed
    // Not under its pinned id: `apply` (CreateInferenceProfile) draws a fresh
    // one; only `serve`'s bootstrap creates profiles under pinned ids.
    if (live.status().code() != ErrorCode::kResourceNotFound) return live.status();
  }
  Result<std::vector<planner::LiveProfile>> live = endpoint.ListApplicationSummaries();
  if (!live.ok()) {
    if (live.status().code() == ErrorCode::kAccessDenied) {
      return ExplainListDenial(live.status(), {profile.name});
    }
    return live.status();
  }
  for (const planner::LiveProfile& p : *live) {
    if (p.name == profile.name) return p.arn;
  }
  return NotFoundError("profile '" + profile.name + "' is not on " + control.Describe() +
                       " yet; a platform engineer creates it with plan and apply");
}

}  // namespace bp::cli
