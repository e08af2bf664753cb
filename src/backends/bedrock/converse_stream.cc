#include "backends/bedrock/converse_stream.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/bedrock/converse_common.h"
#include "backends/bedrock/upstream_error.h"
#include "backends/tokenizer.h"
#include "eventstream/eventstream.h"
#include "json/json.h"

namespace bp::backends::bedrock {

// Every method that may call the sink takes `gone`, a flag on the stack of
// the public entry point that the destructor sets, and returns false as soon
// as the translator is gone or done; after a sink call nothing touches a
// member unless `gone` is false. Views handed to the sink point into locals
// (the frame's parsed payload, copied strings), never into members that die
// with the translator.
class ConverseStreamTranslator::Impl {
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
    decoder_.Feed(bytes);
    Drain(gone);
    if (!gone) destroyed_ = nullptr;
  }

  void Finish() {
    if (done_) return;
    bool gone = false;
    destroyed_ = &gone;
    if (Drain(gone)) {
      const Status finished = decoder_.Finish();
      if (!finished.ok()) {
        Malformed("a body that ends mid-frame (" + finished.message() + ")", gone);
      } else if (stop_reason_) {
        Complete(UpstreamUsage{}, gone);
      } else {
        Malformed("a body that ends before messageStop", gone);
      }
    }
    if (!gone) destroyed_ = nullptr;
  }

  bool done() const { return done_; }
  bool started() const { return started_; }

 private:
  enum class Kind : uint8_t { kUnknown, kText, kReasoning, kTool, kRedacted };
  struct Block {
    Kind kind = Kind::kUnknown;
    int index = -1;  // the sink's, once shown
    bool stopped = false;
    std::string tool_use_id;
    std::string tool_name;
    std::string signature;  // buffered: sent just before the stop
  };

  // False when the translator is done (or gone).
  bool Drain(const bool& gone) {
    while (!done_) {
      Result<std::optional<eventstream::Frame>> next = decoder_.Next();
      if (!next.ok()) return Malformed("framing (" + next.status().message() + ")", gone);
      if (!next->has_value()) return true;
      const eventstream::Frame frame = std::move(**next);
      if (!OnFrame(frame, gone)) return false;
    }
    return false;
  }

  bool OnFrame(const eventstream::Frame& frame, const bool& gone) {
    const std::string_view message_type = frame.StringHeader(":message-type");
    if (message_type == "exception") {
      return Error(StreamExceptionStatus(frame.StringHeader(":exception-type"), frame.payload,
                                         context_.region),
                   gone);
    }
    if (message_type == "error") {
      std::string payload = "{}";
      json::Object obj;
      obj["message"] = frame.StringHeader(":error-message");
      payload = json::Serialize(json::Value(std::move(obj)));
      return Error(
          StreamExceptionStatus(frame.StringHeader(":error-code"), payload, context_.region), gone);
    }
    if (message_type != "event") {
      return Malformed(
          "a frame whose :message-type is '" + std::string(message_type.substr(0, 64)) + "'", gone);
    }
    const std::string_view type = frame.StringHeader(":event-type");
    static constexpr std::string_view kKnown[] = {"messageStart",      "contentBlockStart",
                                                  "contentBlockDelta", "contentBlockStop",
                                                  "messageStop",       "metadata"};
    bool known = false;
    for (std::string_view k : kKnown) known = known || k == type;
    if (!known) return true;  // skipped, as the SDKs do
    Result<json::Value> payload = json::Parse(frame.payload);
    const std::string path = "$(" + std::string(type) + ")";
    if (!payload.ok()) {
      return Malformed(path + ": not JSON (" + payload.status().message() + ")", gone);
    }
    if (!payload->is_object()) return Malformed(Expected(path, "an object", *payload), gone);
    const json::Object& event = payload->get_object();
    if (type == "messageStart") return true;
    if (type == "metadata") return OnMetadata(*payload, path, gone);
    if (stop_reason_) return Malformed(path + ": an event after messageStop", gone);
    if (type == "messageStop") return OnMessageStop(*payload, path, gone);
    std::optional<int64_t> index;
    {
      const auto it = event.find("contentBlockIndex");
      if (it == event.end()) return Malformed(path + ".contentBlockIndex: missing", gone);
      index = json::AsInt64(&it->value());
      if (!index || *index < 0) {
        return Malformed(
            Expected(path + ".contentBlockIndex", "a non-negative integer", it->value()), gone);
      }
    }
    if (type == "contentBlockStop") {
      const auto it = blocks_.find(*index);
      if (it == blocks_.end() || it->second.stopped)
        return true;  // nothing shown: nothing to close
      return Stop(it->second, gone);
    }
    if (type == "contentBlockStart") return OnBlockStart(*index, event, path, gone);
    return OnDelta(*index, event, path, gone);
  }

  Block* NewBlock(int64_t upstream, const std::string& path, const bool& gone) {
    if (blocks_.size() >= kMaxAnswerBlocks) {
      Malformed(path + ": more than " + std::to_string(kMaxAnswerBlocks) + " content blocks", gone);
      return nullptr;
    }
    return &blocks_[upstream];
  }

  bool OnBlockStart(int64_t upstream, const json::Object& event, const std::string& path,
                    const bool& gone) {
    if (blocks_.count(upstream) != 0) {
      return Malformed(path + ": block " + std::to_string(upstream) + " started twice", gone);
    }
    const auto start = event.find("start");
    const std::string sp = path + ".start";
    if (start == event.end() || start->value().is_null()) return true;
    if (!start->value().is_object())
      return Malformed(Expected(sp, "an object", start->value()), gone);
    const json::Value* use = json::Find(&start->value(), {"toolUse"});
    if (use == nullptr) return true;  // other start kinds are not modelled
    const std::string up = sp + ".toolUse";
    if (!use->is_object()) return Malformed(Expected(up, "an object", *use), gone);
    const json::Value* id = json::Find(use, {"toolUseId"});
    const json::Value* name = json::Find(use, {"name"});
    if (id == nullptr || !id->is_string() || id->get_string().empty()) {
      return Malformed(up + ".toolUseId: expected a non-empty string", gone);
    }
    if (name == nullptr || !name->is_string() || name->get_string().empty()) {
      return Malformed(up + ".name: expected a non-empty string", gone);
    }
    if (++tool_uses_ > kMaxToolUses) {
      return Malformed(path + ": more than " + std::to_string(kMaxToolUses) + " tool uses", gone);
    }
    Block* block = NewBlock(upstream, path, gone);
    if (block == nullptr) return false;
    block->kind = Kind::kTool;
    block->tool_use_id = id->get_string();
    block->tool_name = name->get_string();
    return true;
  }

  bool OnDelta(int64_t upstream, const json::Object& event, const std::string& path,
               const bool& gone) {
    const auto d = event.find("delta");
    const std::string dp = path + ".delta";
    if (d == event.end()) return Malformed(dp + ": missing", gone);
    if (!d->value().is_object()) return Malformed(Expected(dp, "an object", d->value()), gone);
    const json::Object& delta = d->value().get_object();
    auto it = blocks_.find(upstream);
    Block* block = it == blocks_.end() ? nullptr : &it->second;
    if (block != nullptr && block->stopped) {
      return Malformed(
          path + ": a delta for block " + std::to_string(upstream) + ", which had stopped", gone);
    }
    std::string_view text;
    Kind kind = Kind::kUnknown;
    bool signature = false;
    if (const auto t = delta.find("text"); t != delta.end()) {
      if (!t->value().is_string())
        return Malformed(Expected(dp + ".text", "a string", t->value()), gone);
      kind = Kind::kText;
      text = t->value().get_string();
    } else if (const auto u = delta.find("toolUse"); u != delta.end()) {
      const std::string up = dp + ".toolUse";
      if (!u->value().is_object()) return Malformed(Expected(up, "an object", u->value()), gone);
      const json::Value* input = json::Find(&u->value(), {"input"});
      if (input == nullptr || !input->is_string()) {
        return Malformed(up + ".input: expected a string", gone);
      }
      if (block == nullptr || block->kind != Kind::kTool) {
        return Malformed(path + ": tool input for block " + std::to_string(upstream) +
                             ", which did not start as a tool use",
                         gone);
      }
      kind = Kind::kTool;
      text = input->get_string();
    } else if (const auto r = delta.find("reasoningContent"); r != delta.end()) {
      const std::string rp = dp + ".reasoningContent";
      if (!r->value().is_object()) return Malformed(Expected(rp, "an object", r->value()), gone);
      const json::Object& reasoning = r->value().get_object();
      kind = Kind::kReasoning;
      if (const auto rt = reasoning.find("text"); rt != reasoning.end()) {
        if (!rt->value().is_string()) {
          return Malformed(Expected(rp + ".text", "a string", rt->value()), gone);
        }
        text = rt->value().get_string();
      } else if (const auto s = reasoning.find("signature"); s != reasoning.end()) {
        if (!s->value().is_string()) {
          return Malformed(Expected(rp + ".signature", "a string", s->value()), gone);
        }
        text = s->value().get_string();
        signature = true;
      } else if (reasoning.find("redactedContent") != reasoning.end()) {
        kind = Kind::kRedacted;
      } else {
        return true;
      }
    } else {
      return true;  // citation, image, toolResult deltas: not modelled
    }
    if (block == nullptr) {
      block = NewBlock(upstream, path, gone);
      if (block == nullptr) return false;
    }
    if (block->kind == Kind::kUnknown) block->kind = kind;
    // Redacted reasoning makes the whole block redacted (skipped), whatever
    // came before it was not shown yet.
    if (kind == Kind::kRedacted && block->kind == Kind::kReasoning && block->index < 0) {
      block->kind = Kind::kRedacted;
    }
    if (block->kind == Kind::kRedacted && (kind == Kind::kRedacted || kind == Kind::kReasoning)) {
      return true;
    }
    if (block->kind != kind) {
      return Malformed(
          path + ": a delta of another kind than block " + std::to_string(upstream) + " had", gone);
    }
    if (text.empty()) return true;
    if (signature) {
      if (block->signature.size() + text.size() > kMaxSignatureBytes) {
        return Malformed(
            path + ": a reasoning signature over " + std::to_string(kMaxSignatureBytes) + " bytes",
            gone);
      }
      block->signature += text;
      return true;
    }
    if (!Show(*block, gone)) return false;
    output_estimate_ += CountTokens(text);
    const int index = block->index;
    switch (kind) {
      case Kind::kText:
        sink_.OnTextDelta(index, text);
        break;
      case Kind::kTool:
        sink_.OnToolInputDelta(index, text);
        break;
      default:
        sink_.OnReasoningDelta(index, text);
        break;
    }
    return !gone;
  }

  bool Start(const bool& gone) {
    if (started_) return true;
    started_ = true;
    sink_.OnStart(context_.input_estimate);
    return !gone;
  }

  // Gives `block` its sink index and start call, closing the open one.
  bool Show(Block& block, const bool& gone) {
    if (block.index >= 0) return true;
    if (!Start(gone)) return false;
    if (open_ != nullptr && open_ != &block) {
      if (!Stop(*open_, gone)) return false;
    }
    block.index = next_index_++;
    open_ = &block;
    const int index = block.index;
    switch (block.kind) {
      case Kind::kText:
        sink_.OnTextStart(index);
        break;
      case Kind::kTool: {
        const std::string id = block.tool_use_id;
        const std::string name = block.tool_name;
        sink_.OnToolUseStart(index, id, name);
        break;
      }
      default:
        sink_.OnReasoningStart(index);
        break;
    }
    return !gone;
  }

  // Closes `block`: a tool use or a signed reasoning block never shown is
  // shown first (they carry something even without deltas).
  bool Stop(Block& block, const bool& gone) {
    if (block.stopped) return true;
    if (block.index < 0) {
      const bool must_show =
          block.kind == Kind::kTool || (block.kind == Kind::kReasoning && !block.signature.empty());
      if (!must_show) {
        block.stopped = true;
        return true;
      }
      if (!Show(block, gone)) return false;
    }
    block.stopped = true;
    if (open_ == &block) open_ = nullptr;
    const int index = block.index;
    if (block.kind == Kind::kReasoning && !block.signature.empty()) {
      const std::string signature = std::move(block.signature);
      sink_.OnReasoningSignature(index, signature);
      if (gone) return false;
    }
    sink_.OnBlockStop(index);
    return !gone;
  }

  bool OnMessageStop(const json::Value& payload, const std::string& path, const bool& gone) {
    const json::Value* reason = json::Find(&payload, {"stopReason"});
    if (reason == nullptr || !reason->is_string()) {
      return Malformed(path + ".stopReason: expected a string", gone);
    }
    const std::optional<StopReason> stop = StopReasonFromName(reason->get_string());
    if (!stop) {
      return Malformed(path + ".stopReason: unknown stop reason '" +
                           std::string(std::string_view(reason->get_string()).substr(0, 64)) + "'",
                       gone);
    }
    if (*stop == StopReason::kStopSequence) {
      stop_sequence_ = StopSequence(json::Find(&payload, {"additionalModelResponseFields"}),
                                    context_.stop_sequences);
    }
    stop_reason_ = *stop;
    // Close every block in the order Bedrock began them (tool uses without
    // input are shown now).
    std::vector<int64_t> order;
    for (const auto& [upstream, block] : blocks_) {
      if (!block.stopped) order.push_back(upstream);
    }
    if (open_ != nullptr && !Stop(*open_, gone)) return false;
    for (int64_t upstream : order) {
      if (!Stop(blocks_[upstream], gone)) return false;
    }
    return true;
  }

  bool OnMetadata(const json::Value& payload, const std::string& path, const bool& gone) {
    if (!stop_reason_) return Malformed(path + ": metadata before messageStop", gone);
    UpstreamUsage usage;
    if (Status s = ReadUsage(json::Find(&payload, {"usage"}), path + ".usage", usage); !s.ok()) {
      return Malformed(s.message(), gone);
    }
    return Complete(usage, gone);
  }

  bool Complete(const UpstreamUsage& upstream, const bool& gone) {
    if (!Start(gone)) return false;
    // Locals: the sink may destroy the translator inside OnFinish.
    const Usage usage = ResolveUsage(upstream, context_.input_estimate, output_estimate_);
    const std::string stop_sequence = stop_sequence_;
    const StopReason reason = *stop_reason_;
    done_ = true;
    sink_.OnFinish(reason, stop_sequence, usage);
    return false;
  }

  bool Error(Status status, const bool& gone) {
    (void)gone;
    const ErrorCode code = status.code();
    if (started_ && code != ErrorCode::kThrottling && code != ErrorCode::kServiceUnavailable) {
      status = Status(ErrorCode::kModelStreamError, status.message());
    }
    done_ = true;
    sink_.OnError(status);  // `status` is a local: it outlives the translator
    return false;
  }

  bool Malformed(std::string_view detail, const bool& gone) {
    (void)gone;
    const Status status =
        bedrock::Malformed(started_ ? ErrorCode::kModelStreamError : ErrorCode::kModelError,
                           context_.region, "ConverseStream event", detail);
    done_ = true;
    sink_.OnError(status);
    return false;
  }

  static constexpr size_t kMaxSignatureBytes = 1024 * 1024;

  const AnswerContext context_;
  OutputSink& sink_;
  eventstream::Decoder decoder_;
  bool* destroyed_ = nullptr;  // set while an entry point runs
  bool started_ = false;
  bool done_ = false;
  std::map<int64_t, Block> blocks_;  // by Bedrock's index; nodes never move
  Block* open_ = nullptr;            // the block shown and not stopped
  int next_index_ = 0;
  size_t tool_uses_ = 0;
  std::optional<StopReason> stop_reason_;
  std::string stop_sequence_;
  int64_t output_estimate_ = 0;
};

ConverseStreamTranslator::ConverseStreamTranslator(AnswerContext context, OutputSink& sink)
    : impl_(std::make_unique<Impl>(std::move(context), sink)) {}
ConverseStreamTranslator::~ConverseStreamTranslator() = default;

void ConverseStreamTranslator::Feed(std::string_view bytes) { impl_->Feed(bytes); }
void ConverseStreamTranslator::Finish() { impl_->Finish(); }
bool ConverseStreamTranslator::done() const { return impl_->done(); }
bool ConverseStreamTranslator::started() const { return impl_->started(); }

}  // namespace bp::backends::bedrock
