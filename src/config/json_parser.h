#pragma once
// The JSON front end: a `.json` config with the same structure as the HCL
// form -> the same ast::Body (top-level object members become attributes),
// with a location on every key and value. Private header of bp_config.
//
// Strict RFC 8259 JSON: no comments, no trailing commas; the document must be
// one object. Duplicate keys are reported with both locations (first wins).
// Nesting and size are limited by ParseOptions like the HCL front end.

#include <string>
#include <string_view>

#include "config/source_text.h"

namespace bp::config {

ParseOutput ParseJson(std::string_view text, const std::string& file,
                      const ParseOptions& options = {});

}  // namespace bp::config
