// libFuzzer target over the runtime's body parsers (untrusted bytes from every
// caller): Converse / ConverseStream, Anthropic Messages (InvokeModel*) and
// CountTokens, and InvokeModel's tier and request-metadata headers (the
// value of X-Amzn-Bedrock-Service-Tier, a newline, then that of
// X-Amzn-Bedrock-Request-Metadata), and ApplyGuardrail bodies with the
// guardrail headers of InvokeModel (the body, a NUL, then the identifier, a
// newline and the version). Byte 0 picks the parser (mod 5); the rest is the
// input.
//
// Invariants checked on every input: parsing never crashes, hangs or throws;
// an accepted request renders into response JSON that parses again (the
// text and tool inputs it carried are echoed back through both formats).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/runtime/anthropic_wire.h"
#include "api/runtime/call_options.h"
#include "api/runtime/converse_wire.h"
#include "api/runtime/guardrail_wire.h"
#include "backends/backend.h"
#include "json/json.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// A response echoing every block of the request, so the renderers see the
// same strange strings the parser accepted.
bp::backends::ModelResponse Echo(const bp::backends::ModelRequest& request) {
  bp::backends::ModelResponse response;
  for (const bp::backends::Message& m : request.messages) {
    for (const bp::backends::ContentBlock& b : m.content) {
      if (b.kind == bp::backends::ContentBlock::Kind::kText ||
          b.kind == bp::backends::ContentBlock::Kind::kToolUse) {
        response.content.push_back(b);
      }
    }
  }
  response.stop_reason = bp::backends::StopReason::kStopSequence;
  response.stop_sequence =
      request.stop_sequences.empty() ? std::string("x") : request.stop_sequences.front();
  return response;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  bp::Result<bp::backends::ModelRequest> request = bp::ValidationError("unset");
  if (data[0] % 5 == 4) {
    const size_t nul = body.find('\0');
    bp::Result<bp::api::runtime::ApplyGuardrailInput> apply =
        bp::api::runtime::ParseApplyGuardrailRequest(body.substr(0, nul));
    if (!apply.ok()) Check(!apply.status().message().empty());
    if (nul == std::string_view::npos) return 0;
    const std::string_view rest = body.substr(nul + 1);
    const size_t nl = rest.find('\n');
    bp::http::Headers headers = {
        {"x-amzn-bedrock-guardrailidentifier", std::string(rest.substr(0, nl))}};
    if (nl != std::string_view::npos) {
      headers.push_back({"x-amzn-bedrock-guardrailversion", std::string(rest.substr(nl + 1))});
    }
    bp::backends::ModelRequest req;
    bp::Status status = bp::api::runtime::ParseInvokeGuardrailHeaders(headers, req);
    if (!status.ok()) Check(!status.message().empty());
    return 0;
  }
  if (data[0] % 5 == 3) {
    const size_t nl = body.find('\n');
    bp::http::Headers headers = {{"x-amzn-bedrock-service-tier", std::string(body.substr(0, nl))}};
    if (nl != std::string_view::npos) {
      headers.push_back({"x-amzn-bedrock-request-metadata", std::string(body.substr(nl + 1))});
    }
    bp::backends::ModelRequest req;
    bp::Status status = bp::api::runtime::ParseInvokeHeaders(headers, req);
    if (!status.ok()) {
      Check(!status.message().empty());
      return 0;
    }
    Check(req.service_tier.has_value());
    Check(req.request_metadata.size() <= 16);
    for (const auto& [key, value] : req.request_metadata) {
      Check(!key.empty() && key.size() <= 256 && value.size() <= 256);
    }
    return 0;
  }
  switch (data[0] % 5) {
    case 0:
      request = bp::api::runtime::ParseConverseRequest(body);
      break;
    case 1:
      request = bp::api::runtime::ParseAnthropicRequest(body);
      break;
    default:
      request = bp::api::runtime::ParseCountTokensRequest(body);
      break;
  }
  if (!request.ok()) {
    Check(!request.status().message().empty());
    return 0;
  }
  bp::backends::ModelResponse response = Echo(*request);
  Check(bp::json::Parse(bp::api::runtime::ConverseResponseJson(response, 1, request->service_tier))
            .ok());
  Check(request->request_metadata.size() <= 16);
  Check(bp::json::Parse(bp::api::runtime::AnthropicResponseJson(response, "msg_bdrk_x",
                                                                "claude-haiku-4-5-20251001"))
            .ok());
  return 0;
}
