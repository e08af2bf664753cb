#pragma once
// An OpenAI-compatible chat-completions server (llama-server, vLLM, Ollama),
// faked on loopback for tests (tests/fakes/README.md): POST
// /v1/chat/completions checked strictly (chat_reader.h), answered by the
// simulated model in the chosen server's shapes, whole or as server-sent
// events; GET /v1/models lists the one model.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "backends/simulated/simulated_backend.h"
#include "core/clock.h"
#include "fakes/fake_common.h"
#include "http/message.h"

namespace bp::fakes {

// Whose stream shapes to imitate.
enum class SseStyle : uint8_t {
  // first delta {role, content: ""}; finish chunk with stop_reason; usage in
  // a last chunk with empty choices when stream_options.include_usage.
  kVllm,
  // first delta {role, content: null}; usage and `timings` in the finish
  // chunk, always.
  kLlama,
  // role in every delta, each tool call whole in one chunk; usage only when
  // stream_options.include_usage.
  kOllama,
};
std::optional<SseStyle> SseStyleFromName(std::string_view name);

struct OpenAiFakeOptions {
  std::string model;                   // the served model name; required
  std::string answer_as;               // model id the simulated model answers as; empty: `model`
  std::optional<std::string> api_key;  // Bearer token required when set
  SseStyle style = SseStyle::kVllm;
  bool no_usage = false;     // never send usage (nor timings)
  bool split_bytes = false;  // every body one byte per write
};

class OpenAiFake final : public http::Handler {
 public:
  // `clock`, `log` and `held` must outlive the fake.
  OpenAiFake(OpenAiFakeOptions options, const Clock& clock, RequestLog& log, HeldStreams& held);
  ~OpenAiFake() override;

  void Handle(http::Request&& request, std::shared_ptr<http::ResponseStream> stream) override;
  http::Response ErrorResponse(const Status& status, std::string_view request_id) override;

 private:
  class Call;
  void Fail(http::Request&& request, const std::shared_ptr<http::ResponseStream>& stream,
            http::Response&& response, std::string_view why);

  const OpenAiFakeOptions options_;
  const Clock& clock_;
  RequestLog& log_;
  HeldStreams& held_;
  std::unique_ptr<backends::simulated::SimulatedBackend> model_;
  FailSwitch fail_switch_;
  uint64_t next_id_ = 1;
};

// {"error":{"message":..,"type":..,"param":null,"code":null}} with `status`.
http::Response OpenAiError(unsigned status, std::string_view type, std::string_view message);

}  // namespace bp::fakes
