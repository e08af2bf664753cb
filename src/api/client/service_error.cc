#include "api/client/service_error.h"

#include <array>
#include <utility>

#include "json/json.h"

namespace bp::api::client {
namespace {

// The member `key` of a JSON object when it is a string, else "".
std::string StringMember(const json::Value* doc, std::string_view key) {
  const json::Object* obj = doc ? doc->if_object() : nullptr;
  const json::Value* v = obj ? obj->if_contains(key) : nullptr;
  const boost::json::string* s = v ? v->if_string() : nullptr;
  return s ? std::string(*s) : std::string();
}

// "aws.protocoltests#ValidationException:http://internal..." -> "ValidationException".
std::string BareType(std::string type) {
  type = type.substr(0, type.find_first_of(":,"));
  if (size_t hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  return type;
}

struct TypeRow {
  std::string_view type;
  ErrorCode code;
};

constexpr std::array<TypeRow, 20> kTypes{{
    {"ValidationException", ErrorCode::kValidation},
    {"ConflictException", ErrorCode::kConflict},
    {"ServiceQuotaExceededException", ErrorCode::kServiceQuotaExceeded},
    {"TooManyTagsException", ErrorCode::kTooManyTags},
    {"ResourceInUseException", ErrorCode::kResourceInUse},
    {"AccessDeniedException", ErrorCode::kAccessDenied},
    {"ResourceNotFoundException", ErrorCode::kResourceNotFound},
    {"ThrottlingException", ErrorCode::kThrottling},
    {"ModelNotReadyException", ErrorCode::kModelNotReady},
    {"MissingAuthenticationTokenException", ErrorCode::kMissingAuthenticationToken},
    {"IncompleteSignatureException", ErrorCode::kIncompleteSignature},
    {"UnrecognizedClientException", ErrorCode::kUnrecognizedClient},
    {"InvalidSignatureException", ErrorCode::kInvalidSignature},
    {"UnknownOperationException", ErrorCode::kUnknownOperation},
    {"NotImplementedException", ErrorCode::kNotImplemented},
    {"ModelTimeoutException", ErrorCode::kModelTimeout},
    {"ModelErrorException", ErrorCode::kModelError},
    {"ModelStreamErrorException", ErrorCode::kModelStreamError},
    {"InternalServerException", ErrorCode::kInternal},
    {"ServiceUnavailableException", ErrorCode::kServiceUnavailable},
}};

// Types that mean "refused before doing anything, come back later".
constexpr std::array<std::string_view, 7> kThrottlingTypes{
    "ThrottlingException",   "ThrottledException", "TooManyRequestsException",
    "RequestLimitExceeded",  "RequestThrottled",   "RequestThrottledException",
    "ModelNotReadyException"};

}  // namespace

ServiceError ParseServiceError(const http::Response& response) {
  ServiceError error;
  error.http_status = response.status;
  if (const std::string* id = http::FindHeader(response.headers, "x-amzn-requestid")) {
    error.request_id = *id;
  }
  auto parsed = json::Parse(response.body);
  const json::Value* body = parsed.ok() ? &*parsed : nullptr;
  std::string type;
  if (const std::string* h = http::FindHeader(response.headers, "x-amzn-errortype")) type = *h;
  if (type.empty()) type = StringMember(body, "code");
  if (type.empty()) type = StringMember(body, "__type");
  error.type = BareType(std::move(type));
  error.message = StringMember(body, "message");
  if (error.message.empty()) error.message = StringMember(body, "Message");
  return error;
}

ErrorCode ErrorCodeForServiceError(std::string_view type, unsigned http_status) {
  for (const TypeRow& row : kTypes) {
    if (row.type == type) return row.code;
  }
  if (http_status == 403) return ErrorCode::kAccessDenied;
  if (http_status == 404) return ErrorCode::kResourceNotFound;
  if (http_status == 429) return ErrorCode::kThrottling;
  if (http_status >= 500) return ErrorCode::kServiceUnavailable;
  return ErrorCode::kValidation;
}

Status ServiceErrorStatus(const http::Response& response) {
  ServiceError error = ParseServiceError(response);
  ErrorCode code = ErrorCodeForServiceError(error.type, error.http_status);
  if (error.type.empty() || error.message.empty()) {
    std::string text = response.body.substr(0, 300);
    std::string prefix = error.type.empty() ? "" : error.type + ": ";
    return Status(code, prefix + "HTTP " + std::to_string(response.status) + ": " +
                            (text.empty() ? "(no body)" : text));
  }
  return Status(code, error.type + ": " + error.message);
}

bool IsServiceErrorMessage(std::string_view message) {
  size_t colon = message.find(": ");
  if (colon == std::string_view::npos) return false;
  std::string_view type = message.substr(0, colon);
  constexpr std::string_view kSuffix = "Exception";
  return type.size() > kSuffix.size() && type.substr(type.size() - kSuffix.size()) == kSuffix &&
         type.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
             std::string_view::npos;
}

http::Transience ClassifyServiceError(const http::Response& response) {
  ServiceError error = ParseServiceError(response);
  for (std::string_view t : kThrottlingTypes) {
    if (error.type == t) return http::Transience::kThrottled;
  }
  if (error.type == "InternalServerException" || error.type == "ServiceUnavailableException") {
    return http::Transience::kTransient;
  }
  return http::DefaultTransience(response);
}

}  // namespace bp::api::client
