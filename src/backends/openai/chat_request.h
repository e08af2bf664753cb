#pragma once
// The body of POST {base_url}/v1/chat/completions for a canonical
// ModelRequest: the request half of the OpenAI-compatible backend (llama.cpp's
// llama-server, vLLM, Ollama, LM Studio). Pure code, no I/O; the HTTP client
// and the config binding live elsewhere. Public header of
// bp_backends_openai.
//
// Mapping (docs/upstreams.md, "OpenAI-compatible translation", has the table):
// - system parts: one leading {"role": "system"} message, parts joined by
//   "\n" (chat templates of local models often take one system message only).
// - user messages: text and images ({"type": "image_url", "image_url":
//   {"url": "data:image/<format>;base64,<ContentBlock::base64>"}}); a single
//   text block is sent as a plain string, anything else as an array of parts.
//   Tool results become {"role": "tool", "tool_call_id", "content"} messages,
//   placed before the rest of that user message (a tool message must follow
//   the assistant message that called the tool); an error result's content
//   starts with "Error: " (the format has no error flag); text and JSON parts
//   are joined by "\n".
// - assistant messages: text joined into `content` (null when there is none
//   but tool calls), tool uses as `tool_calls` [{id, type: "function",
//   function: {name, arguments: <input JSON as a string>}}], reasoning text as
//   both `reasoning_content` (llama-server, older vLLM) and `reasoning`
//   (vLLM >= 0.16) so templates that interleave reasoning see it; signatures
//   are dropped. Empty messages are left out.
// - max_tokens (the one limit llama-server, vLLM, Ollama and LM Studio all
//   take; max_completion_tokens is newer and not universal):
//   request.max_tokens, else options.default_max_tokens, else not sent.
// - temperature, top_p, top_k (an extension llama-server, vLLM and LM Studio
//   take), stop (all of the request's stop sequences).
// - tools: {type: "function", function: {name, description, parameters,
//   strict: true for strict tools}}; tool_choice "auto" / "required" /
//   "none" / {type: "function", function: {name}}; neither is sent without
//   tools.
// - output format: response_format {type: "json_schema", json_schema: {name,
//   description, schema, strict: true}}; the name is reduced to
//   [A-Za-z0-9_-]{1,64} ("output" when empty).
// - stream: true adds stream_options {include_usage} when asked.
// - Not sent: cache points (servers cache prefixes on their own; their cached
//   tokens come back as cache reads), request metadata (ledger only),
//   guardrails (applied by the runtime around every backend), the service
//   tier "default".
//
// Refused with kValidation naming the field and saying the region answers
// from an OpenAI-compatible server: extended thinking (thinking_budget > 0:
// no portable budget), documents, videos, audio and search results (no
// common counterpart), images inside tool results or assistant messages (the
// format carries text only there), a service tier other than default, an
// image without its bytes (ContentBlock::base64 empty), a tool choice naming
// a tool that is not offered. An empty options.model is kInternal (a config
// binding bug, not the caller's).

#include <cstdint>
#include <string>

#include "backends/backend.h"
#include "core/status.h"

namespace bp::backends::openai {

struct OpenAiOptions {
  std::string model;               // the upstream model name of the region; required
  bool stream = false;             // "stream": true and SSE answers
  bool include_usage = true;       // streaming only: stream_options.include_usage
  int32_t default_max_tokens = 0;  // sent when the request says 0; <= 0: nothing sent
};

// The compact JSON body for `request`. Pure; thread-safe. The image bytes
// are written once into the result (no intermediate copy).
Result<std::string> BuildChatRequest(const ModelRequest& request, const OpenAiOptions& options);

}  // namespace bp::backends::openai
