#include "planner/apply.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "planner/render.h"
#include "planner/state.h"

namespace bp::planner {

namespace {

using internal::Step;
using internal::StepKind;

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Status CheckApprovals(const Plan& plan, std::string_view plan_path) {
  std::vector<std::string> approvers = Approvers(plan);
  if (approvers.size() >= plan.required_approvals) return Status::Ok();
  std::string have = approvers.empty() ? "has none"
                                       : "has " + std::to_string(approvers.size()) + " (" +
                                             JoinNames(approvers) + ")";
  return ValidationError("the plan needs " +
                         Plural(plan.required_approvals, "approval", "approvals") + " and " + have +
                         "; someone other than '" + plan.planned_by + "' (who made it) must run `" +
                         ApproveCommandHint(plan_path) + "`");
}

Status CheckAutoApprove(const config::Config& config, const Plan& hint,
                        std::string_view plan_path) {
  if (config.required_approvals == 0 || config.allow_auto_approve) return Status::Ok();
  const std::string required = std::to_string(config.required_approvals);
  return ValidationError("--auto-approve is refused: " + config.source + " requires " +
                         Plural(config.required_approvals, "approval", "approvals") +
                         " of every plan (approvals = { required = " + required +
                         " }), and --auto-approve would apply changes nobody reviewed.\n"
                         "Make a plan, have someone other than you approve it, then apply it:\n  " +
                         PlanCommandHint(hint, plan_path) + "\n  " + ApproveCommandHint(plan_path) +
                         "\n  " + ApplyCommandHint(hint, plan_path) +
                         "\nTo allow unreviewed applies anyway, set approvals = { required = " +
                         required + ", allow_auto_approve = true } in " + config.source + ".");
}

namespace {

Status CheckStateNames(const std::vector<LiveProfile>& live) {
  std::set<std::string_view> names;
  for (const LiveProfile& p : live) {
    if (!names.insert(p.name).second) {
      return ValidationError("the endpoint reported two application inference profiles named '" +
                             p.name + "'; names must be unique");
    }
  }
  return Status::Ok();
}

// The largest k such that the live state is the state after k steps.
Result<size_t> FindResumePoint(const Plan& plan, const std::vector<Step>& steps,
                               const std::vector<LiveProfile>& live, std::string_view plan_path) {
  if (StateFingerprint(live) == plan.state_fingerprint) return size_t{0};
  std::vector<internal::ExpectedState> states = internal::PredictStates(plan, steps);
  for (size_t k = states.size(); k-- > 0;) {
    if (internal::Matches(states[k], live)) return k;
  }
  std::string lines;
  for (const std::string& line : internal::Differences(states.front(), live, 8)) {
    lines += "\n  " + line;
  }
  return ValidationError("the live profiles at " + plan.endpoint +
                         " changed since the plan was made, and not by an earlier run of this "
                         "plan; make a new plan: `" +
                         PlanCommandHint(plan, plan_path) +
                         "`. What differs from the plan:" + lines);
}

class Runner {
 public:
  Runner(const Plan& plan, ControlPlane& control_plane, const ApplyOptions& options,
         std::vector<Step> steps, const std::vector<LiveProfile>& live)
      : plan_(plan), cp_(control_plane), options_(options), steps_(std::move(steps)) {
    for (const LiveProfile& p : live) arns_.insert_or_assign(p.name, p.arn);
  }

  // Runs the steps from `first`; the report's counts fill in as actions end.
  Status Run(size_t first, ApplyReport& report) {
    size_t s = first;
    bool continuing = s > 0 && s < steps_.size() && steps_[s - 1].action == steps_[s].action;
    while (s < steps_.size()) {
      const size_t index = steps_[s].action;
      if (!continuing && options_.should_stop && options_.should_stop()) {
        report.interrupted = true;
        return Status::Ok();
      }
      continuing = false;
      const Action& action = plan_.actions[index];
      if (options_.observer) options_.observer->OnStart(action, index, plan_.actions.size());
      std::string arn;
      for (; s < steps_.size() && steps_[s].action == index; ++s) {
        Status status = RunStep(steps_[s], action, arn);
        if (!status.ok()) return Failed(action, index, steps_[s], status, report);
      }
      if (arn.empty() && action.kind != ActionKind::kDestroy) arn = ArnOf(action.name);
      if (options_.observer) options_.observer->OnDone(action, index, Status::Ok(), arn);
      Count(action, arn, report);
    }
    return Status::Ok();
  }

 private:
  std::string ArnOf(const std::string& name) const {
    auto it = arns_.find(name);
    return it == arns_.end() ? std::string() : it->second;
  }

  Result<std::string> TargetArn(const Action& action) const {
    std::string arn = ArnOf(action.name);
    if (arn.empty()) {
      return NotFoundError("profile '" + action.name + "' is no longer at " + plan_.endpoint);
    }
    return arn;
  }

  Status RunStep(const Step& step, const Action& action, std::string& new_arn) {
    switch (step.kind) {
      case StepKind::kCreate: {
        CreateRequest request{
            .name = action.name,
            .description = action.after->description,
            .copy_from = action.after->copy_from,
            .tags = action.after->tags,
            .client_request_token = ClientRequestToken(plan_.plan_digest, step.action)};
        BP_ASSIGN_OR_RETURN(new_arn, cp_.Create(request));
        arns_.insert_or_assign(action.name, new_arn);
        return Status::Ok();
      }
      case StepKind::kTag: {
        BP_ASSIGN_OR_RETURN(std::string arn, TargetArn(action));
        return cp_.Tag(arn, TagUpserts(action.tag_changes));
      }
      case StepKind::kUntag: {
        BP_ASSIGN_OR_RETURN(std::string arn, TargetArn(action));
        return cp_.Untag(arn, TagRemovals(action.tag_changes));
      }
      case StepKind::kDelete: {
        BP_ASSIGN_OR_RETURN(std::string arn, TargetArn(action));
        BP_RETURN_IF_ERROR(cp_.Delete(arn));
        arns_.erase(action.name);
        return Status::Ok();
      }
    }
    return InternalError("unknown step");
  }

  Status Failed(const Action& action, size_t index, const Step& step, const Status& status,
                const ApplyReport& report) {
    if (options_.observer) options_.observer->OnDone(action, index, status, "");
    std::string partly;
    if (step.kind == StepKind::kCreate && action.kind == ActionKind::kReplace) {
      partly = " The old profile is already deleted; the new one is not created yet.";
    } else if (step.kind == StepKind::kUntag) {
      partly = " Its tags are added or changed; the removals are not done yet.";
    }
    const size_t done = report.already_applied + report.applied;
    return Status(status.code(),
                  action.name + ": " + std::string(ActionKindName(action.kind)) +
                      " failed: " + std::string(ErrorCodeName(status.code())) + ": " +
                      status.message() + "." + partly + " " + std::to_string(done) + " of " +
                      Plural(plan_.actions.size(), "action was", "actions were") +
                      " applied before it; the live state is consistent. Apply this plan again "
                      "to continue from here (`" +
                      ApplyCommandHint(plan_, options_.plan_path) +
                      "`), or run plan to see what remains.");
  }

  static void Count(const Action& action, const std::string& arn, ApplyReport& report) {
    ++report.applied;
    switch (action.kind) {
      case ActionKind::kCreate:
        ++report.added;
        report.created_arns.insert_or_assign(action.name, arn);
        break;
      case ActionKind::kUpdate:
        ++report.changed;
        break;
      case ActionKind::kReplace:
        ++report.replaced;
        report.created_arns.insert_or_assign(action.name, arn);
        break;
      case ActionKind::kDestroy:
        ++report.destroyed;
        break;
    }
  }

  const Plan& plan_;
  ControlPlane& cp_;
  const ApplyOptions& options_;
  const std::vector<Step> steps_;
  std::map<std::string, std::string, std::less<>> arns_;  // name -> ARN now
};

}  // namespace

std::string ApplyReport::Summary() const {
  if (interrupted) {
    return "Apply interrupted after " + std::to_string(already_applied + applied) + " of " +
           Plural(total, "action", "actions") +
           "; the live profiles are consistent. Apply this plan again to finish it, or run "
           "plan to see what remains.";
  }
  std::string summary = "Apply complete! Profiles: " + std::to_string(added) + " added, " +
                        std::to_string(changed) + " changed, " + std::to_string(replaced) +
                        " replaced, " + std::to_string(destroyed) + " destroyed.";
  if (already_applied > 0) {
    summary += " (" + Plural(already_applied, "action was", "actions were") +
               " already applied by an earlier run.)";
  }
  return summary;
}

Result<ApplyReport> Apply(const Plan& plan, ControlPlane& control_plane,
                          const ApplyOptions& options) {
  BP_RETURN_IF_ERROR(VerifyPlan(plan));
  const std::string endpoint = control_plane.Describe();
  if (endpoint != plan.endpoint) {
    return ValidationError("the plan was made against " + plan.endpoint +
                           ", but this apply talks to " + endpoint + "; make a new plan against " +
                           endpoint);
  }
  ApplyReport report;
  report.total = plan.actions.size();
  if (!plan.HasChanges()) return report;
  if (!options.auto_approved) BP_RETURN_IF_ERROR(CheckApprovals(plan, options.plan_path));
  if (ConfigDigest(options.config_text) != plan.config_digest) {
    return ValidationError("the config (" + plan.config_source +
                           ") changed since the plan was made; make a new plan: `" +
                           PlanCommandHint(plan, options.plan_path) + "`");
  }
  Result<std::vector<LiveProfile>> live = control_plane.ListApplicationProfiles();
  if (!live.ok()) {
    return Status(live.status().code(), "listing the application inference profiles at " +
                                            endpoint + " failed: " + live.status().message());
  }
  BP_RETURN_IF_ERROR(CheckStateNames(*live));
  std::vector<Step> steps = internal::StepsOf(plan);
  BP_ASSIGN_OR_RETURN(size_t resume, FindResumePoint(plan, steps, *live, options.plan_path));
  if (resume > 0) {
    const bool partial = resume < steps.size() && steps[resume - 1].action == steps[resume].action;
    report.already_applied = resume < steps.size() ? steps[resume].action : plan.actions.size();
    if (options.observer) {
      options.observer->OnResume(report.already_applied, report.total, partial);
    }
  }
  Runner runner(plan, control_plane, options, std::move(steps), *live);
  BP_RETURN_IF_ERROR(runner.Run(resume, report));
  return report;
}

}  // namespace bp::planner
