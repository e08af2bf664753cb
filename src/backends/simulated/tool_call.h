#pragma once
// When and how the simulated model calls a tool. Private to
// bp_backends_simulated. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "backends/simulated/conversation.h"
#include "core/status.h"

namespace bp::backends::simulated {

struct ToolDecision {
  const Tool* tool = nullptr;  // into the request; null: answer with text only
  bool preamble = false;       // kAuto: a short text block comes first
};

// Rules, in order:
//   kTool naming a tool that is not offered -> kValidation error;
//   no tools, kNone, or the last user message carries a tool result -> none;
//   kTool -> the named tool;  kAny -> the first mentioned tool, else the first;
//   kAuto -> none if the last user text is a "Say:" request, else the first
//            mentioned tool (with preamble), else none.
// "Mentioned": see MentionsTool; tools are tried in request order.
Result<ToolDecision> DecideTool(const ModelRequest& request, const Conversation& conv);

// True when `text` contains `name` ASCII case-insensitively, where '_' and
// '-' in the name also match ' ', '_' or '-', and the match is not part of a
// longer word (no ASCII letter or digit right before or after it).
bool MentionsTool(std::string_view text, std::string_view name);

// The tool's input as compact JSON, filled from its schema (see
// simulated_backend.h). A missing or malformed schema gives "{}".
std::string FillToolInput(std::string_view schema_json, std::string_view user_text);

// A compact JSON value of any type generated from `schema_json` by the same
// rules (the structured-output answer). For a schema within the subset of
// api/runtime/structured_output.h the value validates against it. A
// malformed schema gives "{}".
std::string FillFromSchema(std::string_view schema_json, std::string_view user_text);

// "tooluse_" + 22 characters of [A-Za-z0-9] fixed by `hash`.
std::string ToolUseId(uint64_t hash);

// Cuts `json` into 2-4 fragments (fixed by `hash`; fewer when it is shorter),
// never inside a UTF-8 character. Appends each fragment's end offset.
void SplitFragments(std::string_view json, uint64_t hash, std::vector<uint32_t>& ends);

}  // namespace bp::backends::simulated
