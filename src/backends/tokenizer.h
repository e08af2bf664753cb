#pragma once
// The project's local tokenizer: the simulated model's (input and output
// alike, so that its counts agree everywhere), and the estimate an upstream
// backend falls back to when its server reports no usage (backends/openai).
// Public header of bp_backends.
//
// A token is a run of letters/digits or one punctuation character;
// whitespace is free. Bytes >= 0x80 (UTF-8) count as letters. A run longer
// than kMaxRunBytes is cut into chunks of kMaxRunBytes bytes, each extended
// over trailing UTF-8 continuation bytes so that no chunk splits a character
// (so an ASCII run of n bytes is ceil(n / 6) tokens).
//
// Pure functions; thread-safe.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "backends/backend.h"

namespace bp::backends {

inline constexpr size_t kMaxRunBytes = 6;

// The whitespace the tokenizer skips: ' ', \t, \n, \r, \f, \v.
inline bool IsWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The number of tokens in `text`.
int64_t CountTokens(std::string_view text);

// Cuts `text` into at most `max_pieces` delta pieces and appends the end
// offset of each to `ends` (piece i is text[ends[i-1], ends[i]), with
// ends[-1] == 0). A piece is one token preceded by the whitespace before it;
// trailing whitespace joins the last piece when all of `text` fits. Returns
// true when all of `text` fits in `max_pieces` pieces. Text without a token
// yields no piece. REQUIRES: text.size() < 2^32.
bool SplitTokens(std::string_view text, size_t max_pieces, std::vector<uint32_t>& ends);

// Input tokens: every system part, every message's text / tool-use name and
// input / tool-result text and JSON / reasoning text, 4 per message, each
// tool's name, description and schema, the output format's schema, a search
// result's source, title and texts, and max(1, byte_size / 750) per image,
// document, video or audio clip.
int64_t CountRequestTokens(const ModelRequest& request);

// The input tokens of one content block (CountRequestTokens' share of it).
int64_t BlockTokens(const ContentBlock& block);

}  // namespace bp::backends
