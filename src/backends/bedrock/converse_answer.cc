#include "backends/bedrock/converse_answer.h"

#include <string>
#include <utility>

#include "backends/bedrock/converse_common.h"
#include "backends/tokenizer.h"
#include "json/json.h"

namespace bp::backends::bedrock {
namespace {

using Kind = ContentBlock::Kind;
constexpr std::string_view kWhat = "Converse response";

// A required non-empty string member.
Result<std::string_view> NonEmptyString(const json::Object& obj, std::string_view key,
                                        const std::string& path) {
  const auto it = obj.find(key);
  const std::string member = path + "." + std::string(key);
  if (it == obj.end()) return ValidationError(member + ": missing");
  if (!it->value().is_string() || it->value().get_string().empty()) {
    return ValidationError(Expected(member, "a non-empty string", it->value()));
  }
  return std::string_view(it->value().get_string());
}

// One element of output.message.content; appends to `out` (or nothing).
Status DecodeBlock(const json::Value& v, const std::string& path, ModelResponse& out,
                   size_t& tool_uses) {
  if (!v.is_object()) return ValidationError(Expected(path, "an object", v));
  const json::Object& obj = v.get_object();
  if (const auto it = obj.find("text"); it != obj.end()) {
    if (!it->value().is_string()) {
      return ValidationError(Expected(path + ".text", "a string", it->value()));
    }
    if (it->value().get_string().empty()) return Status::Ok();
    out.content.push_back({.kind = Kind::kText, .text = std::string(it->value().get_string())});
    return Status::Ok();
  }
  if (const auto it = obj.find("toolUse"); it != obj.end()) {
    const std::string tp = path + ".toolUse";
    if (!it->value().is_object()) return ValidationError(Expected(tp, "an object", it->value()));
    if (++tool_uses > kMaxToolUses) {
      return ValidationError("more than " + std::to_string(kMaxToolUses) + " tool uses");
    }
    const json::Object& use = it->value().get_object();
    BP_ASSIGN_OR_RETURN(std::string_view id, NonEmptyString(use, "toolUseId", tp));
    BP_ASSIGN_OR_RETURN(std::string_view name, NonEmptyString(use, "name", tp));
    const auto input = use.find("input");
    if (input == use.end()) return ValidationError(tp + ".input: missing");
    if (!input->value().is_object()) {
      return ValidationError(Expected(tp + ".input", "an object", input->value()));
    }
    out.content.push_back({.kind = Kind::kToolUse,
                           .tool_use_id = std::string(id),
                           .tool_name = std::string(name),
                           .input_json = json::Serialize(input->value())});
    return Status::Ok();
  }
  if (const auto it = obj.find("reasoningContent"); it != obj.end()) {
    const std::string rp = path + ".reasoningContent";
    if (!it->value().is_object()) return ValidationError(Expected(rp, "an object", it->value()));
    const json::Object& reasoning = it->value().get_object();
    const auto text_it = reasoning.find("reasoningText");
    if (text_it == reasoning.end()) return Status::Ok();  // redactedContent: skipped
    const std::string tp = rp + ".reasoningText";
    if (!text_it->value().is_object()) {
      return ValidationError(Expected(tp, "an object", text_it->value()));
    }
    const json::Object& text = text_it->value().get_object();
    ContentBlock block{.kind = Kind::kReasoning};
    if (const auto t = text.find("text"); t != text.end() && !t->value().is_null()) {
      if (!t->value().is_string()) {
        return ValidationError(Expected(tp + ".text", "a string", t->value()));
      }
      block.text = t->value().get_string();
    }
    if (const auto s = text.find("signature"); s != text.end() && !s->value().is_null()) {
      if (!s->value().is_string()) {
        return ValidationError(Expected(tp + ".signature", "a string", s->value()));
      }
      block.signature = s->value().get_string();
    }
    if (block.text.empty() && block.signature.empty()) return Status::Ok();
    out.content.push_back(std::move(block));
    return Status::Ok();
  }
  return Status::Ok();  // citationsContent and members added later: not modelled
}

Status Decode(std::string_view body, const AnswerContext& context, ModelResponse& out) {
  if (body.size() > kMaxAnswerBytes) {
    return ValidationError("a body of " + std::to_string(body.size()) + " bytes (more than " +
                           std::to_string(kMaxAnswerBytes) + ")");
  }
  Result<json::Value> doc = json::Parse(body);
  if (!doc.ok()) return ValidationError("$: not JSON (" + doc.status().message() + ")");
  if (!doc->is_object()) return ValidationError(Expected("$", "an object", *doc));
  const json::Value* content = json::Find(&*doc, {"output", "message", "content"});
  if (content == nullptr) {
    const json::Value* output = json::Find(&*doc, {"output"});
    if (output == nullptr) return ValidationError("$.output: missing");
    if (!output->is_object()) return ValidationError(Expected("$.output", "an object", *output));
    const json::Value* message = json::Find(output, {"message"});
    if (message == nullptr) return ValidationError("$.output.message: missing");
    if (!message->is_object()) {
      return ValidationError(Expected("$.output.message", "an object", *message));
    }
    return ValidationError("$.output.message.content: missing");
  }
  if (!content->is_array()) {
    return ValidationError(Expected("$.output.message.content", "an array", *content));
  }
  const json::Array& blocks = content->get_array();
  if (blocks.size() > kMaxAnswerBlocks) {
    return ValidationError("$.output.message.content: more than " +
                           std::to_string(kMaxAnswerBlocks) + " blocks");
  }
  size_t tool_uses = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    BP_RETURN_IF_ERROR(DecodeBlock(blocks[i], "$.output.message.content[" + std::to_string(i) + "]",
                                   out, tool_uses));
  }
  const json::Value* reason = json::Find(&*doc, {"stopReason"});
  if (reason == nullptr) return ValidationError("$.stopReason: missing");
  if (!reason->is_string()) return ValidationError(Expected("$.stopReason", "a string", *reason));
  const std::optional<StopReason> stop = StopReasonFromName(reason->get_string());
  if (!stop) {
    return ValidationError("$.stopReason: unknown stop reason '" +
                           std::string(std::string_view(reason->get_string()).substr(0, 64)) + "'");
  }
  out.stop_reason = *stop;
  if (*stop == StopReason::kStopSequence) {
    out.stop_sequence =
        StopSequence(json::Find(&*doc, {"additionalModelResponseFields"}), context.stop_sequences);
  }
  UpstreamUsage usage;
  BP_RETURN_IF_ERROR(ReadUsage(json::Find(&*doc, {"usage"}), "$.usage", usage));
  int64_t output_estimate = 0;
  if (!usage.output) {
    for (const ContentBlock& block : out.content) {
      output_estimate += CountTokens(block.text) + CountTokens(block.input_json);
    }
  }
  out.usage = ResolveUsage(usage, context.input_estimate, output_estimate);
  return Status::Ok();
}

}  // namespace

AnswerContext MakeAnswerContext(const ModelRequest& request, int64_t input_estimate) {
  return AnswerContext{.region = request.region,
                       .stop_sequences = request.stop_sequences,
                       .input_estimate = input_estimate};
}

Result<ModelResponse> DecodeConverseResponse(std::string_view body, const AnswerContext& context) {
  ModelResponse out;
  if (Status s = Decode(body, context, out); !s.ok()) {
    return Malformed(ErrorCode::kModelError, context.region, kWhat, s.message());
  }
  return out;
}

void EmitResponse(ModelResponse response, OutputSink& sink, const bool* cancelled) {
  auto stop = [&] { return cancelled != nullptr && *cancelled; };
  const Usage& usage = response.usage;
  if (usage.cache_read_input_tokens > 0 || usage.cache_write_input_tokens > 0) {
    Usage cache = usage;
    cache.output_tokens = 0;
    sink.OnPromptCache(cache);
    if (stop()) return;
  }
  sink.OnStart(usage.input_tokens);
  if (stop()) return;
  for (size_t i = 0; i < response.content.size(); ++i) {
    const ContentBlock& block = response.content[i];
    const int index = static_cast<int>(i);
    switch (block.kind) {
      case Kind::kToolUse:
        sink.OnToolUseStart(index, block.tool_use_id, block.tool_name);
        if (stop()) return;
        if (!block.input_json.empty()) sink.OnToolInputDelta(index, block.input_json);
        break;
      case Kind::kReasoning:
        sink.OnReasoningStart(index);
        if (stop()) return;
        if (!block.text.empty()) sink.OnReasoningDelta(index, block.text);
        if (stop()) return;
        if (!block.signature.empty()) sink.OnReasoningSignature(index, block.signature);
        break;
      default:
        sink.OnTextStart(index);
        if (stop()) return;
        if (!block.text.empty()) sink.OnTextDelta(index, block.text);
        break;
    }
    if (stop()) return;
    sink.OnBlockStop(index);
    if (stop()) return;
  }
  sink.OnFinish(response.stop_reason, response.stop_sequence, usage);
}

}  // namespace bp::backends::bedrock
