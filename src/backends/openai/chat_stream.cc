#include "backends/openai/chat_stream.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/openai/chat_common.h"
#include "backends/openai/sse_decoder.h"
#include "backends/openai/upstream_error.h"
#include "backends/tokenizer.h"
#include "json/json.h"

namespace bp::backends::openai {

// Every method that may call the sink takes `gone`, a flag on the stack of
// the public entry point that the destructor sets, and returns false as soon
// as the translator is gone or done; after a sink call nothing touches a
// member unless `gone` is false. Views handed to the sink point into locals
// (the event's parsed chunk, moved-out tool calls), never into members that
// die with the translator.
class ChatStreamTranslator::Impl {
 public:
  Impl(AnswerContext context, OutputSink& sink) : context_(std::move(context)), sink_(sink) {}
  ~Impl() {
    if (destroyed_ != nullptr) *destroyed_ = true;
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void Feed(std::string_view bytes) {
    if (done_) return;
    bool gone = false;
    destroyed_ = &gone;
    const Status appended = decoder_.Append(bytes);
    if (Drain(gone) && !appended.ok()) Malformed(appended.message(), gone);
    if (!gone) destroyed_ = nullptr;
  }

  void Finish() {
    if (done_) return;
    bool gone = false;
    destroyed_ = &gone;
    const Status finished = decoder_.Finish();
    if (Drain(gone)) {
      if (!finished.ok()) {
        Malformed(finished.message(), gone);
      } else if (finish_reason_) {
        Complete(gone);
      } else {
        Malformed("the stream ended with neither a finish_reason nor [DONE]", gone);
      }
    }
    if (!gone) destroyed_ = nullptr;
  }

  bool done() const { return done_; }
  bool started() const { return started_; }
  bool usage_estimated() const { return usage_estimated_; }

 private:
  enum class Open : uint8_t { kNone, kText, kReasoning };
  struct PendingCall {
    int64_t index = 0;  // the server's tool_calls[].index
    std::string id;
    std::string name;
    std::string arguments;
  };

  bool Drain(const bool& gone) {
    while (!done_) {
      std::optional<SseEvent> event = decoder_.Next();
      if (!event) return true;
      if (!OnEvent(*event, gone)) return false;
    }
    return false;
  }

  bool OnEvent(const SseEvent& event, const bool& gone) {
    std::string_view data = event.data;
    while (!data.empty() && IsWhitespace(data.front())) data.remove_prefix(1);
    while (!data.empty() && IsWhitespace(data.back())) data.remove_suffix(1);
    if (data == "[DONE]") return Complete(gone);
    Result<json::Value> chunk = json::Parse(data);
    if (!chunk.ok()) {
      return Malformed("an event that is not JSON (" + chunk.status().message() + ")", gone);
    }
    if (event.name == "error" || IsErrorDocument(*chunk)) {
      Status status = EmbeddedErrorStatus(*chunk, context_.region);
      const ErrorCode code = status.code();
      if (started_ && code != ErrorCode::kThrottling && code != ErrorCode::kServiceUnavailable) {
        status = Status(ErrorCode::kModelStreamError, status.message());
      }
      return Fail(status, gone);
    }
    return OnChunk(*chunk, gone);
  }

  bool OnChunk(const json::Value& chunk, const bool& gone) {
    if (!chunk.is_object()) return Malformed(Expected("$", "an object", chunk), gone);
    if (completion_id_.empty()) completion_id_ = json::StringOrEmpty(json::Find(&chunk, {"id"}));
    if (Status s = ReadUsage(chunk, "$", server_usage_); !s.ok()) {
      return Malformed(s.message(), gone);
    }
    const json::Value* choices = json::Find(&chunk, {"choices"});
    if (choices == nullptr || choices->is_null()) return true;
    if (!choices->is_array()) {
      return Malformed(Expected("$.choices", "an array or null", *choices), gone);
    }
    const json::Array& list = choices->get_array();
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = "$.choices[" + std::to_string(i) + "]";
      if (!list[i].is_object()) return Malformed(Expected(path, "an object", list[i]), gone);
      // Only the first choice is asked for; an index other than 0 is not it.
      if (std::optional<int64_t> index = json::AsInt64(json::Find(&list[i], {"index"}));
          index && *index != 0) {
        continue;
      }
      if (!OnChoice(list[i].get_object(), path, gone)) return false;
    }
    return true;
  }

  // A string member or null/absent; the wrong kind is reported as malformed
  // (the result is then nullopt and `ok` false).
  std::optional<std::string_view> Text(const json::Object& obj, std::string_view key,
                                       const std::string& path, bool& ok) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->value().is_null()) return std::nullopt;
    if (it->value().is_string()) return std::string_view(it->value().get_string());
    ok = false;
    bad_ = Expected(path + "." + std::string(key), "a string or null", it->value());
    return std::nullopt;
  }

  bool OnChoice(const json::Object& choice, const std::string& path, const bool& gone) {
    bool ok = true;
    const std::optional<std::string_view> finish = Text(choice, "finish_reason", path, ok);
    if (!ok) return Malformed(bad_, gone);
    if (finish) finish_reason_ = std::string(*finish);
    if (const auto it = choice.find("stop_reason"); it != choice.end() && it->value().is_string()) {
      matched_stop_ = std::string(it->value().get_string());
    }
    const auto delta_it = choice.find("delta");
    if (delta_it == choice.end() || delta_it->value().is_null()) return true;
    const std::string dp = path + ".delta";
    if (!delta_it->value().is_object()) {
      return Malformed(Expected(dp, "an object", delta_it->value()), gone);
    }
    const json::Object& delta = delta_it->value().get_object();
    const std::optional<std::string_view> reasoning_content =
        Text(delta, "reasoning_content", dp, ok);
    const std::optional<std::string_view> reasoning = Text(delta, "reasoning", dp, ok);
    const std::optional<std::string_view> content = Text(delta, "content", dp, ok);
    const std::optional<std::string_view> refusal = Text(delta, "refusal", dp, ok);
    if (!ok) return Malformed(bad_, gone);
    // vLLM may send both reasoning names with the same text: one of them.
    std::string_view thought = reasoning_content.value_or("");
    if (thought.empty()) thought = reasoning.value_or("");
    if (!Emit(Open::kReasoning, thought, gone)) return false;
    if (!Emit(Open::kText, content.value_or(""), gone)) return false;
    if (refusal && !refusal->empty()) {
      refusal_ = true;
      if (!Emit(Open::kText, *refusal, gone)) return false;
    }
    if (const auto calls = delta.find("tool_calls");
        calls != delta.end() && !calls->value().is_null()) {
      return OnToolCalls(calls->value(), dp + ".tool_calls", gone);
    }
    return true;
  }

  // Tool call fragments are only buffered: no sink call here.
  bool OnToolCalls(const json::Value& value, const std::string& path, const bool& gone) {
    if (!value.is_array()) return Malformed(Expected(path, "an array or null", value), gone);
    const json::Array& calls = value.get_array();
    for (size_t i = 0; i < calls.size(); ++i) {
      const std::string ip = path + "[" + std::to_string(i) + "]";
      if (!calls[i].is_object()) return Malformed(Expected(ip, "an object", calls[i]), gone);
      const json::Object& call = calls[i].get_object();
      const int64_t index =
          json::AsInt64(json::Find(&calls[i], {"index"})).value_or(static_cast<int64_t>(i));
      bool ok = true;
      const std::string_view id = Text(call, "id", ip, ok).value_or("");
      std::string_view name;
      std::string arguments;
      if (const auto fn = call.find("function"); fn != call.end() && !fn->value().is_null()) {
        if (!fn->value().is_object()) {
          return Malformed(Expected(ip + ".function", "an object or null", fn->value()), gone);
        }
        const json::Object& function = fn->value().get_object();
        name = Text(function, "name", ip + ".function", ok).value_or("");
        if (const auto a = function.find("arguments");
            a != function.end() && a->value().is_object()) {
          arguments = json::Serialize(a->value());  // some servers send the object itself
        } else {
          arguments = Text(function, "arguments", ip + ".function", ok).value_or("");
        }
      }
      if (!ok) return Malformed(bad_, gone);
      PendingCall* pending = nullptr;
      for (auto it = calls_.rbegin(); it != calls_.rend(); ++it) {
        if (it->index == index) {
          pending = &*it;
          break;
        }
      }
      if (pending != nullptr && !id.empty() && !pending->id.empty() && id != pending->id) {
        pending = nullptr;  // the same index again, for a new call
      }
      if (pending == nullptr) {
        if (++tool_calls_seen_ > kMaxToolCalls) {
          return Malformed("more than " + std::to_string(kMaxToolCalls) + " tool calls", gone);
        }
        pending = &calls_.emplace_back();
        pending->index = index;
      }
      if (pending->id.empty()) pending->id = id;
      if (pending->name.empty()) pending->name = name;
      if (pending->arguments.size() + arguments.size() > kMaxToolArgumentBytes) {
        return Malformed(
            "tool call arguments longer than " + std::to_string(kMaxToolArgumentBytes) + " bytes",
            gone);
      }
      pending->arguments += arguments;
    }
    return true;
  }

  // A text or reasoning delta, in a block of its kind.
  bool Emit(Open kind, std::string_view text, const bool& gone) {
    if (text.empty()) return true;
    if (!FlushCalls(gone) || !Start(gone)) return false;
    if (open_ != kind) {
      if (!CloseOpen(gone) || !NewBlock(gone)) return false;
      open_ = kind;
      open_index_ = next_index_++;
      if (kind == Open::kText) {
        sink_.OnTextStart(open_index_);
      } else {
        sink_.OnReasoningStart(open_index_);
      }
      if (gone) return false;
    }
    output_estimate_ += CountTokens(text);
    if (kind == Open::kText) AppendTail(text_tail_, text);
    if (kind == Open::kText) {
      sink_.OnTextDelta(open_index_, text);
    } else {
      sink_.OnReasoningDelta(open_index_, text);
    }
    return !gone;
  }

  bool NewBlock(const bool& gone) {
    if (static_cast<size_t>(next_index_) < kMaxAnswerBlocks) return true;
    return Malformed("more than " + std::to_string(kMaxAnswerBlocks) + " content blocks", gone);
  }

  bool Start(const bool& gone) {
    if (started_) return true;
    started_ = true;
    sink_.OnStart(context_.input_estimate);
    return !gone;
  }

  bool CloseOpen(const bool& gone) {
    if (open_ == Open::kNone) return true;
    open_ = Open::kNone;
    sink_.OnBlockStop(open_index_);
    return !gone;
  }

  // The buffered tool calls, complete now, as one block each.
  bool FlushCalls(const bool& gone) {
    if (calls_.empty()) return true;
    std::vector<PendingCall> calls = std::move(calls_);
    calls_.clear();
    if (!Start(gone) || !CloseOpen(gone)) return false;
    for (PendingCall& call : calls) {
      const size_t n = flushed_calls_++;
      std::optional<std::string> input = ToolInputJson(call.arguments);
      if (!input || call.name.empty()) {
        dropped_call_ = true;
        continue;
      }
      if (!NewBlock(gone)) return false;
      const int index = next_index_++;
      const std::string id = ToolUseId(call.id, completion_id_, n);
      ++tool_blocks_;
      output_estimate_ += CountTokens(*input);
      sink_.OnToolUseStart(index, id, call.name);
      if (gone) return false;
      sink_.OnToolInputDelta(index, *input);
      if (gone) return false;
      sink_.OnBlockStop(index);
      if (gone) return false;
    }
    return true;
  }

  bool Complete(const bool& gone) {
    if (!FlushCalls(gone) || !Start(gone) || !CloseOpen(gone)) return false;
    StopFacts facts;
    facts.finish_reason = finish_reason_;
    facts.matched_stop = matched_stop_;
    facts.text_tail = text_tail_;
    facts.tool_calls = tool_blocks_ > 0;
    facts.malformed_tool_call = dropped_call_;
    facts.refusal = refusal_;
    // Locals: the sink may destroy the translator inside OnFinish.
    const StopChoice stop = ChooseStop(facts, context_.stop_sequences);
    const Usage usage = ResolveUsage(server_usage_, context_.input_estimate, output_estimate_);
    usage_estimated_ = usage.estimated;
    done_ = true;
    sink_.OnFinish(stop.reason, stop.stop_sequence, usage);
    return false;
  }

  bool Fail(const Status& status, const bool& gone) {
    (void)gone;
    const Status error = status;  // outlives the translator if the sink destroys it
    done_ = true;
    sink_.OnError(error);
    return false;
  }

  bool Malformed(std::string_view detail, const bool& gone) {
    return Fail(openai::Malformed(started_ ? ErrorCode::kModelStreamError : ErrorCode::kModelError,
                                  context_.region, detail),
                gone);
  }

  const AnswerContext context_;
  OutputSink& sink_;
  SseDecoder decoder_;
  bool* destroyed_ = nullptr;  // set while an entry point runs
  bool started_ = false;
  bool done_ = false;
  bool usage_estimated_ = false;
  Open open_ = Open::kNone;
  int open_index_ = 0;
  int next_index_ = 0;
  std::vector<PendingCall> calls_;
  size_t tool_calls_seen_ = 0;
  size_t flushed_calls_ = 0;
  size_t tool_blocks_ = 0;
  bool dropped_call_ = false;
  bool refusal_ = false;
  std::string completion_id_;
  std::optional<std::string> finish_reason_;
  std::optional<std::string> matched_stop_;
  std::string text_tail_;
  std::string bad_;  // what Text() found wrong
  ServerUsage server_usage_;
  int64_t output_estimate_ = 0;
};

ChatStreamTranslator::ChatStreamTranslator(AnswerContext context, OutputSink& sink)
    : impl_(std::make_unique<Impl>(std::move(context), sink)) {}
ChatStreamTranslator::~ChatStreamTranslator() = default;

void ChatStreamTranslator::Feed(std::string_view bytes) { impl_->Feed(bytes); }
void ChatStreamTranslator::Finish() { impl_->Finish(); }
bool ChatStreamTranslator::done() const { return impl_->done(); }
bool ChatStreamTranslator::started() const { return impl_->started(); }
bool ChatStreamTranslator::usage_estimated() const { return impl_->usage_estimated(); }

}  // namespace bp::backends::openai
