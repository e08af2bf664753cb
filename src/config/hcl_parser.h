#pragma once
// The HCL front end: text of a Terraform-.tfvars-style file -> ast::Body.
// Private header of bp_config (load.h is the public entry point).
//
// Accepted: top-level `name = value` attributes, one per line; values are
// strings (with escapes), heredocs (<<EOT, <<-EOT), numbers, true/false/null,
// lists `[a, b,]` (newlines allowed) and maps `{ k = v, "k2": v }` (entries
// separated by commas or newlines). Comments: #, //, /* */.
// Refused with a `file:line:col` error saying what was expected: everything
// else, including blocks, expressions, references and `${...}` interpolation.
// Duplicate keys are reported with both locations. Nesting deeper than
// options.max_depth and input larger than options.max_bytes are refused, so no
// input can exhaust the stack or memory.

#include <string>
#include <string_view>

#include "config/source_text.h"

namespace bp::config {

ParseOutput ParseHcl(std::string_view text, const std::string& file,
                     const ParseOptions& options = {});

}  // namespace bp::config
