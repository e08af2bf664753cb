#include "planner/plan_json.h"

#include <set>
#include <utility>

#include "core/sha256.h"

namespace bp::planner::internal {

namespace {

std::string Child(std::string_view path, std::string_view key) {
  return std::string(path) + "." + std::string(key);
}
std::string Index(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

json::Array StringsToJson(const std::vector<std::string>& strings) {
  json::Array out;
  for (const std::string& s : strings) out.emplace_back(s);
  return out;
}

json::Object TagsToJson(const Tags& tags) {
  json::Object out;
  for (const auto& [key, value] : tags) out[key] = value;
  return out;
}

Result<Tags> TagsFromJson(const json::Object& obj, std::string_view key, std::string_view path) {
  const json::Value* v = obj.if_contains(key);
  if (v == nullptr) return ValidationError(Child(path, key) + " is required");
  BP_ASSIGN_OR_RETURN(const json::Object* tags, json::RequireObject(*v, Child(path, key)));
  Tags out;
  for (const auto& member : *tags) {
    if (!member.value().is_string()) {
      return ValidationError(Child(Child(path, key), member.key()) + ": expected a string, got " +
                             std::string(json::KindName(member.value())));
    }
    out.insert_or_assign(std::string(member.key()), std::string(member.value().get_string()));
  }
  return out;
}

Result<bool> BoolFromJson(const json::Object& obj, std::string_view key, std::string_view path) {
  const json::Value* v = obj.if_contains(key);
  if (v == nullptr) return ValidationError(Child(path, key) + " is required");
  if (!v->is_bool()) {
    return ValidationError(Child(path, key) + ": expected a boolean, got " +
                           std::string(json::KindName(*v)));
  }
  return v->get_bool();
}

Result<const json::Object*> ObjectMember(const json::Object& obj, std::string_view key,
                                         std::string_view path) {
  const json::Value* v = obj.if_contains(key);
  if (v == nullptr) return static_cast<const json::Object*>(nullptr);
  return json::RequireObject(*v, Child(path, key));
}

Result<std::string> DigestFromJson(const json::Object& obj, std::string_view key,
                                   std::string_view path) {
  BP_ASSIGN_OR_RETURN(std::string digest, json::RequiredString(obj, key, path));
  if (!IsSha256Hex(digest)) {
    return ValidationError(Child(path, key) + ": expected 64 lower-case hex digits (SHA-256)");
  }
  return digest;
}

json::Object DesiredToJson(const DesiredProfile& d) {
  json::Object out;
  out["name"] = d.name;
  if (d.description) out["description"] = *d.description;
  out["copy_from"] = d.copy_from;
  out["model_arns"] = StringsToJson(d.models.arns);
  out["allow_extra_regions"] = d.models.allow_extra_regions;
  out["tags"] = TagsToJson(d.tags);
  return out;
}

Result<DesiredProfile> DesiredFromJson(const json::Object& obj, const std::string& path) {
  BP_RETURN_IF_ERROR(json::RejectUnknownKeys(
      obj, {"name", "description", "copy_from", "model_arns", "allow_extra_regions", "tags"},
      path));
  DesiredProfile d;
  BP_ASSIGN_OR_RETURN(d.name, json::RequiredString(obj, "name", path));
  BP_ASSIGN_OR_RETURN(d.description, json::OptionalString(obj, "description", path));
  BP_ASSIGN_OR_RETURN(d.copy_from, json::RequiredString(obj, "copy_from", path));
  BP_ASSIGN_OR_RETURN(d.models.arns, json::RequiredStringArray(obj, "model_arns", path));
  BP_ASSIGN_OR_RETURN(d.models.allow_extra_regions, BoolFromJson(obj, "allow_extra_regions", path));
  BP_ASSIGN_OR_RETURN(d.tags, TagsFromJson(obj, "tags", path));
  if (d.models.arns.empty()) return ValidationError(Child(path, "model_arns") + " is empty");
  return d;
}

json::Object ActionToJson(const Action& a) {
  json::Object out;
  out["kind"] = ActionKindName(a.kind);
  out["name"] = a.name;
  out["adopt"] = a.adopt;
  out["forces"] = StringsToJson(a.forces);
  if (!a.consumers.empty()) out["consumers"] = StringsToJson(a.consumers);
  json::Array changes;
  for (const TagChange& c : a.tag_changes) {
    json::Object change;
    change["key"] = c.key;
    if (c.old_value) change["old"] = *c.old_value;
    if (c.new_value) change["new"] = *c.new_value;
    changes.emplace_back(std::move(change));
  }
  out["tag_changes"] = std::move(changes);
  if (a.before) out["before"] = LiveProfileToJson(*a.before);
  if (a.after) out["after"] = DesiredToJson(*a.after);
  return out;
}

Result<ActionKind> KindFromJson(const json::Object& obj, const std::string& path) {
  BP_ASSIGN_OR_RETURN(std::string kind, json::RequiredString(obj, "kind", path));
  for (ActionKind k :
       {ActionKind::kCreate, ActionKind::kUpdate, ActionKind::kReplace, ActionKind::kDestroy}) {
    if (kind == ActionKindName(k)) return k;
  }
  return ValidationError(Child(path, "kind") +
                         ": expected create, update, replace or destroy, got '" + kind + "'");
}

Result<std::vector<TagChange>> TagChangesFromJson(const json::Object& obj,
                                                  const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Array* array, json::OptionalArray(obj, "tag_changes", path));
  if (array == nullptr) return ValidationError(Child(path, "tag_changes") + " is required");
  std::vector<TagChange> out;
  for (size_t i = 0; i < array->size(); ++i) {
    std::string at = Index(Child(path, "tag_changes"), i);
    BP_ASSIGN_OR_RETURN(const json::Object* c, json::RequireObject((*array)[i], at));
    BP_RETURN_IF_ERROR(json::RejectUnknownKeys(*c, {"key", "old", "new"}, at));
    TagChange change;
    BP_ASSIGN_OR_RETURN(change.key, json::RequiredString(*c, "key", at));
    BP_ASSIGN_OR_RETURN(change.old_value, json::OptionalString(*c, "old", at));
    BP_ASSIGN_OR_RETURN(change.new_value, json::OptionalString(*c, "new", at));
    if (!change.old_value && !change.new_value) {
      return ValidationError(at + ": a tag change needs \"old\", \"new\" or both");
    }
    out.push_back(std::move(change));
  }
  return out;
}

// Which parts each kind needs; the names inside must be the action's.
Status CheckActionShape(const Action& a, const std::string& path) {
  const bool needs_before = a.kind != ActionKind::kCreate;
  const bool needs_after = a.kind == ActionKind::kCreate || a.kind == ActionKind::kReplace;
  std::string kind(ActionKindName(a.kind));
  if (a.before.has_value() != needs_before) {
    return ValidationError(path + ": a " + kind + " action " +
                           (needs_before ? "needs" : "cannot have") + " \"before\"");
  }
  if (a.after.has_value() != needs_after) {
    return ValidationError(path + ": a " + kind + " action " +
                           (needs_after ? "needs" : "cannot have") + " \"after\"");
  }
  if ((a.before && a.before->name != a.name) || (a.after && a.after->name != a.name)) {
    return ValidationError(path + ": \"before\"/\"after\" name another profile than '" + a.name +
                           "'");
  }
  if (a.kind == ActionKind::kUpdate && a.tag_changes.empty()) {
    return ValidationError(path + ": an update action needs tag_changes");
  }
  if (a.kind == ActionKind::kReplace && a.forces.empty()) {
    return ValidationError(path + ": a replace action needs \"forces\"");
  }
  return Status::Ok();
}

Result<Action> ActionFromJson(const json::Value& value, const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Object* obj, json::RequireObject(value, path));
  BP_RETURN_IF_ERROR(json::RejectUnknownKeys(
      *obj, {"kind", "name", "adopt", "forces", "consumers", "tag_changes", "before", "after"},
      path));
  Action a;
  BP_ASSIGN_OR_RETURN(a.kind, KindFromJson(*obj, path));
  BP_ASSIGN_OR_RETURN(a.name, json::RequiredString(*obj, "name", path));
  BP_ASSIGN_OR_RETURN(a.adopt, BoolFromJson(*obj, "adopt", path));
  BP_ASSIGN_OR_RETURN(a.forces, json::RequiredStringArray(*obj, "forces", path));
  if (obj->if_contains("consumers") != nullptr) {
    BP_ASSIGN_OR_RETURN(a.consumers, json::RequiredStringArray(*obj, "consumers", path));
  }
  BP_ASSIGN_OR_RETURN(a.tag_changes, TagChangesFromJson(*obj, path));
  if (const json::Value* before = obj->if_contains("before")) {
    BP_ASSIGN_OR_RETURN(a.before, LiveProfileFromJson(*before, Child(path, "before")));
  }
  BP_ASSIGN_OR_RETURN(const json::Object* after, ObjectMember(*obj, "after", path));
  if (after != nullptr) {
    BP_ASSIGN_OR_RETURN(a.after, DesiredFromJson(*after, Child(path, "after")));
  }
  BP_RETURN_IF_ERROR(CheckActionShape(a, path));
  return a;
}

// The format and version members, checked before anything else.
Status CheckFormat(const json::Value& value) {
  if (!value.is_object()) {
    return ValidationError("not a bedrock-profiles plan: expected a JSON object, got " +
                           std::string(json::KindName(value)));
  }
  const json::Object& obj = value.get_object();
  const json::Value* format = obj.if_contains("format");
  if (format == nullptr || !format->is_string() || format->get_string() != kPlanFormat) {
    return ValidationError("not a bedrock-profiles plan: \"format\" is not \"" +
                           std::string(kPlanFormat) + "\"");
  }
  const json::Value* version = obj.if_contains("version");
  if (version == nullptr || !version->is_int64() || version->get_int64() != kPlanVersion) {
    std::string found = version == nullptr ? "none" : json::Serialize(*version);
    return ValidationError("unsupported plan version " + found + ": this build reads version " +
                           std::to_string(kPlanVersion) + "; make the plan again with it");
  }
  return Status::Ok();
}

template <class T, class F>
Result<std::vector<T>> ArrayFromJson(const json::Object& obj, std::string_view key, F&& parse) {
  BP_ASSIGN_OR_RETURN(const json::Array* array, json::OptionalArray(obj, key, "$"));
  if (array == nullptr) return ValidationError(Child("$", key) + " is required");
  std::vector<T> out;
  for (size_t i = 0; i < array->size(); ++i) {
    BP_ASSIGN_OR_RETURN(T item, parse((*array)[i], Index(Child("$", key), i)));
    out.push_back(std::move(item));
  }
  return out;
}

Result<Approval> ApprovalFromJson(const json::Value& value, const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Object* obj, json::RequireObject(value, path));
  BP_RETURN_IF_ERROR(json::RejectUnknownKeys(*obj, {"by", "at", "plan_digest"}, path));
  Approval a;
  BP_ASSIGN_OR_RETURN(a.by, json::RequiredString(*obj, "by", path));
  BP_ASSIGN_OR_RETURN(a.at, json::RequiredString(*obj, "at", path));
  BP_ASSIGN_OR_RETURN(a.plan_digest, DigestFromJson(*obj, "plan_digest", path));
  return a;
}

Result<Plan> PlanBodyFromJson(const json::Object& obj) {
  BP_RETURN_IF_ERROR(json::RejectUnknownKeys(
      obj,
      {"format", "version", "created_at", "planned_by", "endpoint", "principal", "config_source",
       "config_digest", "state_fingerprint", "required_approvals", "live", "unmanaged", "actions",
       "plan_digest", "approvals"},
      "$"));
  Plan plan;
  BP_ASSIGN_OR_RETURN(plan.created_at, json::RequiredString(obj, "created_at", "$"));
  BP_ASSIGN_OR_RETURN(plan.planned_by, json::RequiredString(obj, "planned_by", "$"));
  BP_ASSIGN_OR_RETURN(plan.endpoint, json::RequiredString(obj, "endpoint", "$"));
  BP_ASSIGN_OR_RETURN(std::optional<std::string> principal,
                      json::OptionalString(obj, "principal", "$"));
  plan.principal = principal.value_or("");
  BP_ASSIGN_OR_RETURN(plan.config_source, json::RequiredString(obj, "config_source", "$"));
  BP_ASSIGN_OR_RETURN(plan.config_digest, DigestFromJson(obj, "config_digest", "$"));
  BP_ASSIGN_OR_RETURN(plan.state_fingerprint, DigestFromJson(obj, "state_fingerprint", "$"));
  BP_ASSIGN_OR_RETURN(std::optional<int64_t> required,
                      json::OptionalInt(obj, "required_approvals", "$"));
  if (!required || *required < 0 || *required > 100) {
    return ValidationError("$.required_approvals: expected an integer from 0 to 100");
  }
  plan.required_approvals = static_cast<uint32_t>(*required);
  BP_ASSIGN_OR_RETURN(plan.live, ArrayFromJson<LiveProfile>(obj, "live", LiveProfileFromJson));
  BP_ASSIGN_OR_RETURN(plan.unmanaged, json::RequiredStringArray(obj, "unmanaged", "$"));
  BP_ASSIGN_OR_RETURN(plan.actions, ArrayFromJson<Action>(obj, "actions", ActionFromJson));
  BP_ASSIGN_OR_RETURN(plan.plan_digest, DigestFromJson(obj, "plan_digest", "$"));
  BP_ASSIGN_OR_RETURN(plan.approvals, ArrayFromJson<Approval>(obj, "approvals", ApprovalFromJson));
  std::set<std::string_view> names;
  for (const Action& a : plan.actions) {
    if (!names.insert(a.name).second) {
      return ValidationError("$.actions: profile '" + a.name + "' has more than one action");
    }
  }
  return plan;
}

}  // namespace

json::Object LiveProfileToJson(const LiveProfile& p) {
  json::Object out;
  out["name"] = p.name;
  out["id"] = p.id;
  out["arn"] = p.arn;
  if (p.description) out["description"] = *p.description;
  out["model_arns"] = StringsToJson(p.model_arns);
  out["tags"] = TagsToJson(p.tags);
  return out;
}

Result<LiveProfile> LiveProfileFromJson(const json::Value& value, const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Object* obj, json::RequireObject(value, path));
  BP_RETURN_IF_ERROR(json::RejectUnknownKeys(
      *obj, {"name", "id", "arn", "description", "model_arns", "tags"}, path));
  LiveProfile p;
  BP_ASSIGN_OR_RETURN(p.name, json::RequiredString(*obj, "name", path));
  BP_ASSIGN_OR_RETURN(p.id, json::RequiredString(*obj, "id", path));
  BP_ASSIGN_OR_RETURN(p.arn, json::RequiredString(*obj, "arn", path));
  BP_ASSIGN_OR_RETURN(p.description, json::OptionalString(*obj, "description", path));
  BP_ASSIGN_OR_RETURN(p.model_arns, json::RequiredStringArray(*obj, "model_arns", path));
  BP_ASSIGN_OR_RETURN(p.tags, TagsFromJson(*obj, "tags", path));
  if (p.name.empty()) return ValidationError(Child(path, "name") + " is empty");
  return p;
}

json::Object PlanContentToJson(const Plan& plan) {
  json::Object out;
  out["format"] = kPlanFormat;
  out["version"] = kPlanVersion;
  out["created_at"] = plan.created_at;
  out["planned_by"] = plan.planned_by;
  out["endpoint"] = plan.endpoint;
  if (!plan.principal.empty()) out["principal"] = plan.principal;
  out["config_source"] = plan.config_source;
  out["config_digest"] = plan.config_digest;
  out["state_fingerprint"] = plan.state_fingerprint;
  out["required_approvals"] = static_cast<int64_t>(plan.required_approvals);
  json::Array live;
  for (const LiveProfile& p : plan.live) live.emplace_back(LiveProfileToJson(p));
  out["live"] = std::move(live);
  out["unmanaged"] = StringsToJson(plan.unmanaged);
  json::Array actions;
  for (const Action& a : plan.actions) actions.emplace_back(ActionToJson(a));
  out["actions"] = std::move(actions);
  return out;
}

json::Object PlanToJson(const Plan& plan) {
  json::Object out = PlanContentToJson(plan);
  out["plan_digest"] = plan.plan_digest;
  json::Array approvals;
  for (const Approval& a : plan.approvals) {
    json::Object approval;
    approval["by"] = a.by;
    approval["at"] = a.at;
    approval["plan_digest"] = a.plan_digest;
    approvals.emplace_back(std::move(approval));
  }
  out["approvals"] = std::move(approvals);
  return out;
}

Result<Plan> PlanFromJson(const json::Value& value) {
  BP_RETURN_IF_ERROR(CheckFormat(value));
  Result<Plan> plan = PlanBodyFromJson(value.get_object());
  if (!plan.ok()) return ValidationError("corrupt plan: " + plan.status().message());
  return plan;
}

}  // namespace bp::planner::internal
