#pragma once
// Resource tags: Terraform-style merging (default_tags -> tags_all) and the
// one tag diff (the planner's plan, serve's reconcile and the SQLite store's
// row writes all use it). Public header of bp_core.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// One tag's change: added (no old value), removed (no new value) or changed.
struct TagChange {
  std::string key;
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;
  bool operator==(const TagChange&) const = default;
};

// The per-key changes that turn `from` into exactly `to`, ordered by key.
// Keys whose value is the same in both are not listed.
std::vector<TagChange> DiffTags(const Tags& from, const Tags& to);

// The two requests that apply `changes`: the tags to set (added or changed,
// with their new values) and the keys to remove, each in `changes` order.
Tags TagUpserts(const std::vector<TagChange>& changes);
std::vector<std::string> TagRemovals(const std::vector<TagChange>& changes);

}  // namespace bp
