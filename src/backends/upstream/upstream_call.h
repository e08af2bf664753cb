#pragma once
// The invocation both proxying backends of bp_backends_upstream run (private
// header): one upstream call whose answer is either streamed through a
// protocol's translator as the bytes arrive, read whole (bounded) and
// replayed, or an error answer read (bounded) and mapped. What differs
// between Bedrock and the OpenAI-compatible API is an AnswerDecoder.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "backends/backend.h"
#include "core/event_loop.h"
#include "core/status.h"
#include "http/message.h"
#include "http/upstream_client.h"

namespace bp::backends::upstream {

// One protocol's view of an answer. Lives inside its UpstreamInvocation; the
// invocation may be destroyed from inside any sink call the decoder makes,
// so the decoder touches nothing of its own after handing bytes to a
// translator or replaying an answer.
class AnswerDecoder {
 public:
  virtual ~AnswerDecoder() = default;
  // A 2xx head: the answer is this protocol's stream (else it is read whole).
  virtual bool IsStream(const http::Headers& headers) const = 0;
  // The stream begins; later pieces go to Feed, the end to Finish.
  virtual void StartStream(OutputSink& sink) = 0;
  virtual void Feed(std::string_view piece) = 0;
  virtual void Finish() = 0;
  // The stream's translator made its terminal call.
  virtual bool StreamDone() const = 0;
  // The largest whole answer read.
  virtual size_t max_answer_bytes() const = 0;
  // A whole 2xx answer: decoded and checked, then replayed on `sink` (reading
  // `*cancelled` after every call), or one OnError.
  virtual void EmitWhole(std::string_view body, OutputSink& sink, const bool* cancelled) = 0;
  // The largest error body read.
  virtual size_t max_error_bytes() const = 0;
  // A non-2xx answer as the backend's error.
  virtual Status ErrorStatus(unsigned status, const http::Headers& headers,
                             std::string_view body) = 0;
  // Names the upstream in messages: "The OpenAI-compatible server at eu-west-1".
  virtual std::string Who() const = 0;
};

// One upstream call (an Invocation handed to the runtime). The upstream call
// handle is its last member, so it is cancelled before anything its
// callbacks use is destroyed.
class UpstreamInvocation final : public Invocation {
 public:
  // `stream`: the request asked for a streamed answer.
  UpstreamInvocation(OutputSink& sink, std::unique_ptr<AnswerDecoder> decoder, bool stream);
  ~UpstreamInvocation() override;
  UpstreamInvocation(const UpstreamInvocation&) = delete;
  UpstreamInvocation& operator=(const UpstreamInvocation&) = delete;

  // Ends the invocation with `status` from a loop task, sending nothing.
  void Fail(EventLoop& loop, Status status);
  // Sends `request` through `upstream` on `loop`.
  void Send(const http::Upstream& upstream, EventLoop& loop, http::Request request);

  // Backpressure (docs/upstreams.md): a stream whose caller has more than
  // kHighWater bytes queued for its client stops reading from the upstream
  // until the queue is below kLowWater (checked every kDrainPoll).
  static constexpr size_t kHighWater = 1024 * 1024;
  static constexpr size_t kLowWater = 256 * 1024;
  static constexpr std::chrono::milliseconds kDrainPoll{5};

 private:
  enum class Mode : uint8_t { kWhole, kStream, kError };

  void OnHead(const http::Response& head);
  void OnBody(std::string_view piece);
  void OnDone(const http::UpstreamResult& result);
  void HoldBackIfBacklogged();
  void PollBacklog();

  OutputSink& sink_;
  const std::unique_ptr<AnswerDecoder> decoder_;
  const bool stream_;
  // Read by a replay after every sink call; shared so it outlives this.
  const std::shared_ptr<bool> cancelled_;
  Mode mode_ = Mode::kWhole;
  unsigned status_ = 0;
  http::Headers error_headers_;
  std::string body_;
  std::unique_ptr<TimerHandle> failure_;
  EventLoop* loop_ = nullptr;
  std::unique_ptr<TimerHandle> drain_poll_;   // while paused
  std::unique_ptr<http::UpstreamCall> call_;  // last: cancelled first
};

// The media type of `headers`' content-type, without parameters, compared
// ASCII case-insensitively with `type` ("text/event-stream").
bool HasContentType(const http::Headers& headers, std::string_view type);

}  // namespace bp::backends::upstream
