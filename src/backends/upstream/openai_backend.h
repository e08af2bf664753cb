#pragma once
// OpenAiBackend: a region answered by an OpenAI-compatible chat-completions
// server (llama.cpp's llama-server, vLLM, Ollama, LM Studio) through the
// non-blocking upstream client on the server's loops. The translation is
// backends/openai (pure); this class only moves bytes. Public header of
// bp_backends_upstream; only the composition root names it.
//
// Each Start() sends POST {base_url}/v1/chat/completions: a streaming call
// (ModelRequest::stream) asks for SSE with stream_options.include_usage, any
// other call for the whole chat.completion. Answers:
// - 2xx with text/event-stream: fed to a ChatStreamTranslator as the bytes
//   arrive (nothing is buffered beyond one SSE event).
// - 2xx with anything else: read whole (at most openai::kMaxAnswerBytes),
//   decoded and checked, then replayed (a malformed answer produces no output,
//   so the runtime may still fail over). A server that answers a streaming
//   request with one JSON document is handled the same way.
// - non-2xx: the first openai::kMaxErrorBodyBytes of the body through
//   openai::UpstreamErrorStatus.
// - transport failures (connection refused, timeouts, a reset): the upstream
//   client's kServiceUnavailable status; after OnStart they end the stream
//   with that error.
// Nothing reaches the sink from inside Start(): a request the translation
// refuses gets its error posted to the loop.
//
// Thread-safe: the options and the Upstream are shared by every loop; each
// invocation lives on the loop it was started on.

#include <memory>
#include <string>

#include "backends/backend.h"
#include "http/client.h"
#include "http/upstream_client.h"

namespace bp::backends::upstream {

struct OpenAiBackendOptions {
  std::string model;               // the upstream model name; required
  std::string api_key;             // sent as "Authorization: Bearer <key>"; empty: none
  int32_t default_max_tokens = 0;  // max_tokens when the request says 0; <= 0: none sent
};

class OpenAiBackend final : public ModelBackend {
 public:
  // `endpoint` is the server's root (base_url parsed by http::ParseEndpointUrl).
  OpenAiBackend(http::Endpoint endpoint, http::UpstreamOptions upstream,
                OpenAiBackendOptions options);
  ~OpenAiBackend() override;
  OpenAiBackend(const OpenAiBackend&) = delete;
  OpenAiBackend& operator=(const OpenAiBackend&) = delete;

  std::unique_ptr<Invocation> Start(const ModelRequest& request, EventLoop& loop,
                                    OutputSink& sink) override;
  // The local tokenizer's count (backends/tokenizer.h): the server is not
  // asked, so CountTokens stays a local, free call.
  int64_t CountInputTokens(const ModelRequest& request) const override;
  // True: OnStart carries the same local count (servers report usage at the end).
  bool EstimatesInputTokens() const override { return true; }

  const http::Upstream& upstream() const { return upstream_; }

 private:
  const OpenAiBackendOptions options_;
  const http::Upstream upstream_;
  const std::string authorization_;  // "Bearer <key>" or empty
};

}  // namespace bp::backends::upstream
