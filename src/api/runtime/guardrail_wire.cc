#include "api/runtime/guardrail_wire.h"

#include <algorithm>

namespace bp::api::runtime {

namespace {

using backends::ContentBlock;
using backends::GuardrailTrace;
using json::Object;
using json::Value;

constexpr std::string_view kIdentifierPattern =
    "(|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))";
constexpr std::string_view kVersionPattern = "(|([1-9][0-9]{0,7})|(DRAFT))";

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsRegionChar(char c) { return IsLowerAlnum(c) || c == '-'; }

bool MatchesIdentifier(std::string_view s) {
  if (AllOf(s, IsLowerAlnum)) return true;
  // arn:aws(-[^:]+)?:bedrock:REGION:ACCOUNT:guardrail/ID
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = s.find(':', start);
    if (colon == std::string_view::npos) return false;
    parts.push_back(s.substr(start, colon - start));
    start = colon + 1;
  }
  std::string_view resource = s.substr(start);
  std::string_view partition = parts[1];
  bool partition_ok =
      partition == "aws" || (partition.rfind("aws-", 0) == 0 && partition.size() > 4);
  return parts[0] == "arn" && partition_ok && parts[2] == "bedrock" && parts[3].size() <= 20 &&
         AllOf(parts[3], IsRegionChar) && parts[4].size() == 12 && AllOf(parts[4], IsDigit) &&
         resource.rfind("guardrail/", 0) == 0 && AllOf(resource.substr(10), IsLowerAlnum);
}

void AppendUsage(std::string& out, const guardrails::Assessment& a) {
  out += "{\"topicPolicyUnits\":0,\"contentPolicyUnits\":0,\"wordPolicyUnits\":";
  AppendJsonInt(out, a.word_units);
  out += ",\"sensitiveInformationPolicyUnits\":0,\"sensitiveInformationPolicyFreeUnits\":";
  AppendJsonInt(out, a.regex_units);
  out += ",\"contextualGroundingPolicyUnits\":0}";
}

void AppendCoverage(std::string& out, const guardrails::Assessment& a) {
  out += "{\"textCharacters\":{\"guarded\":";
  AppendJsonInt(out, a.characters);
  out += ",\"total\":";
  AppendJsonInt(out, a.characters);
  out += "}}";
}

std::string_view ActionReason(bool intervened) {
  return intervened ? "Guardrail blocked." : "No action.";
}

}  // namespace

Status CheckGuardrailIdentifier(std::string_view identifier, const WirePath& p) {
  if (identifier.size() > 2048) {
    return CoralConstraint(p, identifier, "Member must have length less than or equal to 2048");
  }
  if (!MatchesIdentifier(identifier)) {
    return CoralConstraint(
        p, identifier,
        "Member must satisfy regular expression pattern: " + std::string(kIdentifierPattern));
  }
  return Status::Ok();
}

Status CheckGuardrailVersion(std::string_view version, const WirePath& p) {
  if (!guardrails::IsValidVersion(version)) {
    return CoralConstraint(
        p, version,
        "Member must satisfy regular expression pattern: " + std::string(kVersionPattern));
  }
  return Status::Ok();
}

Status ParseGuardrailConfig(const Value& v, const WirePath& p, backends::ModelRequest& req) {
  static constexpr std::string_view kMembers[] = {"guardrailIdentifier", "guardrailVersion",
                                                  "trace", "streamProcessingMode"};
  static constexpr std::string_view kTraces[] = {"enabled", "disabled", "enabled_full"};
  static constexpr std::string_view kModes[] = {"sync", "async"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  backends::GuardrailRequest g;
  BP_ASSIGN_OR_RETURN(std::string_view id, RequiredString(*obj, "guardrailIdentifier", p));
  BP_RETURN_IF_ERROR(CheckGuardrailIdentifier(id, p.Key("guardrailIdentifier")));
  BP_ASSIGN_OR_RETURN(std::string_view version, RequiredString(*obj, "guardrailVersion", p));
  BP_RETURN_IF_ERROR(CheckGuardrailVersion(version, p.Key("guardrailVersion")));
  g.identifier = id;
  g.version = version;
  if (const Value* t = MemberOf(*obj, "trace")) {
    BP_ASSIGN_OR_RETURN(std::string_view trace, AsString(*t, p.Key("trace")));
    if (trace == "enabled") {
      g.trace = GuardrailTrace::kEnabled;
    } else if (trace == "enabled_full") {
      g.trace = GuardrailTrace::kEnabledFull;
    } else if (trace != "disabled") {
      return CoralEnum(p.Key("trace"), kTraces, trace);
    }
  }
  if (const Value* m = MemberOf(*obj, "streamProcessingMode")) {
    BP_ASSIGN_OR_RETURN(std::string_view mode, AsString(*m, p.Key("streamProcessingMode")));
    if (mode != "sync" && mode != "async") {
      return CoralEnum(p.Key("streamProcessingMode"), kModes, mode);
    }
    g.async = mode == "async";
  }
  req.guardrail = std::move(g);
  return Status::Ok();
}

Status ParseInvokeGuardrailHeaders(const http::Headers& headers, backends::ModelRequest& req) {
  static constexpr std::string_view kTraces[] = {"ENABLED", "DISABLED", "ENABLED_FULL"};
  const WirePath root;
  const std::string* id = http::FindHeader(headers, "x-amzn-bedrock-guardrailidentifier");
  const std::string* version = http::FindHeader(headers, "x-amzn-bedrock-guardrailversion");
  if (id == nullptr && version == nullptr) return Status::Ok();
  if (id == nullptr || version == nullptr) {
    return ValidationError(
        "Guardrail identifier and guardrail version must both be provided: send "
        "X-Amzn-Bedrock-GuardrailIdentifier and X-Amzn-Bedrock-GuardrailVersion together.");
  }
  BP_RETURN_IF_ERROR(CheckGuardrailIdentifier(*id, root.Key("guardrailIdentifier")));
  BP_RETURN_IF_ERROR(CheckGuardrailVersion(*version, root.Key("guardrailVersion")));
  backends::GuardrailRequest g{.identifier = *id, .version = *version};
  if (const std::string* trace = http::FindHeader(headers, "x-amzn-bedrock-trace")) {
    if (*trace == "ENABLED") {
      g.trace = GuardrailTrace::kEnabled;
    } else if (*trace == "ENABLED_FULL") {
      g.trace = GuardrailTrace::kEnabledFull;
    } else if (*trace != "DISABLED") {
      return CoralEnum(root.Key("trace"), kTraces, *trace);
    }
  }
  req.guardrail = std::move(g);
  return Status::Ok();
}

std::vector<std::string_view> GuardedInputTexts(const backends::ModelRequest& req, bool converse) {
  std::vector<std::string_view> out;
  bool any_guarded = false;
  for (const backends::Message& m : req.messages) {
    for (const ContentBlock& b : m.content) any_guarded = any_guarded || b.guard_content;
  }
  if (converse) {
    for (uint32_t i : req.guarded_system) {
      if (i < req.system.size()) out.push_back(req.system[i]);
    }
  } else {
    for (const std::string& s : req.system) out.push_back(s);
  }
  for (const backends::Message& m : req.messages) {
    for (const ContentBlock& b : m.content) {
      if (b.kind != ContentBlock::Kind::kText) continue;
      if (converse && any_guarded && !b.guard_content) continue;
      out.push_back(b.text);
    }
  }
  return out;
}

std::vector<std::string_view> OutputTexts(const backends::ModelResponse& response) {
  std::vector<std::string_view> out;
  for (const ContentBlock& b : response.content) {
    if (b.kind == ContentBlock::Kind::kText) out.push_back(b.text);
  }
  return out;
}

void AppendAssessmentJson(std::string& out, const GuardrailCheck& check) {
  const guardrails::Assessment& a = check.assessment;
  out += '{';
  if (!a.words.empty()) {
    out += "\"wordPolicy\":{\"customWords\":[";
    for (size_t i = 0; i < a.words.size(); ++i) {
      if (i) out += ',';
      out += "{\"match\":";
      AppendJsonString(out, a.words[i]);
      out += ",\"action\":\"BLOCKED\",\"detected\":true}";
    }
    out += "],\"managedWordLists\":[]},";
  }
  if (!a.regexes.empty()) {
    out += "\"sensitiveInformationPolicy\":{\"piiEntities\":[],\"regexes\":[";
    for (size_t i = 0; i < a.regexes.size(); ++i) {
      if (i) out += ',';
      out += "{\"match\":";
      AppendJsonString(out, a.regexes[i].match);
      out += ",\"regex\":";
      AppendJsonString(out, a.regexes[i].regex);
      out += ",\"action\":\"BLOCKED\",\"detected\":true}";
    }
    out += "]},";
  }
  out += "\"invocationMetrics\":{\"guardrailProcessingLatency\":0,\"usage\":";
  AppendUsage(out, a);
  out += ",\"guardrailCoverage\":";
  AppendCoverage(out, a);
  out += "},\"appliedGuardrailDetails\":{\"guardrailId\":";
  AppendJsonString(out, check.guardrail != nullptr ? check.guardrail->id() : "");
  out += ",\"guardrailVersion\":";
  AppendJsonString(out, check.version);
  out += ",\"guardrailArn\":";
  AppendJsonString(out, check.arn);
  out += R"(,"guardrailOrigin":["REQUEST"],"guardrailOwnership":"SELF"}})";
}

std::string ConverseGuardrailTraceJson(const GuardrailCheck& input,
                                       const std::vector<GuardrailCheck>& outputs,
                                       std::string_view model_output) {
  const std::string& id = input.guardrail->id();
  std::string out = "{\"guardrail\":{";
  if (!model_output.empty()) {
    out += "\"modelOutput\":[";
    AppendJsonString(out, model_output);
    out += "],";
  }
  out += "\"inputAssessment\":{";
  AppendJsonString(out, id);
  out += ':';
  AppendAssessmentJson(out, input);
  out += '}';
  bool intervened = input.assessment.intervened;
  if (!outputs.empty()) {
    out += ",\"outputAssessments\":{";
    AppendJsonString(out, id);
    out += ":[";
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (i) out += ',';
      AppendAssessmentJson(out, outputs[i]);
      intervened = intervened || outputs[i].assessment.intervened;
    }
    out += "]}";
  }
  if (intervened) {
    out += ",\"actionReason\":";
    AppendJsonString(out, ActionReason(true));
  }
  out += "}}";
  return out;
}

void AppendMemberToObject(std::string& object_json, std::string_view key,
                          std::string_view value_json) {
  if (object_json.empty() || object_json.back() != '}') return;
  object_json.pop_back();
  if (object_json.size() > 1) object_json += ',';
  AppendJsonString(object_json, key);
  object_json += ':';
  object_json += value_json;
  object_json += '}';
}

Result<ApplyGuardrailInput> ParseApplyGuardrailRequest(std::string_view body) {
  static constexpr std::string_view kMembers[] = {"source", "content", "outputScope"};
  static constexpr std::string_view kSources[] = {"INPUT", "OUTPUT"};
  static constexpr std::string_view kScopes[] = {"INTERVENTIONS", "FULL"};
  static constexpr std::string_view kKinds[] = {"text", "image"};
  static constexpr std::string_view kTextMembers[] = {"text", "qualifiers"};
  static constexpr std::string_view kQualifiers[] = {"grounding_source", "query", "guard_content"};
  BP_ASSIGN_OR_RETURN(Value doc, ParseBody(body));
  const WirePath root;
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(doc, root));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, root));
  ApplyGuardrailInput in;
  BP_ASSIGN_OR_RETURN(std::string_view source, RequiredString(*obj, "source", root));
  if (source == "OUTPUT") {
    in.source = guardrails::Source::kOutput;
  } else if (source != "INPUT") {
    return CoralEnum(root.Key("source"), kSources, source);
  }
  if (const Value* scope = MemberOf(*obj, "outputScope")) {
    BP_ASSIGN_OR_RETURN(std::string_view s, AsString(*scope, root.Key("outputScope")));
    if (s != "INTERVENTIONS" && s != "FULL") return CoralEnum(root.Key("outputScope"), kScopes, s);
    in.full_scope = s == "FULL";
  }
  const Value* content = MemberOf(*obj, "content");
  const WirePath cp = root.Key("content");
  if (content == nullptr) return CoralNull(cp);
  BP_ASSIGN_OR_RETURN(const json::Array* blocks, AsArray(*content, cp));
  for (size_t i = 0; i < blocks->size(); ++i) {
    WirePath ip = cp.Index(i);
    BP_ASSIGN_OR_RETURN(const Object* block, AsObject((*blocks)[i], ip));
    BP_ASSIGN_OR_RETURN(std::string_view kind, UnionMember(*block, kKinds, ip));
    WirePath kp = ip.Key(kind);
    if (kind == "image") return UnsupportedMember(kp);
    BP_ASSIGN_OR_RETURN(const Object* text, AsObject(block->at(kind), kp));
    BP_RETURN_IF_ERROR(CheckMembers(*text, kTextMembers, kp));
    BP_ASSIGN_OR_RETURN(std::string_view t, RequiredString(*text, "text", kp));
    if (const Value* q = MemberOf(*text, "qualifiers")) {
      WirePath qp = kp.Key("qualifiers");
      BP_ASSIGN_OR_RETURN(const json::Array* qs, AsArray(*q, qp));
      for (size_t j = 0; j < qs->size(); ++j) {
        BP_ASSIGN_OR_RETURN(std::string_view name, AsString((*qs)[j], qp.Index(j)));
        if (!OneOfNames(name, kQualifiers)) return CoralEnum(qp.Index(j), kQualifiers, name);
      }
    }
    in.texts.emplace_back(t);
  }
  return in;
}

std::string ApplyGuardrailResponseJson(const GuardrailCheck& check, guardrails::Source source) {
  const guardrails::Assessment& a = check.assessment;
  std::string out = "{\"usage\":";
  AppendUsage(out, a);
  out += ",\"action\":";
  AppendJsonString(out, a.intervened ? "GUARDRAIL_INTERVENED" : "NONE");
  out += ",\"actionReason\":";
  AppendJsonString(out, ActionReason(a.intervened));
  out += ",\"outputs\":[";
  if (a.intervened) {
    out += "{\"text\":";
    AppendJsonString(out, check.guardrail->rules(source).blocked_message);
    out += '}';
  }
  out += "],\"assessments\":[";
  AppendAssessmentJson(out, check);
  out += "],\"guardrailCoverage\":";
  AppendCoverage(out, a);
  out += '}';
  return out;
}

}  // namespace bp::api::runtime
