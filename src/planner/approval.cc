// Plan integrity and approvals.
#include <algorithm>
#include <cctype>
#include <set>

#include "planner/plan.h"

namespace bp::planner {

namespace {

std::string Trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Approver names compare trimmed and ASCII case-insensitively: "Alice" and
// "alice " are one person.
std::string PersonKey(std::string_view name) {
  std::string key = Trimmed(name);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return key;
}

Status CheckApproverName(std::string_view by) {
  if (by.empty()) return ValidationError("an approval needs the approver's name (--by NAME)");
  if (by.size() > 128) return ValidationError("the approver's name is longer than 128 characters");
  for (char c : by) {
    if (std::iscntrl(static_cast<unsigned char>(c))) {
      return ValidationError("the approver's name contains a control character");
    }
  }
  return Status::Ok();
}

}  // namespace

Status VerifyPlan(const Plan& plan) {
  if (plan.plan_digest != PlanDigest(plan)) {
    return ValidationError(
        "the plan does not match its digest: it was changed after it was made (tampered with or "
        "damaged); make a new plan");
  }
  std::set<std::string> seen;
  const std::string planner = PersonKey(plan.planned_by);
  for (const Approval& a : plan.approvals) {
    if (a.plan_digest != plan.plan_digest) {
      return ValidationError("the approval by '" + a.by + "' was given for another plan (digest " +
                             a.plan_digest + "); approvals cannot be carried over to a new plan");
    }
    BP_RETURN_IF_ERROR(CheckApproverName(Trimmed(a.by)));
    if (PersonKey(a.by) == planner) {
      return ValidationError("the plan carries an approval by its own planner '" + a.by + "'");
    }
    if (!seen.insert(PersonKey(a.by)).second) {
      return ValidationError("the plan carries two approvals by '" + a.by + "'");
    }
  }
  return Status::Ok();
}

Status Approve(Plan& plan, std::string_view by, const Clock& clock) {
  BP_RETURN_IF_ERROR(VerifyPlan(plan));
  std::string name = Trimmed(by);
  BP_RETURN_IF_ERROR(CheckApproverName(name));
  if (!plan.HasChanges()) {
    return ValidationError("the plan has no changes, so it needs no approval");
  }
  if (PersonKey(name) == PersonKey(plan.planned_by)) {
    return ValidationError("'" + name +
                           "' made this plan and cannot approve it; someone else must approve");
  }
  for (const Approval& a : plan.approvals) {
    if (PersonKey(a.by) == PersonKey(name)) {
      return ValidationError("'" + name + "' has already approved this plan (at " + a.at + ")");
    }
  }
  plan.approvals.push_back(
      Approval{.by = name, .at = FormatRfc3339(clock.Now()), .plan_digest = plan.plan_digest});
  return Status::Ok();
}

std::vector<std::string> Approvers(const Plan& plan) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  const std::string planner = PersonKey(plan.planned_by);
  for (const Approval& a : plan.approvals) {
    std::string key = PersonKey(a.by);
    if (a.plan_digest != plan.plan_digest || key.empty() || key == planner) continue;
    if (seen.insert(key).second) out.push_back(Trimmed(a.by));
  }
  return out;
}

}  // namespace bp::planner
