#include "backends/upstream/upstream_call.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace bp::backends::upstream {

UpstreamInvocation::UpstreamInvocation(OutputSink& sink, std::unique_ptr<AnswerDecoder> decoder,
                                       bool stream)
    : sink_(sink),
      decoder_(std::move(decoder)),
      stream_(stream),
      cancelled_(std::make_shared<bool>(false)) {}

UpstreamInvocation::~UpstreamInvocation() { *cancelled_ = true; }

void UpstreamInvocation::Fail(EventLoop& loop, Status status) {
  failure_ = loop.After(std::chrono::milliseconds(0),
                        [this, status = std::move(status)] { sink_.OnError(status); });
}

void UpstreamInvocation::Send(const http::Upstream& upstream, EventLoop& loop,
                              http::Request request) {
  loop_ = &loop;
  call_ = upstream.Start(loop, std::move(request),
                         {.on_head = [this](const http::Response& head) { OnHead(head); },
                          .on_body = [this](std::string_view piece) { OnBody(piece); },
                          .on_done = [this](const http::UpstreamResult& r) { OnDone(r); }});
}

void UpstreamInvocation::OnHead(const http::Response& head) {
  status_ = head.status;
  if (status_ < 200 || status_ > 299) {
    mode_ = Mode::kError;
    error_headers_ = head.headers;
    return;
  }
  if (stream_ && decoder_->IsStream(head.headers)) {
    mode_ = Mode::kStream;
    decoder_->StartStream(sink_);
  }
}

void UpstreamInvocation::OnBody(std::string_view piece) {
  switch (mode_) {
    case Mode::kStream: {
      const std::shared_ptr<bool> cancelled = cancelled_;  // outlives this invocation
      decoder_->Feed(piece);                               // may destroy this invocation
      if (!*cancelled) HoldBackIfBacklogged();
      return;
    }
    case Mode::kError: {
      const size_t cap = decoder_->max_error_bytes();
      if (body_.size() < cap) body_.append(piece.substr(0, cap - body_.size()));
      return;
    }
    case Mode::kWhole:
      if (body_.size() + piece.size() > decoder_->max_answer_bytes()) {
        call_.reset();
        return sink_.OnError(Status(ErrorCode::kModelError,
                                    decoder_->Who() + " answered more than " +
                                        std::to_string(decoder_->max_answer_bytes()) + " bytes"));
      }
      body_.append(piece);
      return;
  }
}

void UpstreamInvocation::OnDone(const http::UpstreamResult& result) {
  if (!result.status.ok()) {
    if (mode_ == Mode::kStream && decoder_->StreamDone()) return;
    // The code stays (kServiceUnavailable; kThrottling at the concurrency
    // limit): the runtime retries it elsewhere while nothing was produced.
    return sink_.OnError(
        Status(result.status.code(), decoder_->Who() + " failed: " + result.status.message()));
  }
  switch (mode_) {
    case Mode::kStream:
      decoder_->Finish();
      return;
    case Mode::kError:
      return sink_.OnError(decoder_->ErrorStatus(status_, error_headers_, body_));
    case Mode::kWhole: {
      // Both outlive this invocation, which the replay may destroy.
      const std::shared_ptr<bool> cancelled = cancelled_;
      const std::string body = std::move(body_);
      decoder_->EmitWhole(body, sink_, cancelled.get());
      return;
    }
  }
}

void UpstreamInvocation::HoldBackIfBacklogged() {
  if (drain_poll_ != nullptr || call_ == nullptr || decoder_->StreamDone()) return;
  if (sink_.Backlog() <= kHighWater) return;
  call_->Pause();
  drain_poll_ = loop_->After(kDrainPoll, [this] { PollBacklog(); });
}

void UpstreamInvocation::PollBacklog() {
  if (sink_.Backlog() >= kLowWater) {
    drain_poll_ = loop_->After(kDrainPoll, [this] { PollBacklog(); });
    return;
  }
  drain_poll_.reset();  // (this task's own handle: its callback is running, not queued)
  call_->Resume();
}

bool HasContentType(const http::Headers& headers, std::string_view type) {
  const std::string* value = http::FindHeader(headers, "content-type");
  if (value == nullptr) return false;
  std::string_view v = *value;
  v = v.substr(0, std::min(v.find(';'), v.size()));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return v.size() == type.size() &&
         std::equal(v.begin(), v.end(), type.begin(),
                    [&](char a, char b) { return lower(a) == lower(b); });
}

}  // namespace bp::backends::upstream
