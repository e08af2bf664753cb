#pragma once
// Extended thinking (reasoning) requests as Anthropic's models take them: the
// `thinking` member of an Anthropic body, and the same object in a Converse
// body's additionalModelRequestFields.thinking. Private to bp_api_runtime.
// Pure functions; thread-safe.
//
// Errors are kValidation with the model's own sentences (Anthropic's), which
// Bedrock passes through: as they are for an InvokeModel body, and after
// "The model returned the following errors: " (kModelErrorsPrefix) for
// Converse, where the object travels in additionalModelRequestFields.

#include <string_view>

#include "api/runtime/wire_util.h"
#include "backends/backend.h"

namespace bp::api::runtime {

inline constexpr std::string_view kModelErrorsPrefix = "The model returned the following errors: ";

enum class ThinkingWire : uint8_t { kAnthropic, kConverse };

// `thinking`: {type: "enabled", budget_tokens: integer >= 1024} sets
// req.thinking_budget; {type: "disabled"} leaves it 0. {type: "adaptive"} is
// refused: no model this endpoint serves takes it ("\"thinking.type.adaptive\"
// is not supported for this model. ..."). Schema errors name the member the
// way Anthropic does ("thinking.enabled.budget_tokens: Input should be
// greater than or equal to 1024", "thinking.type: Field required",
// "thinking.enabled.foo: Extra inputs are not permitted").
Status ParseThinkingConfig(const json::Value& v, ThinkingWire wire, backends::ModelRequest& req);

// With thinking on (req.thinking_budget > 0), once the whole request is
// parsed, the rules that tie it to the other members, in this order:
// max_tokens (when given) must be greater than the budget; temperature only
// 1; top_p, when set, 0.95..1; top_k unset; tool_choice not forcing tool use
// (kAny / kTool). OK when thinking is off.
Status CheckThinking(const backends::ModelRequest& req, ThinkingWire wire);

// With thinking on: the model must take it (`supported`: its catalog
// entry's `reasoning`), else "<model_name> does not support thinking"
// (`model_name`: the Anthropic-style name, "claude-3-haiku-20240307"). OK
// when thinking is off.
Status CheckThinkingModel(const backends::ModelRequest& req, bool supported,
                          std::string_view model_name, ThinkingWire wire);

}  // namespace bp::api::runtime
