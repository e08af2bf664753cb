#include "backends/openai/upstream_error.h"

#include <optional>
#include <string>

#include "core/utf8.h"

namespace bp::backends::openai {
namespace {

struct ErrorFacts {
  std::string message;
  std::string type;             // error.type, or a string error.code
  std::optional<int64_t> code;  // a numeric error.code
};

std::string Printable(std::string_view text) { return PrintableText(text, kMaxErrorMessageBytes); }

std::string_view Str(const json::Value* v) { return json::StringOrEmpty(v); }

ErrorFacts FactsOf(const json::Value& document) {
  ErrorFacts facts;
  const json::Value* error = json::Find(&document, {"error"});
  const json::Value* holder = &document;  // where message / type / code live
  if (error != nullptr && error->is_string()) {
    facts.message = Printable(error->get_string());
    return facts;
  }
  if (error != nullptr && error->is_object()) holder = error;
  facts.message = Printable(Str(json::Find(holder, {"message"})));
  if (facts.message.empty()) facts.message = Printable(Str(json::Find(&document, {"detail"})));
  facts.type = Str(json::Find(holder, {"type"}));
  const json::Value* code = json::Find(holder, {"code"});
  if (code != nullptr && code->is_string()) {
    if (facts.type.empty() || facts.type == "invalid_request_error")
      facts.type = code->get_string();
  } else {
    facts.code = json::AsInt64(code);
  }
  return facts;
}

// The HTTP status a type stands for, when it names one.
std::optional<int> StatusOfType(std::string_view type) {
  if (type == "invalid_request_error" || type == "exceed_context_size_error" ||
      type == "context_length_exceeded" || type == "BadRequestError" ||
      type == "not_supported_error") {
    return 400;
  }
  if (type == "authentication_error" || type == "permission_error") return 401;
  if (type == "not_found_error" || type == "NotFoundError" || type == "model_not_found") {
    return 404;
  }
  if (type == "rate_limit_error" || type == "rate_limit_exceeded" || type == "requests" ||
      type == "tokens") {
    return 429;
  }
  if (type == "server_error" || type == "unavailable_error" || type == "overloaded_error" ||
      type == "InternalServerError" || type == "ServiceUnavailableError") {
    return 503;
  }
  return std::nullopt;
}

// `label` says where `http` came from ("HTTP 429", "error code 429", ...).
Status StatusFor(int http, std::string_view label, const ErrorFacts& facts,
                 std::string_view region) {
  std::string where = "The OpenAI-compatible server at " + std::string(region);
  std::string tail;
  if (!label.empty()) tail = " (" + std::string(label) + ")";
  tail += ": " + facts.message;
  if (http == 400 || http == 413 || http == 422) {
    return Status(ErrorCode::kValidation, where + " refused the request" + tail);
  }
  if (http == 401 || http == 403) {
    return Status(
        ErrorCode::kServiceUnavailable,
        where + " refused this endpoint's credentials (check the region's API key)" + tail);
  }
  if (http == 404) {
    return Status(
        ErrorCode::kServiceUnavailable,
        where + " has no such route or model (check the region's base_url and model)" + tail);
  }
  if (http == 408) return Status(ErrorCode::kModelTimeout, where + " timed out" + tail);
  if (http == 429) return Status(ErrorCode::kThrottling, where + " is throttling requests" + tail);
  if (http >= 500 && http <= 599) {
    return Status(ErrorCode::kServiceUnavailable, where + " failed" + tail);
  }
  return Status(ErrorCode::kModelError, where + " answered an error" + tail);
}

}  // namespace

bool IsErrorDocument(const json::Value& document) {
  if (!document.is_object()) return false;
  const json::Value* error = json::Find(&document, {"error"});
  if (error != nullptr && !error->is_null()) return true;
  return Str(json::Find(&document, {"object"})) == "error";
}

Status UpstreamErrorStatus(int http_status, std::string_view body, std::string_view region) {
  const std::string_view head = body.substr(0, kMaxErrorBodyBytes);
  ErrorFacts facts;
  Result<json::Value> parsed = json::Parse(head);
  if (parsed.ok() && parsed->is_object()) {
    facts = FactsOf(*parsed);
  } else {
    facts.message = Printable(head);
  }
  if (facts.message.empty()) facts.message = "(no message)";
  return StatusFor(http_status, "HTTP " + std::to_string(http_status), facts, region);
}

Status EmbeddedErrorStatus(const json::Value& document, std::string_view region) {
  ErrorFacts facts = FactsOf(document);
  if (facts.message.empty()) facts.message = "(no message)";
  // Without a status, an error the server reports mid-answer is its own
  // failure (500) unless its code or type says otherwise.
  int http = 500;
  std::string label = "an error event";
  if (facts.code && *facts.code >= 400 && *facts.code <= 599) {
    http = static_cast<int>(*facts.code);
    label = "error code " + std::to_string(http);
  } else if (std::optional<int> s = StatusOfType(facts.type)) {
    http = *s;
    label = "error type " + facts.type;
  }
  return StatusFor(http, label, facts, region);
}

}  // namespace bp::backends::openai
