#pragma once
// Test-only helpers for api/* unit tests: a ResponseStream that records what
// it was told, an EventLoop that runs posted work when asked, and a request
// builder. Never linked into the product (header-only, included by *_test.cc).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/event_loop.h"
#include "http/message.h"

namespace bp::api::testing {

class ManualLoop final : public EventLoop {
 public:
  void Post(std::function<void()> fn) override { posted_.push_back(std::move(fn)); }
  std::unique_ptr<TimerHandle> After(std::chrono::milliseconds /*delay*/,
                                     std::function<void()> fn) override {
    posted_.push_back(std::move(fn));
    return std::make_unique<TimerHandle>();
  }
  // Runs everything posted so far (and anything they post).
  void RunAll() {
    while (!posted_.empty()) {
      auto fns = std::move(posted_);
      posted_.clear();
      for (auto& fn : fns) fn();
    }
  }

 private:
  std::vector<std::function<void()>> posted_;
};

class FakeResponseStream final : public http::ResponseStream {
 public:
  FakeResponseStream() = default;
  // Answers on `loop` (which must outlive the stream) instead of its own
  // ManualLoop: for routes whose answers a worker posts from its threads.
  explicit FakeResponseStream(EventLoop& loop) : external_loop_(&loop) {}

  void Respond(http::Response&& response) override {
    ++answers;
    this->response = std::move(response);
    finished = true;
  }
  void StartStream(unsigned status, http::Headers&& headers) override {
    ++answers;
    response.status = status;
    response.headers = std::move(headers);
  }
  void Write(std::string&& chunk) override { response.body += chunk; }
  void Finish() override { finished = true; }
  bool Closed() const override { return false; }
  size_t BufferedBytes() const override { return 0; }
  EventLoop& loop() override { return external_loop_ != nullptr ? *external_loop_ : loop_; }

  // The value of the first header named `name` (lower-case), or "".
  std::string Header(std::string_view name) const {
    for (const auto& h : response.headers) {
      if (h.name == name) return h.value;
    }
    return "";
  }

  http::Response response;
  int answers = 0;  // Respond() + StartStream() calls; exactly 1 when correct
  bool finished = false;

 private:
  ManualLoop loop_;
  EventLoop* external_loop_ = nullptr;
};

inline http::Request MakeRequest(std::string method, std::string target, std::string body = "") {
  http::Request request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  request.request_id = "req-1";
  request.remote_address = "127.0.0.1";
  return request;
}

}  // namespace bp::api::testing
