#pragma once
// Human-readable plans and apply progress, in the style of `terraform plan`
// and `terraform apply`. Deterministic (actions in plan order, attributes and
// tags sorted), plain text, no colours. Public header of bp_planner.
//
// Render(plan):
//
//   Endpoint: http://127.0.0.1:8700
//   Config:   bedrock-profiles.hcl
//
//   bedrock-profiles will perform the following actions:
//
//     # rd-haiku-45 will be created
//     + rd-haiku-45
//         + model_arn   = "arn:aws:bedrock:...:inference-profile/eu.anthropic..."
//         + description = "Claude Haiku 4.5 for research"
//         + models      = [ ... ]
//         + tags        = { ... }
//         + arn         = (known after apply)
//
//     # rd-sonnet-4 will be updated in place
//     ~ rd-sonnet-4
//           arn               = "arn:...:application-inference-profile/tkxdfdh17c6o"
//         ~ tags.billing-mode = "standard" -> "rd"
//
//     # rd-x must be replaced ...          (-/+ with "# forces replacement")
//     # rd-y will be destroyed             (  - with the old attributes)
//
//   Unmanaged profiles (left alone):
//     rd-manual  arn:...
//
//   Plan: 1 to add, 1 to change, 0 to replace, 0 to destroy.
//
// The last line is "No changes. The live profiles match the configuration."
// for a plan without actions. Tag keys that are not [A-Za-z0-9_-]+ show as
// tags["key"]; strings are quoted with \" \\ \n \t and \xNN escapes.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"
#include "planner/plan.h"

namespace bp::planner {

std::string Render(const Plan& plan);

// "Plan: 1 to add, 0 to change, 0 to replace, 0 to destroy." or the
// no-changes sentence (the last line of Render).
std::string RenderSummaryLine(const Plan& plan);

// The next commands, with the flags they need, ready to paste. `plan_path`
// may be empty (a placeholder PLAN is printed then).
//   "bedrock-profiles plan --config F --endpoint URL --principal P --out PATH"
//   "bedrock-profiles approve PATH"   (the approver's login name is recorded)
//   "bedrock-profiles apply PATH --principal P"
// --config is left out for the built-in config, --principal when the plan was
// signed by the AWS credential chain (apply reads the endpoint and config
// from the plan file).
std::string PlanCommandHint(const Plan& plan, std::string_view plan_path);
std::string ApproveCommandHint(std::string_view plan_path);
std::string ApplyCommandHint(const Plan& plan, std::string_view plan_path);

// Apply progress lines (no trailing newline):
//   "rd-x: Creating..."                   "rd-x: Creation complete [arn=...]"
//   "rd-x: Modifying... [arn=...]"        "rd-x: Modifications complete [arn=...]"
//   "rd-x: Replacing... [arn=...]"        "rd-x: Replacement complete [arn=...]"
//   "rd-x: Destroying... [arn=...]"       "rd-x: Destruction complete"
//   failure: "rd-x: Error: Conflict: <message>"
std::string RenderActionStart(const Action& action);
std::string RenderActionDone(const Action& action, const Status& status, std::string_view arn);
// "Resuming: 2 of 5 actions were already applied by an earlier run."
std::string RenderResume(size_t already_applied, size_t total, bool partial);

}  // namespace bp::planner
