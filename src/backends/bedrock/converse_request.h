#pragma once
// The body of POST /model/{modelId}/converse (and /converse-stream, which
// takes the same body) for a canonical ModelRequest: the request half of the
// backend that proxies to real Amazon Bedrock. Pure code, no I/O; the HTTP
// client, SigV4 signing and the class tying them together live elsewhere.
// Public header of bp_backends_bedrock.
//
// BuildConverseRequest is the inverse of api::runtime::ParseConverseRequest
// (converse_wire.h): parsing what it builds gives back the request, field by
// field (converse_request_test.cc checks that over a table). Mapping
// (docs/upstreams.md, "Bedrock translation", has the table):
// - messages: text, image {format, source {bytes}}, document {format, name,
//   source {bytes}}, video / audio {format, source {bytes}}, toolUse
//   {toolUseId, name, input}, toolResult {toolUseId, content [{text}, {json}..],
//   status: "error" when is_error}, reasoningContent {reasoningText {text,
//   signature}} or {redactedContent} (ContentBlock::base64 of a reasoning
//   block), guardContent {text {text}} / {image} for guarded blocks, and
//   cachePoint {type: default[, ttl: 1h]} where the cache points fall.
// - system: text parts, guardContent {text} for guarded_system, cache points.
// - inferenceConfig: maxTokens (when > 0), temperature, topP, stopSequences.
// - toolConfig: tools [{toolSpec {name, description, inputSchema {json},
//   strict}}, cachePoint..], toolChoice {any} / {tool {name}} (auto, the
//   default, is not sent). ToolChoice::kNone has no Converse counterpart:
//   toolConfig is left out so the model cannot call a tool, unless the
//   conversation holds tool blocks (then toolConfig is required and is sent
//   with auto).
// - additionalModelRequestFields: {"top_k": k}, {"thinking": {"type":
//   "enabled", "budget_tokens": n}} (Anthropic's names; Bedrock hands the
//   object to the model).
// - outputConfig.textFormat {type: json_schema, structure {jsonSchema {schema
//   (the schema as JSON text), name, description}}}.
// - serviceTier {type} when one was asked for; requestMetadata as given.
// - additionalModelResponseFieldPaths ["/stop_sequence",
//   "/delta/stop_sequence"] for Anthropic models (model_id holds
//   "anthropic.") with stop sequences: how Claude says which one matched.
// - Not sent: guardrailConfig (the endpoint applies guardrails itself, around
//   every backend, so Bedrock is not asked to apply them again), the profile
//   ARN (the endpoint's own inference profile means nothing upstream),
//   model_id (it goes in the path: ConversePath) and region.
//
// Refused with kValidation naming the block ("messages.1.content.0: ..."):
// an image, document, video or audio whose bytes were not kept
// (ContentBlock::base64 empty: a document given as text or content parts),
// search results (their title and texts are joined in the canonical form),
// a tool result holding images, documents or videos (only their size is
// kept), tool input or a tool schema that is not JSON, tool blocks without
// tools, a tool choice naming a tool that is not offered, more than
// kMaxTools tools.

#include <cstddef>
#include <string>
#include <string_view>

#include "backends/backend.h"
#include "core/status.h"

namespace bp::backends::bedrock {

inline constexpr size_t kMaxTools = 1000;

// The compact JSON body for `request`. Pure; thread-safe.
Result<std::string> BuildConverseRequest(const ModelRequest& request);

// "/model/<upstream_model_id percent-encoded as the AWS SDKs do (':' -> %3A,
// '/' -> %2F)>/converse", or ".../converse-stream" when `stream`.
std::string ConversePath(std::string_view upstream_model_id, bool stream);

}  // namespace bp::backends::bedrock
