#include "api/errors.h"

#include <spdlog/spdlog.h>

#include "core/utf8.h"

namespace bp::api {

namespace {}  // namespace

std::string ToValidUtf8(std::string_view text) { return ::bp::ToValidUtf8(text); }

ErrorWire WireFor(ErrorCode code) {
  // One row per ErrorCode; the switch has no default so a new code without a
  // row is a compile warning (and -Werror makes it an error).
  switch (code) {
    // client faults
    case ErrorCode::kValidation:
      return {400, "ValidationException"};
    case ErrorCode::kConflict:
      return {400, "ConflictException"};
    case ErrorCode::kServiceQuotaExceeded:
      return {400, "ServiceQuotaExceededException"};
    case ErrorCode::kTooManyTags:
      return {400, "TooManyTagsException"};
    case ErrorCode::kResourceInUse:
      return {400, "ResourceInUseException"};
    case ErrorCode::kAccessDenied:
      return {403, "AccessDeniedException"};
    case ErrorCode::kResourceNotFound:
      return {404, "ResourceNotFoundException"};
    case ErrorCode::kThrottling:
      return {429, "ThrottlingException"};
    case ErrorCode::kModelNotReady:
      return {429, "ModelNotReadyException"};
    case ErrorCode::kMissingAuthenticationToken:
      return {403, "MissingAuthenticationTokenException"};
    case ErrorCode::kIncompleteSignature:
      return {400, "IncompleteSignatureException"};
    case ErrorCode::kUnrecognizedClient:
      return {403, "UnrecognizedClientException"};
    case ErrorCode::kInvalidSignature:
      return {403, "InvalidSignatureException"};
    case ErrorCode::kUnknownOperation:
      return {404, "UnknownOperationException"};
    case ErrorCode::kPayloadTooLarge:
      return {413, "ValidationException"};
    case ErrorCode::kNotImplemented:
      return {501, "NotImplementedException"};
    // server faults
    case ErrorCode::kModelTimeout:
      return {408, "ModelTimeoutException"};
    case ErrorCode::kModelError:
      return {424, "ModelErrorException"};
    case ErrorCode::kModelStreamError:
      return {424, "ModelStreamErrorException"};
    case ErrorCode::kInternal:
      return {500, "InternalServerException"};
    case ErrorCode::kServiceUnavailable:
      return {503, "ServiceUnavailableException"};
    case ErrorCode::kIo:
      return {500, "InternalServerException"};
  }
  return {500, "InternalServerException"};  // unreachable for valid enum values
}

bool IsHiddenServerFault(ErrorCode code) {
  return code == ErrorCode::kInternal || code == ErrorCode::kIo;
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
  } else if (IsHiddenServerFault(code)) {
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
