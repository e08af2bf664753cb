#include "api/runtime/cache_points.h"

#include <algorithm>
#include <utility>

namespace bp::api::runtime {

void CachePointList::Add(const backends::CachePoint& point, std::string path) {
  sections_[static_cast<size_t>(point.section)].push_back({point, std::move(path)});
}

Status CachePointList::MoveInto(backends::ModelRequest& req) {
  size_t total = 0;
  for (const std::vector<Seen>& section : sections_) total += section.size();
  if (total > 4) {
    return ValidationError("A maximum of 4 blocks with cache_control may be provided. Found " +
                           std::to_string(total) + ".");
  }
  bool seen_5m = false;
  for (const std::vector<Seen>& section : sections_) {
    for (const Seen& seen : section) {
      if (seen.point.ttl == backends::CacheTtl::k5m) {
        seen_5m = true;
      } else if (seen_5m) {
        return ValidationError(seen.path +
                               ": a ttl='1h' cache_control block must not come after a "
                               "ttl='5m' cache_control block. Note that blocks are processed in "
                               "the following order: `tools`, `system`, `messages`.");
      }
    }
  }
  req.cache_points.clear();
  req.cache_points.reserve(total);
  for (std::vector<Seen>& section : sections_) {
    for (Seen& seen : section) req.cache_points.push_back(seen.point);
    section.clear();
  }
  return Status::Ok();
}

Status CheckModelCaching(const std::vector<backends::CachePoint>& points, std::string_view model_id,
                         const catalog::FoundationModel* model) {
  if (points.empty()) return Status::Ok();
  if (model == nullptr || model->prompt_cache_min_tokens <= 0) {
    return ValidationError(
        "You invoked an unsupported model or your request did not allow prompt caching. See the "
        "documentation for more information.");
  }
  const std::vector<std::string>& ttls = model->prompt_cache_ttls;
  if (std::find(ttls.begin(), ttls.end(), "1h") != ttls.end()) return Status::Ok();
  for (const backends::CachePoint& point : points) {
    if (point.ttl == backends::CacheTtl::k1h) {
      return ValidationError("The model " + std::string(model_id) +
                             " does not support the cache TTL '1h'. Use '5m' (the default) and "
                             "try again.");
    }
  }
  return Status::Ok();
}

std::optional<backends::CacheTtl> CacheTtlFromName(std::string_view name) {
  if (name == "5m") return backends::CacheTtl::k5m;
  if (name == "1h") return backends::CacheTtl::k1h;
  return std::nullopt;
}

}  // namespace bp::api::runtime
