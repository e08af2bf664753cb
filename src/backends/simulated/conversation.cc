#include "backends/simulated/conversation.h"

#include <algorithm>

#include "backends/tokenizer.h"

namespace bp::backends::simulated {

void AddBlock(Fnv1a& h, const ContentBlock& block) {
  h.AddInt(static_cast<uint64_t>(block.kind));
  h.Add(block.text);
  h.Add(block.tool_use_id);
  // A document's name (kept in tool_name for forwarding) is not part of
  // what the simulated model answers from.
  h.Add(block.kind == ContentBlock::Kind::kDocument ? std::string_view() : block.tool_name);
  h.Add(block.input_json);
  h.AddInt(block.is_error ? 1 : 0);
  h.AddInt(block.byte_size);
}

Conversation ViewConversation(const ModelRequest& request) {
  Conversation conv;
  conv.has_history = request.messages.size() > 1;
  for (const Message& message : request.messages) {
    if (message.role != Role::kUser) continue;
    ++conv.user_turns;
    conv.last_user = &message;
  }
  if (conv.last_user == nullptr) return conv;
  for (const ContentBlock& block : conv.last_user->content) {
    switch (block.kind) {
      case ContentBlock::Kind::kText:
        if (!conv.last_user_text.empty()) conv.last_user_text += '\n';
        conv.last_user_text += block.text;
        break;
      case ContentBlock::Kind::kToolResult:
        conv.tool_results.push_back(&block);
        break;
      case ContentBlock::Kind::kImage:
        ++conv.images;
        break;
      case ContentBlock::Kind::kDocument:
        ++conv.documents;
        break;
      case ContentBlock::Kind::kVideo:
        ++conv.videos;
        break;
      case ContentBlock::Kind::kAudio:
        ++conv.audio_clips;
        break;
      case ContentBlock::Kind::kSearchResult:
        ++conv.search_results;
        break;
      default:
        break;
    }
  }
  return conv;
}

uint64_t HashRequest(const ModelRequest& request) {
  Fnv1a h;
  h.Add(request.model_id);
  h.AddInt(request.system.size());
  for (const std::string& part : request.system) h.Add(part);
  h.AddInt(request.messages.size());
  for (const Message& message : request.messages) {
    h.AddInt(static_cast<uint64_t>(message.role));
    h.AddInt(message.content.size());
    for (const ContentBlock& block : message.content) AddBlock(h, block);
  }
  h.AddInt(request.tools.size());
  for (const Tool& tool : request.tools) {
    h.Add(tool.name);
    h.Add(tool.description);
    h.Add(tool.input_schema_json);
  }
  h.AddInt(static_cast<uint64_t>(request.tool_choice));
  h.Add(request.tool_choice_name);
  h.AddInt(request.stop_sequences.size());
  for (const std::string& stop : request.stop_sequences) h.Add(stop);
  h.AddInt(static_cast<uint64_t>(static_cast<int64_t>(request.max_tokens)));
  if (request.output_format) h.Add(request.output_format->schema_json);
  return h.value();
}

uint64_t Mix(uint64_t hash, uint64_t salt) {
  uint64_t x = hash + (salt + 1) * 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::string_view ToolNameForUse(const ModelRequest& request, std::string_view tool_use_id) {
  for (auto it = request.messages.rbegin(); it != request.messages.rend(); ++it) {
    for (const ContentBlock& block : it->content) {
      if (block.kind == ContentBlock::Kind::kToolUse && block.tool_use_id == tool_use_id) {
        return block.tool_name;
      }
    }
  }
  return {};
}

}  // namespace bp::backends::simulated
