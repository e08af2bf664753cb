#include "backends/backend.h"

#include <iterator>
#include <utility>

namespace bp::backends {
namespace {
// Indices beyond this are a backend bug or a hostile upstream; the collector
// drops them rather than allocating without bound.
constexpr int kMaxBlocks = 1024;

constexpr std::string_view kStopReasonNames[] = {"end_turn",
                                                 "max_tokens",
                                                 "stop_sequence",
                                                 "tool_use",
                                                 "guardrail_intervened",
                                                 "content_filtered",
                                                 "malformed_model_output",
                                                 "malformed_tool_use",
                                                 "model_context_window_exceeded"};
constexpr std::string_view kServiceTierNames[] = {"default", "priority", "flex", "reserved"};

}  // namespace

std::string_view StopReasonName(StopReason reason) {
  const auto i = static_cast<size_t>(reason);
  return i < std::size(kStopReasonNames) ? kStopReasonNames[i] : kStopReasonNames[0];
}

std::optional<StopReason> StopReasonFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kStopReasonNames); ++i) {
    if (kStopReasonNames[i] == name) return static_cast<StopReason>(i);
  }
  return std::nullopt;
}

std::string_view ServiceTierName(ServiceTier tier) {
  const auto i = static_cast<size_t>(tier);
  return i < std::size(kServiceTierNames) ? kServiceTierNames[i] : kServiceTierNames[0];
}

std::optional<ServiceTier> ServiceTierFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kServiceTierNames); ++i) {
    if (kServiceTierNames[i] == name) return static_cast<ServiceTier>(i);
  }
  return std::nullopt;
}

ContentBlock* ResponseCollector::Block(int index) {
  if (done_ || index < 0 || index >= kMaxBlocks) return nullptr;
  auto& content = response_.content;
  if (static_cast<size_t>(index) >= content.size()) content.resize(static_cast<size_t>(index) + 1);
  return &content[static_cast<size_t>(index)];
}

void ResponseCollector::OnStart(int64_t input_tokens) {
  if (done_) return;
  started_ = true;
  response_.usage.input_tokens = input_tokens;
}

void ResponseCollector::OnTextStart(int index) {
  if (ContentBlock* block = Block(index)) block->kind = ContentBlock::Kind::kText;
}

void ResponseCollector::OnToolUseStart(int index, std::string_view tool_use_id,
                                       std::string_view tool_name) {
  ContentBlock* block = Block(index);
  if (block == nullptr) return;
  block->kind = ContentBlock::Kind::kToolUse;
  block->tool_use_id = tool_use_id;
  block->tool_name = tool_name;
}

void ResponseCollector::OnTextDelta(int index, std::string_view text) {
  if (ContentBlock* block = Block(index)) block->text.append(text);
}

void ResponseCollector::OnToolInputDelta(int index, std::string_view json_fragment) {
  if (ContentBlock* block = Block(index)) block->input_json.append(json_fragment);
}

void ResponseCollector::OnReasoningStart(int index) {
  if (ContentBlock* block = Block(index)) block->kind = ContentBlock::Kind::kReasoning;
}

void ResponseCollector::OnReasoningDelta(int index, std::string_view text) {
  if (ContentBlock* block = Block(index)) block->text.append(text);
}

void ResponseCollector::OnReasoningSignature(int index, std::string_view signature) {
  if (ContentBlock* block = Block(index)) block->signature.append(signature);
}

void ResponseCollector::OnBlockStop(int /*index*/) {}

void ResponseCollector::OnFinish(StopReason reason, std::string_view stop_sequence,
                                 const Usage& usage) {
  if (done_) return;
  done_ = true;
  response_.stop_reason = reason;
  response_.stop_sequence = stop_sequence;
  response_.usage = usage;
}

void ResponseCollector::OnError(const Status& status) {
  if (done_) return;
  done_ = true;
  // An OK status here is a backend bug; never report it as success.
  status_ =
      status.ok() ? InternalError("model backend reported an error without a status") : status;
}

}  // namespace bp::backends
