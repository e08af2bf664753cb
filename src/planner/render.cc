#include "planner/render.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace bp::planner {

namespace {

// One attribute line of a block, with optional continuation lines (lists
// and maps) that are already indented.
struct Attr {
  Attr(char sign_in, std::string name_in, std::vector<std::string> value_in,
       std::string suffix_in = "")
      : sign(sign_in),
        name(std::move(name_in)),
        value(std::move(value_in)),
        suffix(std::move(suffix_in)) {}
  char sign;  // '+', '-', '~' or ' ' (unchanged)
  std::string name;
  std::vector<std::string> value;  // value[0] follows "name = "
  std::string suffix;              // after the last value line
};

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string TagAttrName(std::string_view key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return plain ? "tags." + std::string(key) : "tags[" + Quote(key) + "]";
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::vector<std::string> ListValue(const std::vector<std::pair<char, std::string>>& items) {
  if (items.empty()) return {"[]"};
  std::vector<std::string> lines = {"["};
  for (const auto& [sign, item] : items) {
    lines.push_back(std::string(10, ' ') + sign + " " + Quote(item) + ",");
  }
  lines.push_back(std::string(8, ' ') + "]");
  return lines;
}

std::vector<std::string> ListValue(const std::vector<std::string>& items, char sign) {
  std::vector<std::pair<char, std::string>> signed_items;
  for (const std::string& item : items) signed_items.emplace_back(sign, item);
  return ListValue(signed_items);
}

std::vector<std::string> MapValue(const Tags& tags, char sign) {
  if (tags.empty()) return {"{}"};
  size_t width = 0;
  for (const auto& [key, value] : tags) width = std::max(width, Quote(key).size());
  std::vector<std::string> lines = {"{"};
  for (const auto& [key, value] : tags) {
    lines.push_back(std::string(10, ' ') + sign + " " + Pad(Quote(key), width) + " = " +
                    Quote(value));
  }
  lines.push_back(std::string(8, ' ') + "}");
  return lines;
}

void WriteAttrs(const std::vector<Attr>& attrs, std::string& out) {
  size_t width = 0;
  for (const Attr& a : attrs) width = std::max(width, a.name.size());
  for (const Attr& a : attrs) {
    out += std::string(6, ' ') + a.sign + " " + Pad(a.name, width) + " = ";
    for (size_t i = 0; i < a.value.size(); ++i) {
      if (i > 0) out += "\n";
      out += a.value[i];
    }
    out += a.suffix + "\n";
  }
}

std::vector<Attr> TagChangeAttrs(const std::vector<TagChange>& changes) {
  std::vector<Attr> attrs;
  for (const TagChange& c : changes) {
    if (c.old_value && c.new_value) {
      attrs.push_back(
          {'~', TagAttrName(c.key), {Quote(*c.old_value) + " -> " + Quote(*c.new_value)}});
    } else if (c.new_value) {
      attrs.push_back({'+', TagAttrName(c.key), {Quote(*c.new_value)}});
    } else {
      attrs.push_back({'-', TagAttrName(c.key), {Quote(*c.old_value) + " -> null"}});
    }
  }
  return attrs;
}

bool Forces(const Action& a, std::string_view attribute) {
  return std::find(a.forces.begin(), a.forces.end(), attribute) != a.forces.end();
}

std::vector<std::string> SortedCopy(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// The model lists of a replace, item by item: '-' only old, '+' only new.
std::vector<std::pair<char, std::string>> ModelDiff(const std::vector<std::string>& old_arns,
                                                    const std::vector<std::string>& new_arns) {
  std::vector<std::string> all = old_arns;
  all.insert(all.end(), new_arns.begin(), new_arns.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::vector<std::pair<char, std::string>> items;
  for (const std::string& arn : all) {
    const bool in_old = std::binary_search(old_arns.begin(), old_arns.end(), arn);
    const bool in_new = std::binary_search(new_arns.begin(), new_arns.end(), arn);
    items.emplace_back(in_old && in_new ? ' ' : (in_old ? '-' : '+'), arn);
  }
  return items;
}

Attr DescriptionChange(const Action& a) {
  const std::optional<std::string>& was = a.before->description;
  const std::optional<std::string>& will = a.after->description;
  if (!Forces(a, "description")) {
    return {' ', "description", {will ? Quote(*will) : "null"}};
  }
  Attr attr{'~', "description", {}, " # forces replacement"};
  if (!was) {
    attr.sign = '+';
    attr.value = {Quote(*will)};
  } else {
    attr.value = {Quote(*was) + " -> " + (will ? Quote(*will) : "null")};
  }
  return attr;
}

// Who loses access when the ARN goes (policies naming it literally).
void RenderConsumers(const Action& a, std::string& out) {
  if (a.consumers.empty()) return;
  out += "  # WARNING: these policies name the ARN that goes away and will stop matching;\n";
  out += "  #  update them (" + a.before->arn + "):\n";
  for (const std::string& c : a.consumers) out += "  #    " + c + "\n";
}

void RenderCreate(const Action& a, std::string& out) {
  out += "  # " + a.name + " will be created\n";
  out += "  + " + a.name + "\n";
  std::vector<Attr> attrs = {{'+', "model_arn", {Quote(a.after->copy_from)}}};
  if (a.after->description) attrs.push_back({'+', "description", {Quote(*a.after->description)}});
  attrs.push_back({'+', "models", ListValue(a.after->models.arns, '+')});
  attrs.push_back({'+', "tags", MapValue(a.after->tags, '+')});
  attrs.push_back({'+', "arn", {"(known after apply)"}});
  WriteAttrs(attrs, out);
}

void RenderUpdate(const Action& a, std::string& out) {
  out += "  # " + a.name + " will be updated in place\n";
  if (a.adopt) {
    out += "  # (adopted: bedrock-profiles did not create it, but the config names it, so it\n";
    out += "  #  is managed from now on and gets the tag " + std::string(kManagementTagKey) +
           " = " + Quote(kManagementTagValue) + ")\n";
  }
  out += "  ~ " + a.name + "\n";
  std::vector<Attr> attrs = {{' ', "arn", {Quote(a.before->arn)}}};
  for (Attr& attr : TagChangeAttrs(a.tag_changes)) attrs.push_back(std::move(attr));
  WriteAttrs(attrs, out);
}

void RenderReplace(const Action& a, std::string& out) {
  out += "  # " + a.name + " must be replaced\n";
  out += "  # (Bedrock cannot change a profile's description or models; names are unique, so\n";
  out += "  #  the old profile is deleted first and the new one gets a new ARN)\n";
  if (a.adopt) {
    out += "  # (adopted: bedrock-profiles did not create it, but the config names it)\n";
  }
  RenderConsumers(a, out);
  out += "-/+ " + a.name + "\n";
  std::vector<Attr> attrs = {{'~', "arn", {Quote(a.before->arn) + " -> (known after apply)"}},
                             {'+', "model_arn", {Quote(a.after->copy_from)}},
                             DescriptionChange(a)};
  if (Forces(a, "models")) {
    attrs.push_back({'~', "models",
                     ListValue(ModelDiff(SortedCopy(a.before->model_arns), a.after->models.arns)),
                     " # forces replacement"});
  } else {
    attrs.push_back({' ', "models", ListValue(SortedCopy(a.before->model_arns), ' ')});
  }
  for (Attr& attr : TagChangeAttrs(a.tag_changes)) attrs.push_back(std::move(attr));
  WriteAttrs(attrs, out);
}

void RenderDestroy(const Action& a, std::string& out) {
  out += "  # " + a.name + " will be destroyed\n";
  out += "  # (it carries " + std::string(kManagementTagKey) + " = " + Quote(kManagementTagValue) +
         " and the config no longer names it)\n";
  RenderConsumers(a, out);
  out += "  - " + a.name + "\n";
  std::vector<Attr> attrs = {{'-', "arn", {Quote(a.before->arn)}, " -> null"}};
  if (a.before->description) {
    attrs.push_back({'-', "description", {Quote(*a.before->description)}, " -> null"});
  }
  attrs.push_back({'-', "models", ListValue(SortedCopy(a.before->model_arns), '-'), " -> null"});
  attrs.push_back({'-', "tags", MapValue(a.before->tags, '-'), " -> null"});
  WriteAttrs(attrs, out);
}

void RenderUnmanaged(const Plan& plan, std::string& out) {
  if (plan.unmanaged.empty()) return;
  size_t width = 0;
  for (const std::string& name : plan.unmanaged) width = std::max(width, name.size());
  out += "Unmanaged profiles (left alone):\n";
  for (const std::string& name : plan.unmanaged) {
    auto it = std::find_if(plan.live.begin(), plan.live.end(),
                           [&](const LiveProfile& p) { return p.name == name; });
    out += "  " + Pad(name, width);
    if (it != plan.live.end()) out += "  " + it->arn;
    out += "\n";
  }
  out += "\n";
}

}  // namespace

std::string RenderSummaryLine(const Plan& plan) {
  if (!plan.HasChanges()) return "No changes. The live profiles match the configuration.";
  size_t add = 0, change = 0, replace = 0, destroy = 0;
  for (const Action& a : plan.actions) {
    switch (a.kind) {
      case ActionKind::kCreate:
        ++add;
        break;
      case ActionKind::kUpdate:
        ++change;
        break;
      case ActionKind::kReplace:
        ++replace;
        break;
      case ActionKind::kDestroy:
        ++destroy;
        break;
    }
  }
  return "Plan: " + std::to_string(add) + " to add, " + std::to_string(change) + " to change, " +
         std::to_string(replace) + " to replace, " + std::to_string(destroy) + " to destroy.";
}

std::string Render(const Plan& plan) {
  std::string out = "Endpoint: " + plan.endpoint + "\nConfig:   " + plan.config_source + "\n\n";
  if (plan.HasChanges()) {
    out += "bedrock-profiles will perform the following actions:\n\n";
    for (const Action& a : plan.actions) {
      switch (a.kind) {
        case ActionKind::kCreate:
          RenderCreate(a, out);
          break;
        case ActionKind::kUpdate:
          RenderUpdate(a, out);
          break;
        case ActionKind::kReplace:
          RenderReplace(a, out);
          break;
        case ActionKind::kDestroy:
          RenderDestroy(a, out);
          break;
      }
      out += "\n";
    }
  }
  RenderUnmanaged(plan, out);
  return out + RenderSummaryLine(plan) + "\n";
}

std::string RenderActionStart(const Action& a) {
  switch (a.kind) {
    case ActionKind::kCreate:
      return a.name + ": Creating...";
    case ActionKind::kUpdate:
      return a.name + ": Modifying... [arn=" + a.before->arn + "]";
    case ActionKind::kReplace:
      return a.name + ": Replacing (deleting the old profile, then creating the new one)... [arn=" +
             a.before->arn + "]";
    case ActionKind::kDestroy:
      return a.name + ": Destroying... [arn=" + a.before->arn + "]";
  }
  return a.name;
}

std::string RenderActionDone(const Action& a, const Status& status, std::string_view arn) {
  if (!status.ok()) {
    return a.name + ": Error: " + std::string(ErrorCodeName(status.code())) + ": " +
           status.message();
  }
  switch (a.kind) {
    case ActionKind::kCreate:
      return a.name + ": Creation complete [arn=" + std::string(arn) + "]";
    case ActionKind::kUpdate:
      return a.name + ": Modifications complete [arn=" + std::string(arn) + "]";
    case ActionKind::kReplace:
      return a.name + ": Replacement complete [arn=" + std::string(arn) + "]";
    case ActionKind::kDestroy:
      return a.name + ": Destruction complete";
  }
  return a.name;
}

std::string RenderResume(size_t already_applied, size_t total, bool partial) {
  std::string out = "Resuming: " + std::to_string(already_applied) + " of " +
                    std::to_string(total) + (total == 1 ? " action was" : " actions were") +
                    " already applied by an earlier run.";
  if (partial) out += " The next one was partly applied; it continues where it stopped.";
  return out;
}

namespace {

std::string PathOrPlaceholder(std::string_view plan_path) {
  return plan_path.empty() ? std::string("PLAN") : std::string(plan_path);
}

}  // namespace

std::string PlanCommandHint(const Plan& plan, std::string_view plan_path) {
  std::string out = "bedrock-profiles plan";
  if (!plan.config_source.ends_with("(built in)")) out += " --config " + plan.config_source;
  out += " --endpoint " + plan.endpoint;
  if (!plan.principal.empty()) out += " --principal " + plan.principal;
  out += " --out " + PathOrPlaceholder(plan_path);
  return out;
}

std::string ApproveCommandHint(std::string_view plan_path) {
  return "bedrock-profiles approve " + PathOrPlaceholder(plan_path);
}

std::string ApplyCommandHint(const Plan& plan, std::string_view plan_path) {
  std::string out = "bedrock-profiles apply " + PathOrPlaceholder(plan_path);
  if (!plan.principal.empty()) out += " --principal " + plan.principal;
  return out;
}

}  // namespace bp::planner
