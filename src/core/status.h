#pragma once
// Status and Result<T>: expected failures as values (STYLE.md D.14-D.19).
//
// An OK Status holds no heap memory. A failed Status carries an ErrorCode, a
// human-readable message and an optional location ("file:line:col") that the
// config front end fills. Thread-safety: values; no shared state.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace bp {

// The closed set of failures. Client-fault codes first, server-fault codes
// after. The wire mapping (HTTP status + Bedrock error type) lives in exactly
// one table: api/errors.cc (ErrorWire). Add a row there when adding a code.
enum class ErrorCode : uint8_t {
  // client faults
  kValidation,
  kConflict,
  kServiceQuotaExceeded,
  kTooManyTags,
  kResourceInUse,
  kAccessDenied,
  kResourceNotFound,
  kThrottling,
  kModelNotReady,
  kMissingAuthenticationToken,
  kIncompleteSignature,
  kUnrecognizedClient,
  kInvalidSignature,
  kUnknownOperation,  // no route matched
  kPayloadTooLarge,
  kNotImplemented,  // route known, operation not built yet
  // server faults
  kModelTimeout,
  kModelError,
  kModelStreamError,
  kInternal,
  kServiceUnavailable,
  kIo,  // local I/O failure (files, database)
};

// Name of the code for logs ("Validation", "Io", ...). Never empty.
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  // Lets code (and test matchers) treat a Status like a Result<T>.
  const Status& status() const { return *this; }
  // REQUIRES: !ok() for code(); message() is empty when ok().
  ErrorCode code() const { return rep_ ? rep_->code : ErrorCode::kInternal; }
  const std::string& message() const;
  // "file:line:col" where the error was found, or empty.
  const std::string& location() const;

  // Returns a copy with a location attached (kept if one is already set).
  Status WithLocation(std::string location) &&;
  // Returns a copy whose message is "prefix: message".
  Status Annotate(std::string_view prefix) &&;

  // "location: message", or "OK".
  std::string ToString() const;

 private:
  struct Rep {
    ErrorCode code;
    std::string message;
    std::string location;
  };
  std::shared_ptr<const Rep> rep_;  // shared so copies are cheap; immutable
};

// Shorthands.
inline Status ValidationError(std::string m) {
  return Status(ErrorCode::kValidation, std::move(m));
}
inline Status NotFoundError(std::string m) {
  return Status(ErrorCode::kResourceNotFound, std::move(m));
}
inline Status ConflictError(std::string m) { return Status(ErrorCode::kConflict, std::move(m)); }
inline Status InternalError(std::string m) { return Status(ErrorCode::kInternal, std::move(m)); }
inline Status IoError(std::string m) { return Status(ErrorCode::kIo, std::move(m)); }

// Result<T>: a T or a failed Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // OK status when ok().
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace bp

#define BP_CONCAT_INNER_(a, b) a##b
#define BP_CONCAT_(a, b) BP_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define BP_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::bp::Status bp_status_ = (expr);        \
    if (!bp_status_.ok()) return bp_status_; \
  } while (false)

#define BP_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

// `BP_ASSIGN_OR_RETURN(auto x, Foo());` declares x from a Result or returns
// its Status.
#define BP_ASSIGN_OR_RETURN(lhs, expr) \
  BP_ASSIGN_OR_RETURN_IMPL_(BP_CONCAT_(bp_result_, __LINE__), lhs, expr)

#ifndef NDEBUG
#include <cstdio>
#include <cstdlib>
#define BP_ASSERT(cond)                                                                 \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)
#else
#define BP_ASSERT(cond) ((void)0)
#endif
