#pragma once
// The ARN of a configured profile, found with as few rights as possible, for
// the commands consumers run (`output`, `invoke`, `policy`). Private to cli/.
//
//   * A pinned `id` on an endpoint that honours it (any but AWS's own, where
//     ids are drawn by AWS): the ARN follows from the config's region,
//     account and id, so no list call is made. GetInferenceProfile confirms
//     it when the caller may call it; AccessDenied leaves the computed ARN
//     standing (it is the id `serve` creates the profile under);
//     kResourceNotFound (the profile was made by `apply`, which cannot pin
//     ids, or not at all yet) goes on to the list below.
//   * Otherwise ListInferenceProfiles(type=APPLICATION), every page, no tag
//     calls: it needs bedrock:ListInferenceProfiles on "*" and nothing else.
//     A denial stays kAccessDenied, its message naming the grant to ask for
//     and the other ways to the ARN.

#include <string>
#include <string_view>
#include <vector>

#include "api/client/bedrock_client.h"
#include "config/config.h"
#include "core/status.h"
#include "planner/control_plane.h"

namespace bp::cli {

// False for AWS's own hosts (*.amazonaws.com, *.amazonaws.com.cn, *.api.aws),
// which draw profile ids themselves; true for a local `serve`.
bool HonoursPinnedIds(const http::Endpoint& endpoint);

// The ARN of `profile` (a profile of `config`) on the endpoint `control`
// talks to (a control-plane client). kResourceNotFound when it is not there
// (run `apply`), kAccessDenied as above.
Result<std::string> ConfiguredProfileArn(const config::ProfileConfig& profile,
                                         const config::Config& config,
                                         const api::client::BedrockClient& control);

// The message for a denied ListInferenceProfiles made to find `names`
// (configured profiles without a usable pinned id): `denial` (the service's
// "AccessDeniedException: ...") plus the statement to grant and the
// alternatives. The result keeps kAccessDenied.
Status ExplainListDenial(const Status& denial, const std::vector<std::string>& names);

}  // namespace bp::cli
