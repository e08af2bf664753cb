#include "core/status.h"

namespace bp {

namespace {
const std::string& EmptyString() {
  static const std::string kEmpty;
  return kEmpty;
}
}  // namespace

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kValidation:
      return "Validation";
    case ErrorCode::kConflict:
      return "Conflict";
    case ErrorCode::kServiceQuotaExceeded:
      return "ServiceQuotaExceeded";
    case ErrorCode::kTooManyTags:
      return "TooManyTags";
    case ErrorCode::kResourceInUse:
      return "ResourceInUse";
    case ErrorCode::kAccessDenied:
      return "AccessDenied";
    case ErrorCode::kResourceNotFound:
      return "ResourceNotFound";
    case ErrorCode::kThrottling:
      return "Throttling";
    case ErrorCode::kModelNotReady:
      return "ModelNotReady";
    case ErrorCode::kMissingAuthenticationToken:
      return "MissingAuthenticationToken";
    case ErrorCode::kIncompleteSignature:
      return "IncompleteSignature";
    case ErrorCode::kUnrecognizedClient:
      return "UnrecognizedClient";
    case ErrorCode::kInvalidSignature:
      return "InvalidSignature";
    case ErrorCode::kUnknownOperation:
      return "UnknownOperation";
    case ErrorCode::kPayloadTooLarge:
      return "PayloadTooLarge";
    case ErrorCode::kNotImplemented:
      return "NotImplemented";
    case ErrorCode::kModelTimeout:
      return "ModelTimeout";
    case ErrorCode::kModelError:
      return "ModelError";
    case ErrorCode::kModelStreamError:
      return "ModelStreamError";
    case ErrorCode::kInternal:
      return "Internal";
    case ErrorCode::kServiceUnavailable:
      return "ServiceUnavailable";
    case ErrorCode::kIo:
      return "Io";
  }
  return "Unknown";
}

Status::Status(ErrorCode code, std::string message)
    : rep_(std::make_shared<const Rep>(Rep{code, std::move(message), {}})) {}

const std::string& Status::message() const { return rep_ ? rep_->message : EmptyString(); }

const std::string& Status::location() const { return rep_ ? rep_->location : EmptyString(); }

Status Status::WithLocation(std::string location) && {
  if (!rep_ || !rep_->location.empty()) return std::move(*this);
  Status s;
  s.rep_ = std::make_shared<const Rep>(Rep{rep_->code, rep_->message, std::move(location)});
  return s;
}

Status Status::Annotate(std::string_view prefix) && {
  if (!rep_) return std::move(*this);
  Status s;
  std::string m(prefix);
  m += ": ";
  m += rep_->message;
  s.rep_ = std::make_shared<const Rep>(Rep{rep_->code, std::move(m), rep_->location});
  return s;
}

std::string Status::ToString() const {
  if (!rep_) return "OK";
  if (rep_->location.empty()) return rep_->message;
  return rep_->location + ": " + rep_->message;
}

}  // namespace bp
