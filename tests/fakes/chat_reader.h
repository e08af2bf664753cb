#pragma once
// The strict reading of a chat-completions request body, as the fake
// OpenAI-compatible server (llama-server / vLLM / Ollama) checks it, and its
// translation back into the canonical ModelRequest, so the simulated model
// answers it. What is accepted is what backends/openai/chat_request.h
// produces (README.md lists the rules); any deviation is an error naming the
// member. Pure code.

#include <optional>
#include <string>
#include <string_view>

#include "backends/backend.h"
#include "core/status.h"

namespace bp::fakes {

struct ChatRequest {
  backends::ModelRequest model;  // model_id: the caller's `model`
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
};

// Errors: kResourceNotFound when `model` is not `served_model` (message as
// vLLM: "The model `x` does not exist."), kValidation otherwise ("messages[2]
// .tool_call_id: no earlier assistant tool call has the id 'x'").
Result<ChatRequest> ReadChatRequest(std::string_view body, std::string_view served_model);

}  // namespace bp::fakes
