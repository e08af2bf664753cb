#pragma once
// Resource tags and Terraform-style merging (default_tags -> tags_all).

#include <map>
#include <string>

namespace bp {

// Key -> value, ordered by key so output and digests are deterministic.
using Tags = std::map<std::string, std::string, std::less<>>;

// tags_all as Terraform computes it: every default tag, overridden by the
// resource's own tags where keys collide.
Tags MergeTags(const Tags& default_tags, const Tags& own_tags);

}  // namespace bp
