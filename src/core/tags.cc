#include "core/tags.h"

namespace bp {

Tags MergeTags(const Tags& default_tags, const Tags& own_tags) {
  Tags merged = default_tags;
  for (const auto& [key, value] : own_tags) merged.insert_or_assign(key, value);
  return merged;
}

std::vector<TagChange> DiffTags(const Tags& from, const Tags& to) {
  // Both maps are ordered by key: one merge pass yields the changes in order.
  std::vector<TagChange> changes;
  auto f = from.begin();
  auto t = to.begin();
  while (f != from.end() || t != to.end()) {
    if (t == to.end() || (f != from.end() && f->first < t->first)) {
      changes.push_back(TagChange{.key = f->first, .old_value = f->second, .new_value = {}});
      ++f;
    } else if (f == from.end() || t->first < f->first) {
      changes.push_back(TagChange{.key = t->first, .old_value = {}, .new_value = t->second});
      ++t;
    } else {
      if (f->second != t->second) {
        changes.push_back(
            TagChange{.key = t->first, .old_value = f->second, .new_value = t->second});
      }
      ++f;
      ++t;
    }
  }
  return changes;
}

Tags TagUpserts(const std::vector<TagChange>& changes) {
  Tags tags;
  for (const TagChange& c : changes) {
    if (c.new_value) tags.insert_or_assign(c.key, *c.new_value);
  }
  return tags;
}

std::vector<std::string> TagRemovals(const std::vector<TagChange>& changes) {
  std::vector<std::string> keys;
  for (const TagChange& c : changes) {
    if (!c.new_value) keys.push_back(c.key);
  }
  return keys;
}

}  // namespace bp
