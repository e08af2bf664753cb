#pragma once
// Resource tags and Terraform-style merging (default_tags -> tags_all).

#include <map>
#include <string>
#include <string_view>

namespace bp {

// Key -> value, ordered by key so output and digests are deterministic.
using Tags = std::map<std::string, std::string, std::less<>>;

// The tag that marks profiles `bedrock-profiles apply` created (the planner
// destroys only those). Kept here so serve's reconcile can leave it alone.
inline constexpr std::string_view kManagedByTagKey = "managed-by";
inline constexpr std::string_view kManagedByTagValue = "bedrock-profiles";

// tags_all as Terraform computes it: every default tag, overridden by the
// resource's own tags where keys collide.
Tags MergeTags(const Tags& default_tags, const Tags& own_tags);

}  // namespace bp
