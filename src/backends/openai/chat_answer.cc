#include "backends/openai/chat_answer.h"

#include <optional>
#include <utility>

#include "backends/openai/chat_common.h"
#include "backends/openai/upstream_error.h"
#include "backends/tokenizer.h"
#include "json/json.h"

namespace bp::backends::openai {
namespace {

using Kind = ContentBlock::Kind;

// A string member, or nullopt for null / absent; the wrong kind is an error.
Result<std::optional<std::string_view>> OptionalText(const json::Object& obj, std::string_view key,
                                                     const std::string& path) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return std::optional<std::string_view>();
  if (!it->value().is_string()) {
    return ValidationError(
        Expected(path + "." + std::string(key), "a string or null", it->value()));
  }
  return std::optional<std::string_view>(it->value().get_string());
}

// message.content: a string, null, or an array of text parts.
Status ReadContent(const json::Object& message, const std::string& path, std::string& text) {
  const auto it = message.find("content");
  if (it == message.end() || it->value().is_null()) return Status::Ok();
  const json::Value& content = it->value();
  const std::string p = path + ".content";
  if (content.is_string()) {
    text = content.get_string();
    return Status::Ok();
  }
  if (!content.is_array())
    return ValidationError(Expected(p, "a string, an array or null", content));
  const json::Array& parts = content.get_array();
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string ip = p + "[" + std::to_string(i) + "]";
    if (!parts[i].is_object()) return ValidationError(Expected(ip, "an object", parts[i]));
    BP_ASSIGN_OR_RETURN(std::optional<std::string_view> part,
                        OptionalText(parts[i].get_object(), "text", ip));
    if (part) text += *part;
  }
  return Status::Ok();
}

// The tool calls of the message, appended to `answer` (malformed ones
// counted in `dropped`).
Status ReadToolCalls(const json::Object& message, const std::string& path,
                     std::string_view completion_id, ChatAnswer& answer, bool& dropped) {
  const auto it = message.find("tool_calls");
  if (it == message.end() || it->value().is_null()) return Status::Ok();
  const std::string p = path + ".tool_calls";
  if (!it->value().is_array()) return ValidationError(Expected(p, "an array", it->value()));
  const json::Array& calls = it->value().get_array();
  if (calls.size() > kMaxToolCalls) {
    return ValidationError(p + ": more than " + std::to_string(kMaxToolCalls) + " tool calls");
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    const std::string ip = p + "[" + std::to_string(i) + "]";
    if (!calls[i].is_object()) return ValidationError(Expected(ip, "an object", calls[i]));
    const json::Object& call = calls[i].get_object();
    BP_ASSIGN_OR_RETURN(std::optional<std::string_view> id, OptionalText(call, "id", ip));
    const auto fn = call.find("function");
    if (fn == call.end() || !fn->value().is_object()) {
      const json::Value null_value;
      return ValidationError(
          Expected(ip + ".function", "an object", fn == call.end() ? null_value : fn->value()));
    }
    const json::Object& function = fn->value().get_object();
    const std::string fp = ip + ".function";
    BP_ASSIGN_OR_RETURN(std::optional<std::string_view> name, OptionalText(function, "name", fp));
    std::optional<std::string> input;
    const auto args = function.find("arguments");
    if (args == function.end() || args->value().is_null()) {
      input = "{}";
    } else if (args->value().is_string()) {
      input = ToolInputJson(args->value().get_string());
    } else if (args->value().is_object()) {
      input = json::Serialize(args->value());
    } else {
      return ValidationError(Expected(fp + ".arguments", "a string", args->value()));
    }
    if (!input || !name || name->empty()) {
      dropped = true;
      continue;
    }
    ContentBlock& block = answer.blocks.emplace_back();
    block.kind = Kind::kToolUse;
    block.tool_use_id = ToolUseId(id.value_or(""), completion_id, i);
    block.tool_name = *name;
    block.input_json = std::move(*input);
  }
  return Status::Ok();
}

// The checks and the blocks; Status messages are the detail after
// "answered a malformed chat completion: ".
Status Decode(const json::Value& doc, const AnswerContext& context, ChatAnswer& answer) {
  if (!doc.is_object()) return ValidationError(Expected("$", "an object", doc));
  const json::Object& root = doc.get_object();
  const auto choices_it = root.find("choices");
  if (choices_it == root.end() || !choices_it->value().is_array()) {
    const json::Value null_value;
    return ValidationError(Expected("$.choices", "an array",
                                    choices_it == root.end() ? null_value : choices_it->value()));
  }
  const json::Array& choices = choices_it->value().get_array();
  if (choices.empty()) return ValidationError("$.choices: empty");
  if (!choices[0].is_object())
    return ValidationError(Expected("$.choices[0]", "an object", choices[0]));
  const json::Object& choice = choices[0].get_object();
  const auto message_it = choice.find("message");
  if (message_it == choice.end() || !message_it->value().is_object()) {
    const json::Value null_value;
    return ValidationError(Expected("$.choices[0].message", "an object",
                                    message_it == choice.end() ? null_value : message_it->value()));
  }
  const json::Object& message = message_it->value().get_object();
  const std::string mp = "$.choices[0].message";

  BP_ASSIGN_OR_RETURN(std::optional<std::string_view> reasoning_content,
                      OptionalText(message, "reasoning_content", mp));
  BP_ASSIGN_OR_RETURN(std::optional<std::string_view> reasoning,
                      OptionalText(message, "reasoning", mp));
  // vLLM may send both with the same text: one of them.
  std::string_view thought = reasoning_content.value_or("");
  if (thought.empty()) thought = reasoning.value_or("");
  std::string text;
  BP_RETURN_IF_ERROR(ReadContent(message, mp, text));
  BP_ASSIGN_OR_RETURN(std::optional<std::string_view> refusal,
                      OptionalText(message, "refusal", mp));
  if (refusal && !refusal->empty()) {
    if (!text.empty()) text += '\n';
    text += *refusal;
  }
  if (!thought.empty()) {
    ContentBlock& block = answer.blocks.emplace_back();
    block.kind = Kind::kReasoning;
    block.text = thought;
  }
  if (!text.empty()) answer.blocks.push_back({.kind = Kind::kText, .text = text});
  const std::string_view completion_id = json::StringOrEmpty(json::Find(&doc, {"id"}));
  bool dropped = false;
  const size_t before_tools = answer.blocks.size();
  BP_RETURN_IF_ERROR(ReadToolCalls(message, mp, completion_id, answer, dropped));

  StopFacts facts;
  BP_ASSIGN_OR_RETURN(std::optional<std::string_view> finish,
                      OptionalText(choice, "finish_reason", "$.choices[0]"));
  if (finish) facts.finish_reason = std::string(*finish);
  if (const json::Value* s = json::Find(&choices[0], {"stop_reason"}); s && s->is_string()) {
    facts.matched_stop = std::string(s->get_string());
  }
  facts.text_tail = text;
  facts.tool_calls = answer.blocks.size() > before_tools;
  facts.malformed_tool_call = dropped;
  facts.refusal = refusal && !refusal->empty();
  StopChoice stop = ChooseStop(facts, context.stop_sequences);
  answer.stop_reason = stop.reason;
  answer.stop_sequence = std::move(stop.stop_sequence);

  ServerUsage server;
  BP_RETURN_IF_ERROR(ReadUsage(doc, "$", server));
  int64_t output_estimate = 0;
  for (const ContentBlock& block : answer.blocks) {
    output_estimate += CountTokens(block.kind == Kind::kToolUse ? block.input_json : block.text);
  }
  answer.usage = ResolveUsage(server, context.input_estimate, output_estimate);
  return Status::Ok();
}

}  // namespace

AnswerContext MakeAnswerContext(const ModelRequest& request) {
  return {.region = request.region,
          .stop_sequences = request.stop_sequences,
          .input_estimate = CountRequestTokens(request)};
}

Result<ChatAnswer> DecodeChatCompletion(std::string_view body, const AnswerContext& context) {
  if (body.size() > kMaxAnswerBytes) {
    return Malformed(ErrorCode::kModelError, context.region,
                     "an answer of " + std::to_string(body.size()) + " bytes (at most " +
                         std::to_string(kMaxAnswerBytes) + ")");
  }
  Result<json::Value> doc = json::Parse(body);
  if (!doc.ok()) {
    return Malformed(ErrorCode::kModelError, context.region,
                     "not JSON (" + doc.status().message() + ")");
  }
  if (IsErrorDocument(*doc)) return EmbeddedErrorStatus(*doc, context.region);
  ChatAnswer answer;
  Status status = Decode(*doc, context, answer);
  if (!status.ok()) return Malformed(ErrorCode::kModelError, context.region, status.message());
  return answer;
}

void EmitAnswer(ChatAnswer answer, OutputSink& sink, const bool* cancelled) {
  const auto gone = [cancelled] { return cancelled != nullptr && *cancelled; };
  sink.OnStart(answer.usage.input_tokens);
  for (size_t i = 0; i < answer.blocks.size(); ++i) {
    if (gone()) return;
    const ContentBlock& block = answer.blocks[i];
    const int index = static_cast<int>(i);
    switch (block.kind) {
      case Kind::kReasoning:
        sink.OnReasoningStart(index);
        if (gone()) return;
        sink.OnReasoningDelta(index, block.text);
        break;
      case Kind::kToolUse:
        sink.OnToolUseStart(index, block.tool_use_id, block.tool_name);
        if (gone()) return;
        sink.OnToolInputDelta(index, block.input_json);
        break;
      default:
        sink.OnTextStart(index);
        if (gone()) return;
        sink.OnTextDelta(index, block.text);
        break;
    }
    if (gone()) return;
    sink.OnBlockStop(index);
  }
  if (gone()) return;
  sink.OnFinish(answer.stop_reason, answer.stop_sequence, answer.usage);
}

}  // namespace bp::backends::openai
