#pragma once
// Guardrails on the wire (docs/runtime.md "Guardrails"): Converse's
// guardrailConfig, InvokeModel's guardrail headers, which text of a request
// a guardrail evaluates, the assessment / trace JSON, and ApplyGuardrail's
// body and answer. Pure functions; thread-safe. Private to bp_api_runtime.
//
// Errors are kValidation in Coral wording (wire_util.h).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/runtime/wire_util.h"
#include "backends/backend.h"
#include "guardrails/guardrail.h"
#include "http/message.h"

namespace bp::api::runtime {

// Bedrock's answer (ValidationException on Converse / InvokeModel, observed)
// for a guardrail id, ARN or version it does not have.
inline constexpr std::string_view kGuardrailNotFound =
    "The guardrail identifier or version provided in the request does not exist.";

// guardrailConfig {guardrailIdentifier*, guardrailVersion*, trace:
// enabled|disabled|enabled_full, streamProcessingMode: sync|async} at `p`
// (streamProcessingMode is ConverseStream's; Converse accepts and ignores
// it). The identifier must match Bedrock's pattern (an id [a-z0-9]+ or a
// guardrail ARN, at most 2048 characters), the version ^([1-9][0-9]{0,7}|DRAFT)$.
Status ParseGuardrailConfig(const json::Value& v, const WirePath& p, backends::ModelRequest& req);

// The identifier / version rules above, at `p` (also ApplyGuardrail's path).
Status CheckGuardrailIdentifier(std::string_view identifier, const WirePath& p);
Status CheckGuardrailVersion(std::string_view version, const WirePath& p);

// InvokeModel*: X-Amzn-Bedrock-GuardrailIdentifier and -GuardrailVersion
// (both or neither), X-Amzn-Bedrock-Trace ENABLED|DISABLED|ENABLED_FULL.
// Without the identifier and version, nothing is set (the trace header
// alone is ignored, as Bedrock does).
Status ParseInvokeGuardrailHeaders(const http::Headers& headers, backends::ModelRequest& req);

// The input text a guardrail evaluates. Converse (Bedrock's rules): the
// messages' guardContent blocks when there is any, else every text block of
// every message (tool use, tool results, images, documents: not evaluated);
// plus the system prompt's guardContent blocks only. InvokeModel (`converse`
// false; input tags are not modelled): every text block and system part.
std::vector<std::string_view> GuardedInputTexts(const backends::ModelRequest& req, bool converse);

// The text blocks of a model answer (tool input is not evaluated).
std::vector<std::string_view> OutputTexts(const backends::ModelResponse& response);

// What one guardrail check reports: its assessment and where it ran.
struct GuardrailCheck {
  const guardrails::Guardrail* guardrail = nullptr;
  std::string arn;      // arn:aws:bedrock:REGION:ACCOUNT:guardrail/ID
  std::string version;  // as the caller asked
  guardrails::Assessment assessment;
};

// One GuardrailAssessment object: wordPolicy.customWords and
// sensitiveInformationPolicy.regexes for the findings (action BLOCKED,
// detected true), invocationMetrics {guardrailProcessingLatency, usage,
// guardrailCoverage} and appliedGuardrailDetails (origin REQUEST, owner SELF).
void AppendAssessmentJson(std::string& out, const GuardrailCheck& check);

// Converse's trace {"guardrail":{"modelOutput"?,"inputAssessment":{id:A},
// "outputAssessments"?:{id:[A...]},"actionReason"?}}; `model_output` (the
// blocked answer) is shown when not empty.
std::string ConverseGuardrailTraceJson(const GuardrailCheck& input,
                                       const std::vector<GuardrailCheck>& outputs,
                                       std::string_view model_output);

// Inserts `"key":value_json` as the last member of the JSON object text
// `object_json` (which ends with '}'); used for InvokeModel's
// "amazon-bedrock-guardrailAction" and "amazon-bedrock-trace".
void AppendMemberToObject(std::string& object_json, std::string_view key,
                          std::string_view value_json);

// ---- ApplyGuardrail -------------------------------------------------------

struct ApplyGuardrailInput {
  guardrails::Source source = guardrails::Source::kInput;
  std::vector<std::string> texts;  // content[].text.text, in order
  bool full_scope = false;         // outputScope FULL (word and regex results are the same)
};

// {source*: INPUT|OUTPUT, content*: [{text: {text*, qualifiers}} | {image}],
// outputScope: INTERVENTIONS|FULL}. Image blocks are refused as not
// supported by this endpoint.
Result<ApplyGuardrailInput> ParseApplyGuardrailRequest(std::string_view body);

// {"usage":{...},"action":"GUARDRAIL_INTERVENED"|"NONE","actionReason",
// "outputs":[{"text":blocked message}] (empty when NONE),"assessments":[A],
// "guardrailCoverage":{...}}.
std::string ApplyGuardrailResponseJson(const GuardrailCheck& check, guardrails::Source source);

}  // namespace bp::api::runtime
