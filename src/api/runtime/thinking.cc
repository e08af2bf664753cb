#include "api/runtime/thinking.h"

#include <algorithm>
#include <climits>
#include <optional>
#include <string>

namespace bp::api::runtime {

namespace {

using json::Object;
using json::Value;

constexpr int64_t kMinBudget = 1024;
constexpr std::string_view kConsiderations =
    " Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/"
    "extended-thinking#important-considerations-when-using-extended-thinking";

Status ModelError(ThinkingWire wire, std::string message) {
  if (wire == ThinkingWire::kConverse) message.insert(0, kModelErrorsPrefix);
  return ValidationError(std::move(message));
}

// Extra keys first, as the model's validator reports them.
Status CheckExtra(const Object& obj, Names allowed, std::string_view where, ThinkingWire wire) {
  for (const auto& m : obj) {
    if (!OneOfNames(m.key(), allowed)) {
      return ModelError(wire, std::string(where) + "." + std::string(m.key()) +
                                  ": Extra inputs are not permitted");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ParseThinkingConfig(const Value& v, ThinkingWire wire, backends::ModelRequest& req) {
  static constexpr std::string_view kEnabled[] = {"type", "budget_tokens"};
  static constexpr std::string_view kDisabled[] = {"type"};
  req.thinking_budget = 0;
  if (!v.is_object()) {
    return ModelError(wire, "thinking: Input should be a valid dictionary or object");
  }
  const Object& obj = v.get_object();
  const Value* type = MemberOf(obj, "type");
  if (type == nullptr) return ModelError(wire, "thinking.type: Field required");
  if (!type->is_string()) return ModelError(wire, "thinking.type: Input should be a valid string");
  const std::string_view kind = type->get_string();
  if (kind == "adaptive") {
    return ModelError(wire,
                      "\"thinking.type.adaptive\" is not supported for this model. Use "
                      "\"thinking.type.enabled\" and \"thinking.budget_tokens\" to control "
                      "thinking behavior.");
  }
  if (kind == "disabled") return CheckExtra(obj, kDisabled, "thinking.disabled", wire);
  if (kind != "enabled") {
    return ModelError(wire, "thinking: Input tag '" + std::string(kind) +
                                "' found using 'type' does not match any of the expected tags: "
                                "'enabled', 'disabled'");
  }
  BP_RETURN_IF_ERROR(CheckExtra(obj, kEnabled, "thinking.enabled", wire));
  const Value* budget = MemberOf(obj, "budget_tokens");
  if (budget == nullptr) return ModelError(wire, "thinking.enabled.budget_tokens: Field required");
  std::optional<int64_t> n = IntegerValue(*budget);
  if (!n)
    return ModelError(wire, "thinking.enabled.budget_tokens: Input should be a valid integer");
  if (*n < kMinBudget) {
    return ModelError(wire,
                      "thinking.enabled.budget_tokens: Input should be greater than or equal to " +
                          std::to_string(kMinBudget));
  }
  // A budget beyond any max_tokens fails the max_tokens rule (CheckThinking,
  // or the backend's own check when max_tokens is left to its default).
  req.thinking_budget = static_cast<int32_t>(std::min<int64_t>(*n, INT32_MAX));
  return Status::Ok();
}

Status CheckThinking(const backends::ModelRequest& req, ThinkingWire wire) {
  if (req.thinking_budget <= 0) return Status::Ok();
  if (req.max_tokens > 0 && req.max_tokens <= req.thinking_budget) {
    return ModelError(wire,
                      "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult "
                      "our documentation at https://docs.claude.com/en/docs/build-with-claude/"
                      "extended-thinking#max-tokens-and-context-window-size");
  }
  if (req.temperature && *req.temperature != 1) {
    return ModelError(wire, "`temperature` may only be set to 1 when thinking is enabled." +
                                std::string(kConsiderations));
  }
  if (req.top_p && *req.top_p < 0.95) {
    return ModelError(wire,
                      "`top_p` must be greater than or equal to 0.95 or unset when thinking is "
                      "enabled." +
                          std::string(kConsiderations));
  }
  if (req.top_k) {
    return ModelError(
        wire, "`top_k` must be unset when thinking is enabled." + std::string(kConsiderations));
  }
  if (req.tool_choice == backends::ToolChoice::kAny ||
      req.tool_choice == backends::ToolChoice::kTool) {
    return ModelError(wire, "Thinking may not be enabled when tool_choice forces tool use.");
  }
  return Status::Ok();
}

Status CheckThinkingModel(const backends::ModelRequest& req, bool supported,
                          std::string_view model_name, ThinkingWire wire) {
  if (req.thinking_budget <= 0 || supported) return Status::Ok();
  return ModelError(wire, std::string(model_name) + " does not support thinking");
}

}  // namespace bp::api::runtime
