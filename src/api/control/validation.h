#pragma once
// Constraint checks of the bedrock service model and AWS's (Coral's) wording
// for their violations. Private to bp_api_control.
//
// The Smithy patterns are matched by hand-written scanners rather than
// std::regex: libstdc++'s regex recurses per character and can exhaust the
// stack on a long hostile input; these run in linear time with no recursion.
//
// Thread-safety: values and pure functions.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "api/control/control_service.h"
#include "core/status.h"
#include "core/tags.h"

namespace bp::api::control {

// The patterns as the service model prints them (used in messages).
inline constexpr std::string_view kNamePattern = "^([0-9a-zA-Z][ _-]?)+$";
inline constexpr std::string_view kDescriptionPattern = "^([0-9a-zA-Z:.][ _-]?)+$";
inline constexpr std::string_view kTokenPattern = "^[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?$";
inline constexpr std::string_view kTagPattern = "^[a-zA-Z0-9\\s._:/=+@-]*$";
inline constexpr std::string_view kCopyFromPattern =
    "^arn:aws(|-us-gov|-cn|-iso|-iso-b):bedrock:(|[0-9a-z-]{0,20}):(|[0-9]{12}):"
    "(inference-profile|foundation-model)/[a-zA-Z0-9-:.]+$";
inline constexpr std::string_view kProfileIdentifierPattern =
    "^(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:(inference-profile|"
    "application-inference-profile)/)?[a-zA-Z0-9-:.]+$";
inline constexpr std::string_view kProfileIdPattern = "^[a-zA-Z0-9-:.]+$";
inline constexpr std::string_view kProviderPattern = "^[A-Za-z0-9- ]{1,63}$";
inline constexpr std::string_view kNextTokenPattern = "^\\S*$";

// Pattern scanners; each is a full match of the pattern named after it.
bool MatchesName(std::string_view s);               // kNamePattern
bool MatchesDescription(std::string_view s);        // kDescriptionPattern
bool MatchesToken(std::string_view s);              // kTokenPattern (any length)
bool MatchesTag(std::string_view s);                // kTagPattern
bool MatchesCopyFrom(std::string_view s);           // kCopyFromPattern
bool MatchesProfileIdentifier(std::string_view s);  // kProfileIdentifierPattern
bool MatchesProfileId(std::string_view s);          // kProfileIdPattern
bool MatchesProvider(std::string_view s);           // kProviderPattern (length included)
bool MatchesNoWhitespace(std::string_view s);       // kNextTokenPattern

// Collects constraint violations and words them as AWS does:
//   "1 validation error detected: Value 'x' at 'inferenceProfileName' failed
//    to satisfy constraint: Member must satisfy regular expression pattern: ..."
// Several violations: "2 validation errors detected: ...; ...".
class Violations {
 public:
  // `value` is echoed in single quotes (shortened past 256 bytes); pass
  // kSensitive for members the model marks sensitive.
  static constexpr std::string_view kSensitive = "***";

  void Add(std::string_view value, std::string_view member, std::string_view constraint);
  // "Value null at '<member>' ...: Member must not be null".
  void AddMissing(std::string_view member);

  // The common checks. Each adds at most one violation per failed bound.
  void CheckLength(std::string_view value, std::string_view echo, std::string_view member,
                   size_t min, size_t max);
  void CheckPattern(bool matches, std::string_view echo, std::string_view member,
                    std::string_view pattern);
  void CheckEnum(std::string_view value, std::string_view member,
                 std::initializer_list<std::string_view> allowed);

  // A violation that has no Value/constraint form (e.g. duplicate keys).
  void AddMessage(std::string message) { items_.push_back(std::move(message)); }

  bool empty() const { return items_.empty(); }
  // OK when empty, else one kValidation Status with every violation.
  Status ToStatus() const;

 private:
  std::vector<std::string> items_;
};

// Checks a request's tag list at `member` ("tags"): at most 200 items; each
// key 1-128 and value 0-256 characters of kTagPattern; no key starting with
// "aws:" (reserved, any case); no key twice. Returns the tags as a map.
Tags CheckTags(const std::vector<Tag>& tags, std::string_view member, Violations& violations);

// Checks a list of tag keys at `member` ("tagKeys"): at most 200 keys, each
// 1-128 characters of kTagPattern.
void CheckTagKeys(const std::vector<std::string>& keys, std::string_view member,
                  Violations& violations);

}  // namespace bp::api::control
