#include "core/tags.h"

namespace bp {

Tags MergeTags(const Tags& default_tags, const Tags& own_tags) {
  Tags merged = default_tags;
  for (const auto& [key, value] : own_tags) merged.insert_or_assign(key, value);
  return merged;
}

}  // namespace bp
