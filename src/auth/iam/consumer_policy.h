#pragma once
// The consumer policy of the seed's Consumer Guide (bedrock-inference-
// profiles.txt, "Required IAM policy"): what a calling role needs to invoke
// Bedrock through one inference profile. Public header of bp_auth_iam.
//
// Two Allow statements, both for bedrock:InvokeModel and
// bedrock:InvokeModelWithResponseStream:
//   InvokeBedrockProfile   on the profile ARN;
//   InvokeFoundationModel  on arn:<partition>:bedrock:*::foundation-model/<id>
// (every region: a cross-region profile routes to several, auth.md §4).

#include <string>
#include <string_view>

#include "core/status.h"

namespace bp::auth::iam {

// Returns the policy as pretty JSON (two-space indent, members in the seed's
// order, trailing newline). Errors (kValidation): `profile_arn` is not a
// Bedrock application or system inference-profile ARN without wildcards, or
// `model_id` is empty or has characters outside [A-Za-z0-9._:-].
Result<std::string> ConsumerPolicyJson(std::string_view profile_arn, std::string_view model_id);

}  // namespace bp::auth::iam
