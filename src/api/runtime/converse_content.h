#pragma once
// Private to converse_wire.cc: the Converse ContentBlock union and its
// members (bedrock-api.md §3.3) -> backends::ContentBlock. Errors are
// kValidation in Coral style (wire_util.h) naming the member path.

#include <cstdint>
#include <vector>

#include "api/runtime/cache_points.h"
#include "api/runtime/wire_util.h"
#include "backends/backend.h"
#include "core/status.h"
#include "json/json.h"

namespace bp::api::runtime {

struct ConversationFacts {
  bool has_tool_blocks = false;  // toolUse / toolResult seen: toolConfig is required
  uint32_t message_index = 0;    // the message being parsed (for its cache points)
  CachePointList cache_points;   // the messages' cachePoint blocks
};

// One ContentBlock union at `p`; appends the block to `out` (a cachePoint
// appends nothing: it is added to facts.cache_points, after out.size()
// blocks of message facts.message_index). text must not be blank; image / document
// bytes must be valid base64 (their decoded size goes to byte_size);
// s3Location sources, video, audio, citationsContent, searchResult,
// toolAddition and toolRemoval are refused as not supported.
Status ParseContentBlock(const json::Value& v, const WirePath& p, ConversationFacts& facts,
                         std::vector<backends::ContentBlock>& out);

// cachePoint {type: "default", ttl: "5m" (the default) | "1h"}: its TTL.
Result<backends::CacheTtl> ParseCachePoint(const json::Value& v, const WirePath& p);

// guardContent {text {text, qualifiers}} | {image}: the guarded text (kText)
// or image (kImage).
Status ParseGuardContent(const json::Value& v, const WirePath& p, backends::ContentBlock& block);

}  // namespace bp::api::runtime
