#pragma once
// What the two front ends (hcl_parser.h, json_parser.h) share: their options,
// their output, and the checks on the raw bytes (size limit, UTF-8) made before
// any parsing. Private header of bp_config.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/ast.h"
#include "config/load.h"

namespace bp::config {

inline constexpr size_t kMaxConfigBytes = size_t{1} << 20;  // 1 MiB, far above any real config
inline constexpr int kMaxNestingDepth = 64;

struct ParseOptions {
  size_t max_bytes = kMaxConfigBytes;  // larger input is refused before lexing
  int max_depth = kMaxNestingDepth;    // nested lists/maps beyond this are refused
};

// A syntax error stops the parse: `body` is empty and `errors` holds exactly
// that one error. Problems that do not hide the structure (duplicate keys) are
// collected: `body` is set (first definition wins) and `errors` lists them.
struct ParseOutput {
  std::optional<ast::Body> body;
  std::vector<Diagnostic> errors;
};

// The text without a leading UTF-8 byte order mark.
std::string_view StripBom(std::string_view text);

// Refuses input larger than `max_bytes`, input with NUL bytes, and invalid
// UTF-8 (naming the line and column of the first bad byte). nullopt when fine.
std::optional<Diagnostic> CheckSourceText(std::string_view text, const std::string& file,
                                          size_t max_bytes);

// How a byte is quoted in "found ..." messages: "'}'", "a newline", "end of file",
// "byte 0x01".
std::string DescribeByte(std::string_view rest);

// How a bad escape is shown: "'\\q'" for a printable character after the
// backslash, else "'\\' followed by <DescribeByte>".
std::string DescribeEscape(std::string_view after_backslash);

// "file:3:7" style location.
SourceLocation At(const std::string& file, uint32_t line, uint32_t column);

}  // namespace bp::config
