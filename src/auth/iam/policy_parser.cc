#include "auth/iam/policy_parser.h"

#include <algorithm>
#include <utility>

#include "auth/iam/json_path.h"
#include "auth/iam/parse_util.h"

namespace bp::auth::iam {

namespace {

constexpr std::string_view kStatementMembers[] = {
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"};

std::string_view KindOf(const json::Value& v) { return json::KindName(v); }

Result<PolicyVersion> ParseVersion(const json::Object& root) {
  const json::Value* v = root.if_contains("Version");
  if (v == nullptr) return PolicyVersion::k2008_10_17;
  if (!v->is_string()) {
    return PathError("$.Version",
                     "expected \"2012-10-17\" or \"2008-10-17\", got " + std::string(KindOf(*v)));
  }
  std::string_view text = v->get_string();
  if (text == "2012-10-17") return PolicyVersion::k2012_10_17;
  if (text == "2008-10-17") return PolicyVersion::k2008_10_17;
  return PathError("$.Version", "expected \"2012-10-17\" or \"2008-10-17\", got " + Quoted(text));
}

Status CheckTopMembers(const json::Object& root) {
  for (const auto& member : root) {
    std::string_view key = member.key();
    if (key == "Version" || key == "Id" || key == "Statement") continue;
    return PathError(JsonMember("$", key),
                     "unknown policy element (expected Version, Id and Statement)");
  }
  return Status::Ok();
}

Status CheckStatementMembers(const json::Object& obj, const std::string& path) {
  for (const auto& member : obj) {
    std::string_view key = member.key();
    if (key == "Principal" || key == "NotPrincipal") {
      return PathError(JsonMember(path, key),
                       std::string(key) +
                           " is not allowed in an identity-based policy: the policy applies to "
                           "the principal it is attached to");
    }
    if (std::find(std::begin(kStatementMembers), std::end(kStatementMembers), key) ==
        std::end(kStatementMembers)) {
      return PathError(JsonMember(path, key),
                       "unknown statement element (expected Sid, Effect, Action or NotAction, "
                       "Resource or NotResource, Condition)");
    }
  }
  return Status::Ok();
}

Result<std::string> ParseSid(const json::Object& obj, const std::string& path) {
  const json::Value* v = obj.if_contains("Sid");
  if (v == nullptr) return std::string();
  std::string sid_path = JsonMember(path, "Sid");
  if (!v->is_string())
    return PathError(sid_path, "expected a string, got " + std::string(KindOf(*v)));
  std::string_view sid = v->get_string();
  bool alnum = std::all_of(sid.begin(), sid.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
  if (!alnum || sid.size() > 128) {
    return PathError(
        sid_path,
        "expected up to 128 letters and digits (IAM's rule for a Sid), got " + Quoted(sid));
  }
  return std::string(sid);
}

Result<Effect> ParseEffect(const json::Object& obj, const std::string& path) {
  const json::Value* v = obj.if_contains("Effect");
  if (v == nullptr) return PathError(path, "Effect is required (\"Allow\" or \"Deny\")");
  std::string effect_path = JsonMember(path, "Effect");
  if (!v->is_string()) {
    return PathError(effect_path, "expected \"Allow\" or \"Deny\", got " + std::string(KindOf(*v)));
  }
  std::string_view text = v->get_string();
  if (text == "Allow") return Effect::kAllow;
  if (text == "Deny") return Effect::kDeny;
  return PathError(effect_path, "expected \"Allow\" or \"Deny\", got " + Quoted(text));
}

// Returns the member named `a` or `b`, whichever is present; refuses both
// and neither. `negated` tells which one it was.
Result<const json::Value*> ExactlyOne(const json::Object& obj, const std::string& path,
                                      std::string_view a, std::string_view b, bool& negated) {
  const json::Value* va = obj.if_contains(a);
  const json::Value* vb = obj.if_contains(b);
  if (va != nullptr && vb != nullptr) {
    return PathError(path, std::string(a) + " and " + std::string(b) +
                               " are mutually exclusive: a statement has exactly one of them");
  }
  if (va == nullptr && vb == nullptr) {
    return PathError(path, "one of " + std::string(a) + " or " + std::string(b) + " is required");
  }
  negated = va == nullptr;
  return negated ? vb : va;
}

bool IsServiceChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

Result<ActionPattern> ParseAction(const PathedString& item) {
  std::string lower = ToLowerAscii(item.text);
  if (lower == "*") return ActionPattern{std::move(lower)};
  size_t colon = lower.find(':');
  std::string_view service = std::string_view(lower).substr(0, colon);
  bool service_ok = !service.empty() && std::all_of(service.begin(), service.end(), IsServiceChar);
  if (colon == std::string::npos || colon + 1 == lower.size() ||
      lower.find(':', colon + 1) != std::string::npos || !service_ok) {
    return PathError(item.path,
                     "expected \"*\" or \"service:ActionName\" (the service prefix has no "
                     "wildcards), got " +
                         Quoted(item.text));
  }
  return ActionPattern{std::move(lower)};
}

Result<ArnPattern> ParseResource(const PathedString& item, const ParseScope& scope) {
  if (item.text != "*" && (item.text.size() <= 4 || item.text.compare(0, 4, "arn:") != 0)) {
    return PathError(item.path,
                     "expected \"*\" or an ARN (arn:partition:service:region:account:resource), "
                     "got " +
                         Quoted(item.text));
  }
  Result<PolicyString> parsed = ParsePolicyString(item.text, scope.variables());
  if (!parsed.ok()) return PathError(item.path, parsed.status().message());
  return MakeArnPattern(std::move(parsed).value());
}

Status ParseActions(const json::Object& obj, const std::string& path, Statement& st,
                    const ParseScope& scope) {
  BP_ASSIGN_OR_RETURN(const json::Value* v,
                      ExactlyOne(obj, path, "Action", "NotAction", st.not_action));
  std::string list_path = JsonMember(path, st.not_action ? "NotAction" : "Action");
  BP_ASSIGN_OR_RETURN(std::vector<PathedString> items,
                      ReadStringList(*v, list_path, scope.options));
  for (const PathedString& item : items) {
    BP_ASSIGN_OR_RETURN(ActionPattern action, ParseAction(item));
    st.actions.push_back(std::move(action));
  }
  return Status::Ok();
}

Status ParseResources(const json::Object& obj, const std::string& path, Statement& st,
                      const ParseScope& scope) {
  BP_ASSIGN_OR_RETURN(const json::Value* v,
                      ExactlyOne(obj, path, "Resource", "NotResource", st.not_resource));
  std::string list_path = JsonMember(path, st.not_resource ? "NotResource" : "Resource");
  BP_ASSIGN_OR_RETURN(std::vector<PathedString> items,
                      ReadStringList(*v, list_path, scope.options));
  for (const PathedString& item : items) {
    BP_ASSIGN_OR_RETURN(ArnPattern resource, ParseResource(item, scope));
    st.resources.push_back(std::move(resource));
  }
  return Status::Ok();
}

Status ParseConditions(const json::Object& obj, const std::string& path, Statement& st,
                       const ParseScope& scope) {
  const json::Value* v = obj.if_contains("Condition");
  if (v == nullptr) return Status::Ok();
  BP_ASSIGN_OR_RETURN(st.conditions, ParseConditionBlock(*v, JsonMember(path, "Condition"), scope));
  return Status::Ok();
}

Result<Statement> ParseStatement(const json::Value& v, const std::string& path, size_t index,
                                 const ParseScope& scope) {
  BP_ASSIGN_OR_RETURN(const json::Object* obj, json::RequireObject(v, path));
  BP_RETURN_IF_ERROR(CheckStatementMembers(*obj, path));
  Statement st;
  st.index = index;
  BP_ASSIGN_OR_RETURN(st.sid, ParseSid(*obj, path));
  BP_ASSIGN_OR_RETURN(st.effect, ParseEffect(*obj, path));
  BP_RETURN_IF_ERROR(ParseActions(*obj, path, st, scope));
  BP_RETURN_IF_ERROR(ParseResources(*obj, path, st, scope));
  BP_RETURN_IF_ERROR(ParseConditions(*obj, path, st, scope));
  return st;
}

Status CheckUniqueSids(const std::vector<Statement>& statements) {
  for (size_t i = 0; i < statements.size(); ++i) {
    if (statements[i].sid.empty()) continue;
    for (size_t j = 0; j < i; ++j) {
      if (statements[j].sid != statements[i].sid) continue;
      return PathError(JsonMember(JsonIndex("$.Statement", i), "Sid"),
                       "duplicate Sid " + Quoted(statements[i].sid) + " (also $.Statement[" +
                           std::to_string(j) + "])");
    }
  }
  return Status::Ok();
}

Result<std::vector<Statement>> ParseStatements(const json::Object& root, const ParseScope& scope) {
  const json::Value* v = root.if_contains("Statement");
  if (v == nullptr) return PathError("$", "Statement is required");
  std::vector<Statement> out;
  if (v->is_object()) {
    BP_ASSIGN_OR_RETURN(Statement st, ParseStatement(*v, "$.Statement", 0, scope));
    out.push_back(std::move(st));
    return out;
  }
  if (!v->is_array()) {
    return PathError("$.Statement",
                     "expected an object or a list of objects, got " + std::string(KindOf(*v)));
  }
  const json::Array& list = v->get_array();
  if (list.size() > scope.options.max_statements) {
    return PathError("$.Statement",
                     "more than " + std::to_string(scope.options.max_statements) + " statements");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    BP_ASSIGN_OR_RETURN(Statement st,
                        ParseStatement(list[i], JsonIndex("$.Statement", i), i, scope));
    out.push_back(std::move(st));
  }
  BP_RETURN_IF_ERROR(CheckUniqueSids(out));
  return out;
}

Result<Policy> ParseDocument(std::string_view text, const ParseOptions& options) {
  if (text.size() > options.max_document_bytes) {
    return PathError("$", "the document has " + std::to_string(text.size()) +
                              " bytes, more than the limit of " +
                              std::to_string(options.max_document_bytes));
  }
  Result<json::Value> doc = json::Parse(text);
  if (!doc.ok()) return PathError("$", doc.status().message());
  if (std::optional<std::string> dup = FindDuplicateKey(text)) {
    return PathError(*dup, "duplicate key: each element may appear only once");
  }
  BP_ASSIGN_OR_RETURN(const json::Object* root, json::RequireObject(*doc, "$"));
  BP_RETURN_IF_ERROR(CheckTopMembers(*root));
  Policy policy;
  BP_ASSIGN_OR_RETURN(policy.version, ParseVersion(*root));
  if (const json::Value* id = root->if_contains("Id")) {
    if (!id->is_string())
      return PathError("$.Id", "expected a string, got " + std::string(KindOf(*id)));
    policy.id = std::string(id->get_string());
  }
  ParseScope scope{options, policy.version};
  BP_ASSIGN_OR_RETURN(policy.statements, ParseStatements(*root, scope));
  return policy;
}

}  // namespace

Result<Policy> ParsePolicy(std::string_view text, std::string_view origin,
                           const ParseOptions& options) {
  Result<Policy> policy = [&]() -> Result<Policy> {
    try {
      return ParseDocument(text, options);
    } catch (const std::exception& e) {  // allocation failure inside Boost.JSON access
      return PathError("$", std::string("cannot parse the policy: ") + e.what());
    }
  }();
  if (!policy.ok()) return policy.status().WithLocation(std::string(origin));
  policy->origin = std::string(origin);
  return policy;
}

}  // namespace bp::auth::iam
