#include "api/errors.h"

#include <spdlog/spdlog.h>

#include "core/utf8.h"

namespace bp::api {

namespace {

constexpr std::string_view kInternalServer = "internalServerException";

// A code outside both streaming unions: sent in-stream as a generic
// internalServerException.
constexpr StreamWire kUnmodelled{kInternalServer, kInternalServer, Message::kHidden};

// A code both unions model under the same member, with its message.
constexpr StreamWire Modelled(std::string_view member) { return {member, member, Message::kShown}; }

}  // namespace

std::string ToValidUtf8(std::string_view text) { return ::bp::ToValidUtf8(text); }

ErrorWire WireFor(ErrorCode code) {
  constexpr Message kShown = Message::kShown;
  constexpr Message kHidden = Message::kHidden;
  // One row per ErrorCode and no default: a new code without a row is a
  // -Wswitch warning, which -Werror makes a build failure.
  switch (code) {
    // client faults
    case ErrorCode::kValidation:
      return {400, "ValidationException", kShown, Modelled("validationException")};
    case ErrorCode::kConflict:
      return {400, "ConflictException", kShown, kUnmodelled};
    case ErrorCode::kServiceQuotaExceeded:
      return {400, "ServiceQuotaExceededException", kShown, kUnmodelled};
    case ErrorCode::kTooManyTags:
      return {400, "TooManyTagsException", kShown, kUnmodelled};
    case ErrorCode::kResourceInUse:
      return {400, "ResourceInUseException", kShown, kUnmodelled};
    case ErrorCode::kAccessDenied:
      return {403, "AccessDeniedException", kShown, kUnmodelled};
    case ErrorCode::kResourceNotFound:
      return {404, "ResourceNotFoundException", kShown, kUnmodelled};
    case ErrorCode::kThrottling:
      return {429, "ThrottlingException", kShown, Modelled("throttlingException")};
    case ErrorCode::kModelNotReady:
      return {429, "ModelNotReadyException", kShown, Modelled("throttlingException")};
    case ErrorCode::kMissingAuthenticationToken:
      return {403, "MissingAuthenticationTokenException", kShown, kUnmodelled};
    case ErrorCode::kIncompleteSignature:
      return {400, "IncompleteSignatureException", kShown, kUnmodelled};
    case ErrorCode::kUnrecognizedClient:
      return {403, "UnrecognizedClientException", kShown, kUnmodelled};
    case ErrorCode::kInvalidSignature:
      return {403, "InvalidSignatureException", kShown, kUnmodelled};
    case ErrorCode::kUnknownOperation:
      return {404, "UnknownOperationException", kShown, kUnmodelled};
    case ErrorCode::kPayloadTooLarge:
      return {413, "ValidationException", kShown, kUnmodelled};
    case ErrorCode::kNotImplemented:
      return {501, "NotImplementedException", kShown, kUnmodelled};
    // server faults
    case ErrorCode::kModelTimeout:
      // ConverseStream has no modelTimeoutException; its message still shows.
      return {
          408, "ModelTimeoutException", kShown, {kInternalServer, "modelTimeoutException", kShown}};
    case ErrorCode::kModelError:
      return {424, "ModelErrorException", kShown, Modelled("modelStreamErrorException")};
    case ErrorCode::kModelStreamError:
      return {424, "ModelStreamErrorException", kShown, Modelled("modelStreamErrorException")};
    case ErrorCode::kInternal:
      return {500, "InternalServerException", kHidden, kUnmodelled};
    case ErrorCode::kServiceUnavailable:
      return {503, "ServiceUnavailableException", kShown, Modelled("serviceUnavailableException")};
    case ErrorCode::kIo:
      return {500, "InternalServerException", kHidden, kUnmodelled};
  }
  // Unreachable for valid enum values; an out-of-range byte is treated as
  // the most conservative row.
  return {500, "InternalServerException", kHidden, kUnmodelled};
}

http::Response JsonResponse(unsigned http_status, const json::Value& body) {
  http::Response response;
  response.status = http_status;
  response.headers.push_back({"content-type", "application/json"});
  response.body = json::Serialize(body);
  return response;
}

http::Response ErrorResponse(const Status& status, std::string_view request_id,
                             const json::Object& extra) {
  ErrorCode code = status.ok() ? ErrorCode::kInternal : status.code();
  ErrorWire wire = WireFor(code);
  std::string message;
  if (status.ok()) {
    spdlog::error("request {}: ErrorResponse called with an OK status", request_id);
    message = "The server encountered an internal error.";
  } else if (wire.message == Message::kHidden) {
    spdlog::error("request {}: {} error: {}", request_id, ErrorCodeName(code), status.ToString());
    message = "The server encountered an internal error";
    if (!request_id.empty()) message += " (request id " + std::string(request_id) + ")";
    message += ".";
  } else {
    // Messages echo client input (paths, values), which may not be UTF-8;
    // the body must stay valid JSON.
    message = ToValidUtf8(status.ToString());
  }
  json::Object body;
  body["message"] = message;
  for (const auto& member : extra) {
    if (member.key() == "message") continue;
    const json::Value& v = member.value();
    body[member.key()] = v.is_string() ? json::Value(ToValidUtf8(v.get_string())) : v;
  }
  http::Response response = JsonResponse(wire.http_status, body);
  response.headers.push_back({"x-amzn-errortype", std::string(wire.type)});
  return response;
}

http::Response TooManyTagsResponse(const Status& status, std::string_view resource_name,
                                   std::string_view request_id) {
  json::Object extra;
  if (!resource_name.empty()) extra["resourceName"] = resource_name;
  return ErrorResponse(status, request_id, extra);
}

http::Response MethodNotAllowedResponse(std::string_view method, std::string_view path,
                                        const std::vector<std::string>& allowed) {
  std::string allow;
  for (const std::string& m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  http::Response response = ErrorResponse(
      Status(ErrorCode::kUnknownOperation, "Method " + std::string(method) + " is not allowed on " +
                                               std::string(path) + "; allowed: " + allow));
  response.status = 405;
  response.headers.push_back({"allow", allow});
  return response;
}

}  // namespace bp::api
