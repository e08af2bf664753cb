#pragma once
// The validated configuration (the "meaning" stage of STYLE.md A.3): what the
// HCL or JSON file says after syntax, binding and the org's rules. Immutable
// once loaded; share it as std::shared_ptr<const Config>. Public header of
// bp_config (with load.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tags.h"

namespace bp::config {

// Where something was written: "bedrock-profiles.hcl:12:5".
struct SourceLocation {
  std::string file;
  uint32_t line = 0;    // 1-based; 0 = unknown
  uint32_t column = 0;  // 1-based, in bytes
  std::string ToString() const;
};

struct ProfileConfig {
  std::string name;       // map key; "rd-{model-short}"
  std::string model_arn;  // copyFrom source: system-defined profile or foundation model ARN
  std::optional<std::string> description;
  std::optional<std::string> id;  // pinned id, honoured by the local endpoint only
  Tags tags;                      // the profile's own tags (merge with default_tags for tags_all)
  SourceLocation location;        // of the map key
};

struct PolicyDocument {
  std::string text;    // the IAM policy JSON as written
  std::string origin;  // "bedrock-profiles.hcl:40:14" or the policy_file path
};

struct PrincipalConfig {
  std::string name;  // map key
  std::string arn;   // "arn:aws:iam::123456789012:role/rd-e2e"
  std::string access_key_id;
  std::string secret_access_key;             // resolved (inline or from *_env); never logged
  std::optional<std::string> session_token;  // resolved; requires x-amz-security-token
  std::vector<std::string> api_key_sha256;   // hex SHA-256 of long-term Bedrock API keys
  std::vector<PolicyDocument> policies;      // from policy, policies, policy_file(s)
  Tags tags;                                 // aws:PrincipalTag/*
  SourceLocation location;
};

struct Config {
  std::string source;      // the file it came from, or "config/bedrock-profiles.hcl (built in)"
  std::string account_id;  // 12 digits
  std::string region;      // home region of application profiles: "eu-central-1"
  Tags default_tags;       // ADR-0006 Tier 1 set
  std::vector<ProfileConfig> profiles;      // ordered by name
  std::vector<PrincipalConfig> principals;  // ordered by name

  // nullptr when absent.
  const ProfileConfig* FindProfile(std::string_view name) const;
  const PrincipalConfig* FindPrincipal(std::string_view name) const;
};

}  // namespace bp::config
