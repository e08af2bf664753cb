#pragma once
// Prompt-caching cache points as the Converse (cachePoint blocks) and
// Anthropic (cache_control members) parsers find them, and Bedrock's rules
// over the whole request and over the model. Public header of bp_api_runtime
// (CheckModelCaching; CachePointList is the wire parsers' helper).
//
// Prompt order is tools, then system, then messages. Bedrock (for Claude,
// whose rules these are; its errors pass the model's sentences through)
// allows at most 4 points in a request and TTLs that never increase along
// that order: a "1h" point may not follow a "5m" one. Whether the model
// caches at all, and offers "1h", depends on the model (the catalog):
// CheckModelCaching, which the runtime service calls once the profile has
// named the model.
//
// Thread-safety: plain values and pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "catalog/catalog.h"
#include "core/status.h"

namespace bp::api::runtime {

// The points of one request as they are parsed, in any section order, each
// with the plain path it was given at ("messages.1.content.2"), for errors.
class CachePointList final {
 public:
  void Add(const backends::CachePoint& point, std::string path);

  // Checks the rules above and moves the points into `req.cache_points` in
  // prompt order. Errors (kValidation, Anthropic's wording):
  //   "A maximum of 4 blocks with cache_control may be provided. Found 5."
  //   "<path>: a ttl='1h' cache_control block must not come after a
  //   ttl='5m' cache_control block. Note that blocks are processed in the
  //   following order: `tools`, `system`, `messages`."
  Status MoveInto(backends::ModelRequest& req);

 private:
  struct Seen {
    backends::CachePoint point;
    std::string path;
  };
  std::vector<Seen> sections_[3];  // by CachePoint::Section
};

// Cache points (`points`, may be empty: always OK) on `model` (null: not in
// the catalog). Errors (kValidation): a model without prompt caching, or not
// in the catalog: "You invoked an unsupported model or your request did not
// allow prompt caching. See the documentation for more information."; a 1h
// point on a model offering only 5m: "The model <id> does not support the
// cache TTL '1h'. Use '5m' (the default) and try again."
Status CheckModelCaching(const std::vector<backends::CachePoint>& points, std::string_view model_id,
                         const catalog::FoundationModel* model);

// "5m" -> k5m, "1h" -> k1h; nullopt otherwise.
std::optional<backends::CacheTtl> CacheTtlFromName(std::string_view name);

}  // namespace bp::api::runtime
