#pragma once
// A ConverseStream answer (application/vnd.amazon.eventstream of Converse
// events, bedrock-api.md §3.5 and §4) as OutputSink calls, made as frames
// complete. Public header of bp_backends_bedrock; pure code, no I/O: the
// HTTP client feeds the body with Feed() and calls Finish() when it ends.
//
// Events (by :event-type; unknown types are skipped, as the AWS SDKs do):
//   messageStart, contentBlockStart {contentBlockIndex, start {toolUse
//   {toolUseId, name}}}, contentBlockDelta {contentBlockIndex, delta {text |
//   toolUse {input} | reasoningContent {text | signature | redactedContent}}},
//   contentBlockStop, messageStop {stopReason, additionalModelResponseFields},
//   metadata {usage, metrics, ...} (the last event).
//
// Output order (backend.h): OnStart(input_estimate) comes with the first
// content (a non-empty delta, or a block that must be shown: a tool use, a
// reasoning signature), or at the finish for an empty answer, so an
// exception right after messageStart is an error before OnStart and may fail
// over. Bedrock's block indexes become 0, 1, 2... in the order blocks are
// shown (a block with no content, or redacted reasoning, is skipped). A text
// block's OnTextStart comes at its first delta, a reasoning block's
// OnReasoningStart likewise; a tool use's start at its first input fragment
// (or its stop). Tool input fragments are passed on as they come. The
// reasoning signature is sent once, just before the block's stop. A block
// still open when another begins is closed first. OnFinish comes after
// metadata, with Bedrock's usage (converse_answer.h says how it is read);
// a stream that ends after messageStop without metadata finishes at Finish()
// with the estimates and Usage::estimated. OnPromptCache is never called:
// Bedrock reports cache tokens only in the last event.
//
// Errors (exactly one OnError, then nothing; Feed / Finish do nothing more):
// - an exception frame (:message-type exception; throttlingException,
//   serviceUnavailableException, internalServerException,
//   modelStreamErrorException, validationException, modelTimeoutException)
//   or an error frame (:message-type error, :error-code): StreamExceptionStatus
//   (upstream_error.h); after OnStart every code but kThrottling and
//   kServiceUnavailable becomes kModelStreamError.
// - malformed bytes (a bad frame CRC or length, a payload that is not a JSON
//   object, a member of the wrong kind, a delta for a stopped block or of
//   another kind than its block, content after messageStop, metadata before
//   it, more than kMaxAnswerBlocks blocks or kMaxToolUses tool uses) and a
//   body that ends mid-frame or before messageStop: kModelError before
//   OnStart, kModelStreamError after, "Amazon Bedrock in <region> answered a
//   malformed ConverseStream event: <what>".
//
// Lifetime: the translator may be destroyed from inside any sink callback;
// Feed / Finish then return at once without touching it. The string_views
// handed to the sink are valid for the call only. Not thread-safe: one per
// stream, used on one loop.

#include <memory>
#include <string_view>

#include "backends/backend.h"
#include "backends/bedrock/converse_answer.h"

namespace bp::backends::bedrock {

class ConverseStreamTranslator final {
 public:
  // `sink` must outlive the translator or its terminal call.
  ConverseStreamTranslator(AnswerContext context, OutputSink& sink);
  ~ConverseStreamTranslator();
  ConverseStreamTranslator(const ConverseStreamTranslator&) = delete;
  ConverseStreamTranslator& operator=(const ConverseStreamTranslator&) = delete;

  // Bytes of the response body, split anywhere.
  void Feed(std::string_view bytes);
  // The body ended.
  void Finish();

  // OnFinish or OnError was called.
  bool done() const;
  // OnStart was called.
  bool started() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bp::backends::bedrock
