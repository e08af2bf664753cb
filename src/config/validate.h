#pragma once
// The organisation's rules for single config values, as pure functions (no
// I/O, no locations): each returns OK or a kValidation Status whose message
// says what is wrong with the value and what is accepted. The binder adds the
// key path and the file:line:col. Private header of bp_config.
//
// Messages may quote the value checked (names, ARNs, ids, tags, environment
// variable names): none of these functions is ever given a secret.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"

namespace bp::config {

inline constexpr size_t kMaxTagsPerResource = 50;

// Exactly 12 ASCII digits.
Status CheckAccountId(std::string_view account_id);

// A region name (`eu-central-1`) whose geography is "eu".
Status CheckRegion(std::string_view region, const catalog::Catalog& catalog);

// `rd-{model-short}`: ^rd-[a-z0-9]+(-[a-z0-9]+)*$ and at most 64 characters.
Status CheckProfileName(std::string_view name);

// bedrock-api.md §2.2: 1-200 characters matching ^([0-9a-zA-Z:.][ _-]?)+$.
Status CheckDescription(std::string_view description);

// A pinned application profile id: exactly 12 characters [a-z0-9].
Status CheckProfileId(std::string_view id);

// Tag keys: 1-128 characters, ^[a-zA-Z0-9\s._:/=+@-]*$, not starting with
// "aws:" (any case). Values: 0-256 characters, same alphabet.
Status CheckTagKey(std::string_view key);
Status CheckTagValue(std::string_view value);

// The copyFrom source of a profile. Accepted: an EU cross-region system
// profile `arn:aws:bedrock:<eu region>:<account>:inference-profile/eu.<model>`
// known to the catalog, whose account equals `account_id` (not compared when
// account_id is nullopt because it is itself missing or invalid); or a
// foundation model `arn:aws:bedrock:<eu region>::foundation-model/<id>` that
// the catalog serves in that region. Everything else is refused.
Status CheckModelArn(std::string_view arn, const std::optional<std::string>& account_id,
                     const catalog::Catalog& catalog);

// Principal map keys: 1-64 characters, ^[A-Za-z0-9][A-Za-z0-9._-]*$.
Status CheckPrincipalName(std::string_view name);

// arn:aws:iam::<12 digits>:role/<path/name> or :user/<path/name>.
Status CheckPrincipalArn(std::string_view arn);

// 16-128 characters [A-Z0-9].
Status CheckAccessKeyId(std::string_view access_key_id);

// 64 hex digits (either case). The message never quotes the value.
Status CheckApiKeySha256(std::string_view digest);

// ^[A-Za-z_][A-Za-z0-9_]*$ (a portable environment variable name).
Status CheckEnvVarName(std::string_view name);

// A JSON object with a "Statement" member (full IAM checks live in auth/iam).
Status CheckPolicyDocument(std::string_view text);

// Regions of geography "eu" that serve at least one catalog model, sorted:
// "eu-central-1, eu-west-1, eu-west-3" in messages.
std::vector<std::string> EuRegions(const catalog::Catalog& catalog);

}  // namespace bp::config
