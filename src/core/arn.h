#pragma once
// Amazon Resource Names: parse, format, and the Bedrock forms this project uses
// (bedrock-api.md §6). Matching with IAM wildcards lives in auth/iam.

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace bp {

// arn:partition:service:region:account:resource. The resource part is
// everything after the fifth ':' (colons included).
struct Arn {
  std::string partition;
  std::string service;
  std::string region;
  std::string account;
  std::string resource;

  // Parses the six-component form. Errors (kValidation) say which component is
  // missing. Empty region/account are allowed (foundation-model ARNs).
  static Result<Arn> Parse(std::string_view text);
  std::string ToString() const;

  // "application-inference-profile/acwt9yee9wzo" -> type
  // "application-inference-profile", id "acwt9yee9wzo". Empty when there is no '/'.
  std::string_view ResourceType() const;
  std::string_view ResourceId() const;

  bool operator==(const Arn&) const = default;
};

// The components of an ARN as views into its text, for hot paths that only
// read them: the same rules as Arn::Parse, no allocation, nullopt where
// Parse fails.
struct ArnView {
  std::string_view partition;
  std::string_view service;
  std::string_view region;
  std::string_view account;
  std::string_view resource;

  static std::optional<ArnView> Parse(std::string_view text);
};

enum class BedrockResourceKind : uint8_t {
  kApplicationProfile,  // application-inference-profile/<id>
  kSystemProfile,       // inference-profile/<geo>.<model id>
  kFoundationModel,     // foundation-model/<model id>
  kOther,
};

// Classifies a parsed ARN; kOther unless service is "bedrock" and the
// resource type is one of the three above with a non-empty id.
BedrockResourceKind ClassifyBedrockArn(const Arn& arn);

std::string ApplicationProfileArn(std::string_view region, std::string_view account,
                                  std::string_view id);
std::string SystemProfileArn(std::string_view region, std::string_view account,
                             std::string_view id);
std::string FoundationModelArn(std::string_view region, std::string_view model_id);

}  // namespace bp
