#include "api/runtime/call_options.h"

#include <string>

namespace bp::api::runtime {

namespace {

using json::Object;
using json::Value;

constexpr std::string_view kTierNames[] = {"priority", "default", "flex", "reserved"};
constexpr size_t kMaxMetadataPairs = 16;
constexpr size_t kMaxMetadataLength = 256;
constexpr size_t kMaxMetadataHeader = 8500;
constexpr std::string_view kKeyPattern = "[a-zA-Z0-9\\s:_@$#=/+,-.]{1,256}";
constexpr std::string_view kValuePattern = "[a-zA-Z0-9\\s:_@$#=/+,-.]{0,256}";

bool IsMetadataChar(char c) {
  if (IsAsciiAlnum(c)) return true;
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
    case '\v':
    case ':':
    case '_':
    case '@':
    case '$':
    case '#':
    case '=':
    case '/':
    case '+':
    case ',':
    case '-':
    case '.':
      return true;
    default:
      return false;
  }
}

bool MatchesMetadata(std::string_view s, size_t min_length) {
  if (s.size() < min_length || s.size() > kMaxMetadataLength) return false;
  for (char c : s) {
    if (!IsMetadataChar(c)) return false;
  }
  return true;
}

Status ParseMetadataObject(const Object& obj, const WirePath& p, backends::RequestMetadata& out) {
  if (obj.empty()) {
    return CoralError(p, "", "Member must have length greater than or equal to 1");
  }
  if (obj.size() > kMaxMetadataPairs) {
    return CoralError(p, "", "Member must have length less than or equal to 16");
  }
  backends::RequestMetadata pairs;
  pairs.reserve(obj.size());
  for (const auto& member : obj) {
    std::string_view key(member.key().data(), member.key().size());
    if (!MatchesMetadata(key, 1)) {
      return CoralConstraint(p, key,
                             "Map keys must satisfy constraint: [Member must satisfy regular "
                             "expression pattern: " +
                                 std::string(kKeyPattern) + "]");
    }
    WirePath vp = p.Key(key);
    BP_ASSIGN_OR_RETURN(std::string_view value, AsString(member.value(), vp));
    if (!MatchesMetadata(value, 0)) {
      return CoralConstraint(
          vp, value,
          "Member must satisfy regular expression pattern: " + std::string(kValuePattern));
    }
    pairs.emplace_back(key, value);
  }
  out = std::move(pairs);
  return Status::Ok();
}

}  // namespace

Status ParseServiceTier(const Value& v, const WirePath& p, backends::ModelRequest& req) {
  static constexpr std::string_view kMembers[] = {"type"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  BP_ASSIGN_OR_RETURN(std::string_view type, RequiredString(*obj, "type", p));
  std::optional<backends::ServiceTier> tier = backends::ServiceTierFromName(type);
  if (!tier) return CoralEnum(p.Key("type"), kTierNames, type);
  req.service_tier = *tier;
  return Status::Ok();
}

Status ParseRequestMetadata(const Value& v, const WirePath& p, backends::RequestMetadata& out) {
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  return ParseMetadataObject(*obj, p, out);
}

Status ParseInvokeHeaders(const http::Headers& headers, backends::ModelRequest& req) {
  const WirePath root;
  if (const std::string* tier = http::FindHeader(headers, "x-amzn-bedrock-service-tier")) {
    std::optional<backends::ServiceTier> parsed = backends::ServiceTierFromName(*tier);
    if (!parsed) return CoralEnum(root.Key("serviceTier"), kTierNames, *tier);
    req.service_tier = *parsed;
  }
  const std::string* metadata = http::FindHeader(headers, "x-amzn-bedrock-request-metadata");
  if (metadata == nullptr) return Status::Ok();
  const WirePath p = root.Key("requestMetadata");
  if (metadata->size() > kMaxMetadataHeader) {
    return CoralError(p, "", "Member must have length less than or equal to 8500");
  }
  Result<Value> doc = json::Parse(*metadata);
  if (!doc.ok() || !doc->is_object()) {
    return ValidationError(
        "The X-Amzn-Bedrock-Request-Metadata header must be a JSON object whose keys and values "
        "are strings, for example {\"team\":\"search\"}.");
  }
  return ParseMetadataObject(doc->get_object(), p, req.request_metadata);
}

}  // namespace bp::api::runtime
