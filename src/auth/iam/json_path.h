#pragma once
// JSON paths for policy error messages ("$.Statement[1].Effect",
// "$.Statement[0].Condition.StringEquals[\"aws:SourceIp\"]") and the
// duplicate-key check that Boost.JSON cannot do (it keeps the last of
// repeated members silently). Private to bp_auth_iam.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace bp::auth::iam {

// `path` + ".key", or + "[\"key\"]" when the key is not a plain identifier.
std::string JsonMember(std::string_view path, std::string_view key);
// `path` + "[index]".
std::string JsonIndex(std::string_view path, size_t index);

// The path of the first object member whose key (after unescaping) repeats
// an earlier key of the same object, or std::nullopt when there is none.
// REQUIRES: `text` was accepted by json::Parse; on anything else the scan
// stops without crashing and may miss duplicates.
std::optional<std::string> FindDuplicateKey(std::string_view text);

}  // namespace bp::auth::iam
