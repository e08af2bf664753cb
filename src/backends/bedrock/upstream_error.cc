#include "backends/bedrock/upstream_error.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "core/utf8.h"
#include "json/json.h"

namespace bp::backends::bedrock {
namespace {

std::string Printable(std::string_view text) { return PrintableText(text, kMaxErrorMessageBytes); }

// "ValidationException:http://internal..." -> "ValidationException";
// "com.amazon.bedrock#ValidationException" -> "ValidationException".
std::string_view BareName(std::string_view name) {
  name = name.substr(0, std::min(name.find(':'), name.find(',')));
  if (const size_t hash = name.rfind('#'); hash != std::string_view::npos) {
    name = name.substr(hash + 1);
  }
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  return name.substr(0, 128);
}

struct Facts {
  std::string name;     // bare error name, may be empty
  std::string message;  // Printable, may be empty
};

Facts FactsOf(std::string_view error_type, std::string_view body) {
  Facts facts;
  facts.name = Printable(BareName(error_type));
  Result<json::Value> doc = json::Parse(body.substr(0, kMaxErrorBodyBytes));
  if (doc.ok() && doc->is_object()) {
    std::string_view message = json::StringOrEmpty(json::Find(&*doc, {"message"}));
    if (message.empty()) message = json::StringOrEmpty(json::Find(&*doc, {"Message"}));
    facts.message = Printable(message);
    if (facts.name.empty()) {
      std::string_view type = json::StringOrEmpty(json::Find(&*doc, {"__type"}));
      if (type.empty()) type = json::StringOrEmpty(json::Find(&*doc, {"code"}));
      facts.name = Printable(BareName(type));
    }
  } else if (!doc.ok()) {
    facts.message = Printable(body.substr(0, kMaxErrorBodyBytes));  // a proxy's text or HTML
  }
  return facts;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

enum class Kind : uint8_t { kUnknown, kCode, kEndpointCredentials, kEndpointModel };

struct Mapping {
  std::string_view name;
  Kind kind;
  ErrorCode code;
};

// By name, case-insensitively, so the stream's lowerCamel names match too.
constexpr Mapping kByName[] = {
    {"ThrottlingException", Kind::kCode, ErrorCode::kThrottling},
    {"ServiceUnavailableException", Kind::kCode, ErrorCode::kServiceUnavailable},
    {"InternalServerException", Kind::kCode, ErrorCode::kInternal},
    {"ModelTimeoutException", Kind::kCode, ErrorCode::kModelTimeout},
    {"ModelNotReadyException", Kind::kCode, ErrorCode::kModelNotReady},
    {"ModelErrorException", Kind::kCode, ErrorCode::kModelError},
    {"ModelStreamErrorException", Kind::kCode, ErrorCode::kModelStreamError},
    {"ValidationException", Kind::kCode, ErrorCode::kValidation},
    {"ServiceQuotaExceededException", Kind::kCode, ErrorCode::kServiceQuotaExceeded},
    {"AccessDeniedException", Kind::kEndpointCredentials, ErrorCode::kServiceUnavailable},
    {"UnrecognizedClientException", Kind::kEndpointCredentials, ErrorCode::kServiceUnavailable},
    {"ExpiredTokenException", Kind::kEndpointCredentials, ErrorCode::kServiceUnavailable},
    {"InvalidSignatureException", Kind::kEndpointCredentials, ErrorCode::kServiceUnavailable},
    {"IncompleteSignatureException", Kind::kEndpointCredentials, ErrorCode::kServiceUnavailable},
    {"MissingAuthenticationTokenException", Kind::kEndpointCredentials,
     ErrorCode::kServiceUnavailable},
    {"ResourceNotFoundException", Kind::kEndpointModel, ErrorCode::kServiceUnavailable},
};

Mapping Lookup(std::string_view name, int http_status) {
  for (const Mapping& m : kByName) {
    if (EqualsIgnoreCase(m.name, name)) return m;
  }
  switch (http_status) {
    case 400:
      return {{}, Kind::kCode, ErrorCode::kValidation};
    case 401:
    case 403:
      return {{}, Kind::kEndpointCredentials, ErrorCode::kServiceUnavailable};
    case 404:
      return {{}, Kind::kEndpointModel, ErrorCode::kServiceUnavailable};
    case 408:
      return {{}, Kind::kCode, ErrorCode::kModelTimeout};
    case 424:
      return {{}, Kind::kCode, ErrorCode::kModelError};
    case 429:
      return {{}, Kind::kCode, ErrorCode::kThrottling};
    case 500:
      return {{}, Kind::kCode, ErrorCode::kInternal};
    default:
      break;
  }
  if (http_status >= 500 && http_status <= 599) {
    return {{}, Kind::kCode, ErrorCode::kServiceUnavailable};
  }
  return {{}, Kind::kUnknown, ErrorCode::kModelError};
}

Status Build(const Mapping& m, const Facts& facts, int http_status, std::string_view region) {
  std::string what = facts.name.empty() ? std::string("an error") : facts.name;
  if (http_status > 0) what += " (HTTP " + std::to_string(http_status) + ")";
  const std::string r(region);
  switch (m.kind) {
    case Kind::kEndpointCredentials:
      return Status(m.code, "Amazon Bedrock in " + r +
                                " refused this endpoint's AWS credentials, " + what +
                                (facts.message.empty() ? "" : ": " + facts.message));
    case Kind::kEndpointModel:
      return Status(m.code, "Amazon Bedrock in " + r +
                                " does not serve the model for this endpoint, " + what +
                                (facts.message.empty() ? "" : ": " + facts.message));
    default:
      break;
  }
  if (m.code == ErrorCode::kValidation && !facts.message.empty()) {
    return Status(m.code, facts.message);
  }
  if (facts.message.empty()) return Status(m.code, "Amazon Bedrock in " + r + " answered " + what);
  return Status(m.code, "Amazon Bedrock in " + r + ": " + facts.message);
}

}  // namespace

Status UpstreamErrorStatus(int http_status, std::string_view error_type, std::string_view body,
                           std::string_view region) {
  const Facts facts = FactsOf(error_type, body);
  return Build(Lookup(facts.name, http_status), facts, http_status, region);
}

Status StreamExceptionStatus(std::string_view exception_type, std::string_view payload,
                             std::string_view region) {
  const Facts facts = FactsOf(exception_type, payload);
  Mapping m = Lookup(facts.name, 0);
  if (m.kind == Kind::kUnknown) m = {{}, Kind::kCode, ErrorCode::kModelStreamError};
  return Build(m, facts, 0, region);
}

bool IsCredentialError(int http_status, std::string_view error_type, std::string_view body) {
  (void)http_status;  // the name or the message decides: 403 is also plain AccessDenied
  const Facts facts = FactsOf(error_type, body);
  for (std::string_view name :
       {"ExpiredTokenException", "UnrecognizedClientException", "InvalidSignatureException"}) {
    if (EqualsIgnoreCase(facts.name, name)) return true;
  }
  std::string lower = facts.message;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t token = lower.find("security token");
  return token != std::string::npos && lower.find("expired", token) != std::string::npos;
}

}  // namespace bp::backends::bedrock
