#pragma once
// `output`: the seed's `inference_profile_arns` output, read from the live
// profiles, in the forms `terraform output` prints. Public header of
// bp_planner.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "planner/control_plane.h"

namespace bp::planner {

inline constexpr std::string_view kOutputName = "inference_profile_arns";

using OutputMap = std::map<std::string, std::string, std::less<>>;  // profile name -> ARN

struct Outputs {
  OutputMap arns;                    // configured profiles that exist live
  std::vector<std::string> missing;  // configured but not live (not applied yet), sorted
};

// The configured profiles' ARNs as the endpoint reports them. Live profiles
// the config does not name are left out, like resources outside Terraform's
// state.
Outputs CollectOutputs(const config::Config& config, const std::vector<LiveProfile>& live);

// `terraform output`:
//   inference_profile_arns = {
//     "rd-haiku-45" = "arn:aws:bedrock:..."
//   }
// ("inference_profile_arns = {}" when empty), with a final newline.
std::string RenderOutputsText(const OutputMap& arns);

// `terraform output -json`: {"inference_profile_arns": {"sensitive": false,
// "type": ["object", {"rd-haiku-45": "string"}], "value": {...}}}, indented
// two spaces, with a final newline.
std::string RenderOutputsJson(const OutputMap& arns);

// A name that is not a profile of `config`: kResourceNotFound naming the
// config file and the configured profiles (`output NAME`, `invoke NAME`).
Status NotConfiguredError(const config::Config& config, std::string_view name);

// `output NAME --json`: the ARN as a JSON string with a final newline.
std::string RenderOutputArnJson(std::string_view arn);

}  // namespace bp::planner
