#include "api/control/control_internal.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "api/control/validation.h"
#include "core/arn.h"
#include "core/clock.h"

namespace bp::api::control {

namespace {

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64Url[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kBase64Url[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    const char* pos = std::find(kBase64Url, kBase64Url + 64, c);
    if (pos == kBase64Url + 64) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(pos - kBase64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// FNV-1a, 64 bits, over length-prefixed fields so no two inputs share an
// encoding. Stable across builds and runs (the digest is stored durably).
class Digest {
 public:
  void Field(std::string_view s) {
    std::string len = std::to_string(s.size()) + ":";
    Bytes(len);
    Bytes(s);
  }
  std::string Hex() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 0; i < 16; ++i) out[15 - i] = kHex[(hash_ >> (4 * i)) & 0xF];
    return out;
  }

 private:
  void Bytes(std::string_view s) {
    for (unsigned char c : s) {
      hash_ ^= c;
      hash_ *= 0x100000001b3ULL;
    }
  }
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace

Status ProfileNotFound(std::string_view identifier) {
  return NotFoundError("The inference profile '" + std::string(identifier) + "' was not found");
}

Result<ProfileRef> ResolveProfile(std::string_view identifier,
                                  const ControlService::Options& options,
                                  const catalog::Catalog& catalog) {
  Violations v;
  v.CheckLength(identifier, identifier, "inferenceProfileIdentifier", 1, 2048);
  v.CheckPattern(MatchesProfileIdentifier(identifier), identifier, "inferenceProfileIdentifier",
                 kProfileIdentifierPattern);
  BP_RETURN_IF_ERROR(v.ToStatus());
  if (identifier.find('/') == std::string_view::npos) {
    // A bare id: system-defined ids contain '.', application ids never do.
    if (const catalog::SystemProfile* p = catalog.FindSystemProfile(identifier)) {
      return ProfileRef{.id = p->id, .system = p};
    }
    return ProfileRef{.id = std::string(identifier)};
  }
  BP_ASSIGN_OR_RETURN(Arn arn, Arn::Parse(identifier));
  if (arn.partition != "aws" || arn.region != options.region || arn.account != options.account_id) {
    return ProfileNotFound(identifier);
  }
  std::string id(arn.ResourceId());
  if (ClassifyBedrockArn(arn) == BedrockResourceKind::kSystemProfile) {
    const catalog::SystemProfile* p = catalog.FindSystemProfile(id);
    if (p == nullptr) return ProfileNotFound(identifier);
    return ProfileRef{.id = std::move(id), .system = p};
  }
  return ProfileRef{.id = std::move(id)};
}

InferenceProfile ToProfile(const storage::ProfileRecord& record) {
  InferenceProfile out;
  out.name = record.name;
  out.description = record.description;
  out.created_at = FormatRfc3339(FromUnixMillis(record.created_at_ms));
  out.updated_at = FormatRfc3339(FromUnixMillis(record.updated_at_ms));
  out.arn = record.arn;
  out.model_arns = record.model_arns;
  out.id = record.id;
  out.type = ProfileType::kApplication;
  return out;
}

std::string RequestDigest(std::string_view name, const std::optional<std::string>& description,
                          std::string_view copy_from, const Tags& own_tags) {
  Digest d;
  d.Field("CreateInferenceProfile/v1");
  d.Field(name);
  d.Field(description ? "1" + *description : "0");
  d.Field(copy_from);
  d.Field(std::to_string(own_tags.size()));
  for (const auto& [key, value] : own_tags) {
    d.Field(key);
    d.Field(value);
  }
  return d.Hex();
}

Result<ListQuery> ValidateListInput(const ListInput& input, int64_t default_max_results) {
  Violations v;
  ListQuery query;
  if (input.type) {
    v.CheckEnum(*input.type, "typeEquals", {"SYSTEM_DEFINED", "APPLICATION"});
    if (*input.type == "APPLICATION") query.type = ProfileType::kApplication;
  }
  int64_t max = input.max_results.value_or(default_max_results);
  if (max < 1) {
    v.Add(std::to_string(max), "maxResults", "Member must have value greater than or equal to 1");
  } else if (max > 1000) {
    v.Add(std::to_string(max), "maxResults", "Member must have value less than or equal to 1000");
  }
  query.max_results = static_cast<size_t>(std::clamp<int64_t>(max, 1, 1000));
  if (input.next_token) {
    const std::string& t = *input.next_token;
    v.CheckLength(t, t, "nextToken", 1, 2048);
    v.CheckPattern(MatchesNoWhitespace(t), t, "nextToken", kNextTokenPattern);
  }
  BP_RETURN_IF_ERROR(v.ToStatus());
  if (input.next_token) {
    BP_ASSIGN_OR_RETURN(std::string after, DecodeNextToken(*input.next_token, query.type));
    query.after_id = std::move(after);
  }
  return query;
}

ListPage Paginate(std::vector<InferenceProfile> all, const ListQuery& query) {
  std::sort(all.begin(), all.end(),
            [](const InferenceProfile& a, const InferenceProfile& b) { return a.id < b.id; });
  auto begin = all.begin();
  if (query.after_id) {
    // Resume after the last id served, even if that profile is gone now.
    begin = std::upper_bound(
        all.begin(), all.end(), *query.after_id,
        [](const std::string& id, const InferenceProfile& p) { return id < p.id; });
  }
  ListPage page;
  size_t remaining = static_cast<size_t>(all.end() - begin);
  size_t take = std::min(remaining, query.max_results);
  auto end = begin + static_cast<std::ptrdiff_t>(take);
  page.profiles.assign(std::make_move_iterator(begin), std::make_move_iterator(end));
  if (take < remaining) page.next_token = EncodeNextToken(query.type, page.profiles.back().id);
  return page;
}

std::string EncodeNextToken(ProfileType type, std::string_view last_id) {
  return Base64UrlEncode("v1\n" + std::string(ProfileTypeName(type)) + "\n" + std::string(last_id));
}

Result<std::string> DecodeNextToken(std::string_view token, ProfileType type) {
  std::optional<std::string> text = Base64UrlDecode(token);
  std::string prefix = "v1\n" + std::string(ProfileTypeName(type)) + "\n";
  if (!text || text->size() <= prefix.size() || text->compare(0, prefix.size(), prefix) != 0 ||
      !MatchesProfileId(std::string_view(*text).substr(prefix.size()))) {
    return ValidationError(
        "Invalid nextToken: it was not issued by ListInferenceProfiles for "
        "type " +
        std::string(ProfileTypeName(type)));
  }
  return text->substr(prefix.size());
}

}  // namespace bp::api::control
