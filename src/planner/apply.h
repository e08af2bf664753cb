#pragma once
// Apply: runs exactly a plan's actions against a control plane, safely.
// Public header of bp_planner.
//
// Before any call that changes something, Apply refuses (kValidation):
// - a plan that fails VerifyPlan (changed since it was made);
// - a plan made against another endpoint than `control_plane.Describe()`;
// - fewer distinct approvals than plan.required_approvals, unless
//   options.auto_approved (the message says how many and who approved);
// - a config whose text no longer has the plan's config_digest;
// - a stale plan: the live profiles match neither the state the plan saw
//   nor the state after any prefix of its steps (the message lists what
//   differs). When they match the state after some prefix, that prefix was
//   applied by an earlier, interrupted run and Apply resumes after it.
//
// Then each remaining action runs in plan order (creates, tag updates,
// replaces, destroys). A replace deletes the old profile, then creates the
// new one (names are unique). Tag/Untag/Delete act on the ARN the endpoint
// reports for the name now (a profile recreated with the same attributes
// since the plan is still the right target). Every create sends
// ClientRequestToken(plan_digest, action index), so a retry or resume never
// creates twice.
//
// should_stop() is consulted before each action starts: once it returns true
// the run ends between actions, every started action complete, and the
// report says so (interrupted). A failed call ends the run with its error
// code and a message naming the action, how many actions were applied, and
// what to do next; the live state is then at a step boundary, so applying
// the same plan again resumes from there. Apply never retries by itself:
// retries with backoff belong to the ControlPlane implementation.
// A plan without actions is done at once: nothing is listed or checked
// beyond VerifyPlan and the endpoint.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "planner/control_plane.h"
#include "planner/plan.h"

namespace bp::planner {

// Progress callbacks, on the thread that called Apply. Default: nothing.
class ApplyObserver {
 public:
  virtual ~ApplyObserver() = default;
  // Once, before any action, when an earlier run already applied a prefix.
  // `partial` is true when the next action was itself half done (e.g. the
  // old profile of a replace already deleted).
  virtual void OnResume(size_t /*already_applied*/, size_t /*total*/, bool /*partial*/) {}
  virtual void OnStart(const Action& /*action*/, size_t /*index*/, size_t /*total*/) {}
  // `arn` is the profile's ARN after the action (the new one for create and
  // replace), empty for destroy and on failure.
  virtual void OnDone(const Action& /*action*/, size_t /*index*/, const Status& /*status*/,
                      std::string_view /*arn*/) {}
};

// OK when the plan has its required approvals; else kValidation saying how
// many it has and the `approve` command to run (`plan_path` in it).
Status CheckApprovals(const Plan& plan, std::string_view plan_path);

// `apply --auto-approve` plans and applies with nobody's review: OK when the
// config requires no approval (approvals.required = 0) or allows it
// (approvals.allow_auto_approve = true); else kValidation naming that
// setting and the reviewed flow as commands to paste: plan (with `hint`'s
// config_source, endpoint and principal) -> approve -> apply, `plan_path`
// being the plan file they use. Needs no credentials and no network, so
// `apply` checks it first.
Status CheckAutoApprove(const config::Config& config, const Plan& hint, std::string_view plan_path);

struct ApplyOptions {
  // The config file's current text; its digest must equal plan.config_digest.
  std::string_view config_text;
  // The plan file's path, for the commands that messages suggest ("" with
  // --auto-approve).
  std::string_view plan_path;
  // `apply --auto-approve`: the person applying approves by running it.
  bool auto_approved = false;
  ApplyObserver* observer = nullptr;  // not owned; may be null
  std::function<bool()> should_stop;  // may be empty (never stop)
};

struct ApplyReport {
  size_t total = 0;                                            // actions in the plan
  size_t already_applied = 0;                                  // done by an earlier run (resume)
  size_t applied = 0;                                          // completed by this run
  size_t added = 0, changed = 0, replaced = 0, destroyed = 0;  // of `applied`, by kind
  bool interrupted = false;  // should_stop() ended the run between actions
  std::map<std::string, std::string, std::less<>> created_arns;  // name -> new ARN

  // "Apply complete! Profiles: 1 added, 0 changed, 0 replaced, 0 destroyed."
  // or, when interrupted, how many ran and what to do next.
  std::string Summary() const;
};

Result<ApplyReport> Apply(const Plan& plan, ControlPlane& control_plane,
                          const ApplyOptions& options);

}  // namespace bp::planner
