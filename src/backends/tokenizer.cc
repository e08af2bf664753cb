#include "backends/tokenizer.h"

#include <algorithm>

namespace bp::backends {
namespace {

bool IsWordByte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Calls on_token(end) with the end offset of each token in order, until it
// returns false.
template <class OnToken>
void ForEachToken(std::string_view text, OnToken&& on_token) {
  const size_t n = text.size();
  size_t pos = 0;
  while (pos < n) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (IsWhitespace(text[pos])) {
      ++pos;
      continue;
    }
    if (!IsWordByte(c)) {
      ++pos;
      if (!on_token(pos)) return;
      continue;
    }
    size_t run_end = pos;
    while (run_end < n && IsWordByte(static_cast<unsigned char>(text[run_end]))) ++run_end;
    while (pos < run_end) {
      size_t chunk_end = pos + kMaxRunBytes < run_end ? pos + kMaxRunBytes : run_end;
      while (chunk_end < run_end && IsContinuation(static_cast<unsigned char>(text[chunk_end]))) {
        ++chunk_end;
      }
      pos = chunk_end;
      if (!on_token(pos)) return;
    }
  }
}

}  // namespace

int64_t CountTokens(std::string_view text) {
  int64_t count = 0;
  ForEachToken(text, [&count](size_t) {
    ++count;
    return true;
  });
  return count;
}

bool SplitTokens(std::string_view text, size_t max_pieces, std::vector<uint32_t>& ends) {
  const size_t first = ends.size();
  bool complete = true;
  size_t pieces = 0;
  ForEachToken(text, [&](size_t end) {
    if (pieces == max_pieces) {
      complete = false;
      return false;
    }
    ++pieces;
    ends.push_back(static_cast<uint32_t>(end));
    return true;
  });
  if (complete && ends.size() > first) ends.back() = static_cast<uint32_t>(text.size());
  return complete;
}

int64_t BlockTokens(const ContentBlock& block) {
  switch (block.kind) {
    case ContentBlock::Kind::kText:
    case ContentBlock::Kind::kReasoning:
      return CountTokens(block.text);
    case ContentBlock::Kind::kSearchResult:
      return CountTokens(block.tool_name) + CountTokens(block.text);
    case ContentBlock::Kind::kImage:
    case ContentBlock::Kind::kDocument:
    case ContentBlock::Kind::kVideo:
    case ContentBlock::Kind::kAudio:
      return std::max<int64_t>(1, static_cast<int64_t>(block.byte_size / 750));
    case ContentBlock::Kind::kToolUse:
      return CountTokens(block.tool_name) + CountTokens(block.input_json);
    case ContentBlock::Kind::kToolResult:
      return CountTokens(block.text) + CountTokens(block.input_json);
  }
  return 0;
}

int64_t CountRequestTokens(const ModelRequest& request) {
  int64_t total = 0;
  for (const std::string& part : request.system) total += CountTokens(part);
  for (const Message& message : request.messages) {
    total += 4;
    for (const ContentBlock& block : message.content) total += BlockTokens(block);
  }
  for (const Tool& tool : request.tools) {
    total += CountTokens(tool.name) + CountTokens(tool.description) +
             CountTokens(tool.input_schema_json);
  }
  if (request.output_format) total += CountTokens(request.output_format->schema_json);
  return total;
}

}  // namespace bp::backends
