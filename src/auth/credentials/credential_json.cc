#include "auth/credentials/credential_json.h"

#include <string>
#include <utility>

#include "json/json.h"

namespace bp::auth::credentials {
namespace {

// Reads `n` digits at `pos`; advances it. std::nullopt when any is missing.
std::optional<int> Digits(std::string_view text, size_t& pos, size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return value;
}

bool Expect(std::string_view text, size_t& pos, std::string_view any_of) {
  if (pos >= text.size() || any_of.find(text[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

// "+02:00" / "-05:30" / "Z" at `pos`, as an offset east of UTC; consumes it.
std::optional<std::chrono::minutes> Offset(std::string_view text, size_t& pos) {
  if (Expect(text, pos, "Zz")) return std::chrono::minutes(0);
  if (pos >= text.size()) return std::nullopt;
  const int sign = text[pos] == '-' ? -1 : 1;
  if (!Expect(text, pos, "+-")) return std::nullopt;
  auto hh = Digits(text, pos, 2);
  if (!hh || *hh > 23 || !Expect(text, pos, ":")) return std::nullopt;
  auto mm = Digits(text, pos, 2);
  if (!mm || *mm > 59) return std::nullopt;
  return std::chrono::minutes(sign * (*hh * 60 + *mm));
}

// The members both answer formats share.
Result<Credentials> KeysFrom(const json::Object& obj, std::string_view token_key,
                             bool token_required, bool expiration_required,
                             std::string_view source) {
  Credentials c;
  BP_ASSIGN_OR_RETURN(c.access_key_id, json::RequiredString(obj, "AccessKeyId", "$"));
  BP_ASSIGN_OR_RETURN(c.secret_access_key, json::RequiredString(obj, "SecretAccessKey", "$"));
  if (c.access_key_id.empty()) return ValidationError("$.AccessKeyId is empty");
  if (c.secret_access_key.empty()) return ValidationError("$.SecretAccessKey is empty");
  BP_ASSIGN_OR_RETURN(auto token, json::OptionalString(obj, token_key, "$"));
  if (token && token->empty()) token.reset();
  if (!token && token_required) {
    return ValidationError("$." + std::string(token_key) + " is required");
  }
  c.session_token = std::move(token);
  BP_ASSIGN_OR_RETURN(auto expiration, json::OptionalString(obj, "Expiration", "$"));
  if (expiration) {
    c.expiration = ParseRfc3339(*expiration);
    // The value is a date, not a secret, but it stays out of the message like
    // everything else read from the answer.
    if (!c.expiration) return ValidationError("$.Expiration is not an RFC 3339 date-time");
  } else if (expiration_required) {
    return ValidationError("$.Expiration is required");
  }
  c.source = std::string(source);
  return c;
}

// The answer as a JSON object. The parser's message is left out: it may quote
// the text.
Result<json::Value> ParseAnswer(std::string_view text) {
  auto doc = json::Parse(text);
  if (!doc.ok()) return ValidationError("the answer is not JSON");
  if (!doc->is_object()) {
    return ValidationError("the answer is " + std::string(json::KindName(*doc)) +
                           ", expected a JSON object");
  }
  return std::move(*doc);
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  auto y = Digits(text, pos, 4);
  if (!y || !Expect(text, pos, "-")) return std::nullopt;
  auto mo = Digits(text, pos, 2);
  if (!mo || !Expect(text, pos, "-")) return std::nullopt;
  auto d = Digits(text, pos, 2);
  if (!d || !Expect(text, pos, "Tt ")) return std::nullopt;
  auto hh = Digits(text, pos, 2);
  if (!hh || !Expect(text, pos, ":")) return std::nullopt;
  auto mi = Digits(text, pos, 2);
  if (!mi || !Expect(text, pos, ":")) return std::nullopt;
  auto ss = Digits(text, pos, 2);
  if (!ss) return std::nullopt;
  int millis = 0;
  if (Expect(text, pos, ".")) {
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start < 3) millis = millis * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (size_t n = pos - start; n < 3; ++n) millis *= 10;
  }
  auto offset = Offset(text, pos);
  if (!offset || pos != text.size()) return std::nullopt;
  year_month_day date{year(*y), month(static_cast<unsigned>(*mo)), day(static_cast<unsigned>(*d))};
  // system_clock counts nanoseconds in 64 bits: it ends in April 2262.
  if (*y < 1970 || *y > 2261 || !date.ok() || *hh > 23 || *mi > 59 || *ss > 60) return std::nullopt;
  if (*ss == 60) {  // a leap second: the last instant of the minute before
    *ss = 59;
    millis = 999;
  }
  sys_time<milliseconds> t =
      sys_days(date) + hours(*hh) + minutes(*mi) + seconds(*ss) + milliseconds(millis) - *offset;
  return time_point_cast<system_clock::duration>(t);
}

Result<Credentials> ParseProcessCredentials(std::string_view text, std::string_view source) {
  BP_ASSIGN_OR_RETURN(json::Value doc, ParseAnswer(text));
  const json::Object* obj = &doc.as_object();
  const json::Value* version = obj->if_contains("Version");
  if (version == nullptr) return ValidationError("$.Version is required (expected 1)");
  const bool one = (version->is_int64() && version->as_int64() == 1) ||
                   (version->is_uint64() && version->as_uint64() == 1);
  if (!one) return ValidationError("$.Version must be 1, the only version defined");
  return KeysFrom(*obj, "SessionToken", false, false, source);
}

Result<Credentials> ParseRemoteCredentials(std::string_view text, std::string_view source) {
  BP_ASSIGN_OR_RETURN(json::Value doc, ParseAnswer(text));
  const json::Object* obj = &doc.as_object();
  BP_ASSIGN_OR_RETURN(auto code, json::OptionalString(*obj, "Code", "$"));
  if (code && *code != "Success") {
    return ValidationError("$.Code is not \"Success\" (IMDS could not issue credentials)");
  }
  return KeysFrom(*obj, "Token", true, true, source);
}

}  // namespace bp::auth::credentials
