#include "api/control/validation.h"

#include <algorithm>

namespace bp::api::control {

namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsLowerAlnumDash(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsIdChar(char c) { return IsAlnum(c) || c == '-' || c == ':' || c == '.'; }

// `^(H[ _-]?)+$` for a head-character class H: non-empty, starts with a head,
// and a separator only ever follows a head.
template <class IsHead>
bool MatchesHeadsAndSeparators(std::string_view s, IsHead is_head) {
  if (s.empty()) return false;
  bool after_head = false;
  for (char c : s) {
    if (is_head(c)) {
      after_head = true;
    } else if ((c == ' ' || c == '_' || c == '-') && after_head) {
      after_head = false;
    } else {
      return false;
    }
  }
  return true;
}

template <class Pred>
bool AllOf(std::string_view s, Pred pred) {
  return std::all_of(s.begin(), s.end(), pred);
}

// Splits off the text before the next ':' (false when there is none).
bool TakeField(std::string_view& rest, std::string_view& field) {
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return false;
  field = rest.substr(0, colon);
  rest.remove_prefix(colon + 1);
  return true;
}

std::string Echo(std::string_view value) {
  constexpr size_t kMaxEcho = 256;
  if (value.size() <= kMaxEcho) return std::string(value);
  return std::string(value.substr(0, kMaxEcho)) + "...";
}

}  // namespace

bool MatchesName(std::string_view s) { return MatchesHeadsAndSeparators(s, IsAlnum); }

bool MatchesDescription(std::string_view s) {
  return MatchesHeadsAndSeparators(s, [](char c) { return IsAlnum(c) || c == ':' || c == '.'; });
}

bool MatchesToken(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return AllOf(s, [](char c) { return IsAlnum(c) || c == '-'; });
}

bool MatchesTag(std::string_view s) {
  static constexpr std::string_view kExtra = "._:/=+@-";
  return AllOf(s, [](char c) {
    return IsAlnum(c) || IsSpace(c) || kExtra.find(c) != std::string_view::npos;
  });
}

bool MatchesCopyFrom(std::string_view s) {
  std::string_view rest = s, arn, partition, service, region, account;
  if (!TakeField(rest, arn) || !TakeField(rest, partition) || !TakeField(rest, service) ||
      !TakeField(rest, region) || !TakeField(rest, account)) {
    return false;
  }
  bool partition_ok = partition == "aws" || partition == "aws-us-gov" || partition == "aws-cn" ||
                      partition == "aws-iso" || partition == "aws-iso-b";
  if (arn != "arn" || !partition_ok || service != "bedrock") return false;
  if (region.size() > 20 || !AllOf(region, IsLowerAlnumDash)) return false;
  if (!account.empty() && (account.size() != 12 || !AllOf(account, IsDigit))) return false;
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view type = rest.substr(0, slash);
  std::string_view id = rest.substr(slash + 1);
  if (type != "inference-profile" && type != "foundation-model") return false;
  return MatchesProfileId(id);
}

bool MatchesProfileIdentifier(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return MatchesProfileId(s);
  std::string_view rest = s.substr(0, slash), arn, partition, service, region, account;
  if (!TakeField(rest, arn) || !TakeField(rest, partition) || !TakeField(rest, service) ||
      !TakeField(rest, region) || !TakeField(rest, account)) {
    return false;
  }
  bool partition_ok =
      partition == "aws" || (partition.size() > 4 && partition.substr(0, 4) == "aws-");
  if (arn != "arn" || !partition_ok || service != "bedrock") return false;
  if (region.empty() || region.size() > 20 || !AllOf(region, IsLowerAlnumDash)) return false;
  if (account.size() != 12 || !AllOf(account, IsDigit)) return false;
  if (rest != "inference-profile" && rest != "application-inference-profile") return false;
  return MatchesProfileId(s.substr(slash + 1));
}

bool MatchesProfileId(std::string_view s) { return !s.empty() && AllOf(s, IsIdChar); }

bool MatchesProvider(std::string_view s) {
  return !s.empty() && s.size() <= 63 &&
         AllOf(s, [](char c) { return IsAlnum(c) || c == '-' || c == ' '; });
}

bool MatchesNoWhitespace(std::string_view s) { return std::none_of(s.begin(), s.end(), IsSpace); }

void Violations::Add(std::string_view value, std::string_view member, std::string_view constraint) {
  items_.push_back("Value '" + Echo(value) + "' at '" + std::string(member) +
                   "' failed to satisfy constraint: " + std::string(constraint));
}

void Violations::AddMissing(std::string_view member) {
  items_.push_back("Value null at '" + std::string(member) +
                   "' failed to satisfy constraint: Member must not be null");
}

void Violations::CheckLength(std::string_view value, std::string_view echo, std::string_view member,
                             size_t min, size_t max) {
  if (value.size() < min) {
    Add(echo, member, "Member must have length greater than or equal to " + std::to_string(min));
  } else if (value.size() > max) {
    Add(echo, member, "Member must have length less than or equal to " + std::to_string(max));
  }
}

void Violations::CheckPattern(bool matches, std::string_view echo, std::string_view member,
                              std::string_view pattern) {
  if (!matches) {
    Add(echo, member, "Member must satisfy regular expression pattern: " + std::string(pattern));
  }
}

void Violations::CheckEnum(std::string_view value, std::string_view member,
                           std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  std::string set;
  for (std::string_view a : allowed) {
    if (!set.empty()) set += ", ";
    set += a;
  }
  Add(value, member, "Member must satisfy enum value set: [" + set + "]");
}

Status Violations::ToStatus() const {
  if (items_.empty()) return Status::Ok();
  std::string message = std::to_string(items_.size()) +
                        (items_.size() == 1 ? " validation error" : " validation errors") +
                        " detected: ";
  // A hostile request can break hundreds of constraints; list a bounded few.
  constexpr size_t kMaxListed = 10;
  for (size_t i = 0; i < items_.size() && i < kMaxListed; ++i) {
    if (i > 0) message += "; ";
    message += items_[i];
  }
  if (items_.size() > kMaxListed) {
    message += "; and " + std::to_string(items_.size() - kMaxListed) + " more";
  }
  return ValidationError(std::move(message));
}

namespace {

bool HasReservedPrefix(std::string_view key) {
  if (key.size() < 4) return false;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return lower(key[0]) == 'a' && lower(key[1]) == 'w' && lower(key[2]) == 's' && key[3] == ':';
}

void CheckTagKey(std::string_view key, const std::string& member, Violations& violations) {
  violations.CheckLength(key, key, member, 1, 128);
  violations.CheckPattern(MatchesTag(key), key, member, kTagPattern);
  if (HasReservedPrefix(key)) {
    violations.Add(key, member, "Member must not begin with the reserved prefix 'aws:'");
  }
}

}  // namespace

Tags CheckTags(const std::vector<Tag>& tags, std::string_view member, Violations& violations) {
  constexpr size_t kMaxItems = 200;
  if (tags.size() > kMaxItems) {
    violations.Add("[" + std::to_string(tags.size()) + " tags]", member,
                   "Member must have length less than or equal to 200");
  }
  Tags out;
  for (size_t i = 0; i < tags.size(); ++i) {
    std::string prefix = std::string(member) + "." + std::to_string(i + 1) + ".member.";
    const Tag& tag = tags[i];
    CheckTagKey(tag.key, prefix + "key", violations);
    violations.CheckLength(tag.value, tag.value, prefix + "value", 0, 256);
    violations.CheckPattern(MatchesTag(tag.value), tag.value, prefix + "value", kTagPattern);
    if (!out.emplace(tag.key, tag.value).second) {
      violations.AddMessage("Duplicate tag key '" + tag.key.substr(0, 128) + "' at '" +
                            std::string(member) + "': each key may appear once");
    }
  }
  return out;
}

void CheckTagKeys(const std::vector<std::string>& keys, std::string_view member,
                  Violations& violations) {
  constexpr size_t kMaxItems = 200;
  if (keys.size() > kMaxItems) {
    violations.Add("[" + std::to_string(keys.size()) + " keys]", member,
                   "Member must have length less than or equal to 200");
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string item = std::string(member) + "." + std::to_string(i + 1) + ".member";
    violations.CheckLength(keys[i], keys[i], item, 1, 128);
    violations.CheckPattern(MatchesTag(keys[i]), keys[i], item, kTagPattern);
  }
}

}  // namespace bp::api::control
