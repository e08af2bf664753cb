#pragma once
// What the simulated model reads from a request: the last user turn, the
// request's stable hash and its input token count. Private to
// bp_backends_simulated. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "backends/tokenizer.h"  // CountRequestTokens, BlockTokens

namespace bp::backends::simulated {

// A view of the conversation; pointers refer into the request, which must
// outlive it.
struct Conversation {
  const Message* last_user = nullptr;             // the last kUser message, if any
  std::string last_user_text;                     // its text blocks joined with "\n"
  std::vector<const ContentBlock*> tool_results;  // kToolResult blocks of last_user
  int user_turns = 0;                             // kUser messages in the conversation
  bool has_history = false;                       // more than one message
  int images = 0;                                 // in last_user
  int documents = 0;                              // in last_user
  int videos = 0;                                 // in last_user
  int audio_clips = 0;                            // in last_user
  int search_results = 0;                         // in last_user
};

Conversation ViewConversation(const ModelRequest& request);

// FNV-1a (64 bit) over model_id, system, messages, tools, tool_choice,
// tool_choice_name, stop_sequences, max_tokens and the output format's
// schema, with length prefixes so
// that field boundaries matter. Stable across builds, platforms and regions.
uint64_t HashRequest(const ModelRequest& request);

// A well-mixed 64-bit value derived from `hash` and a salt (splitmix64), for
// independent deterministic choices.
uint64_t Mix(uint64_t hash, uint64_t salt);

// FNV-1a (64 bit) over length-prefixed strings and little-endian integers,
// from `offset` (the standard offset basis unless given).
class Fnv1a {
 public:
  explicit Fnv1a(uint64_t offset = 0xCBF29CE484222325ULL) : h_(offset) {}
  void Add(std::string_view s) {
    AddInt(s.size());
    for (char c : s) Byte(static_cast<uint8_t>(c));
  }
  void AddInt(uint64_t v) {
    for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  uint64_t value() const { return h_; }

 private:
  void Byte(uint8_t b) {
    h_ ^= b;
    h_ *= 0x100000001B3ULL;
  }
  uint64_t h_;
};

// Every field of `block`, the one block hash HashRequest and the prompt
// cache's prefix keys use.
void AddBlock(Fnv1a& h, const ContentBlock& block);

// The name of the tool that issued `tool_use_id` (from an assistant
// tool-use block of the conversation), or empty.
std::string_view ToolNameForUse(const ModelRequest& request, std::string_view tool_use_id);

}  // namespace bp::backends::simulated
