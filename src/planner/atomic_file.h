#pragma once
// Whole-file replacement that never leaves a partial file: plan files, and
// the catalog files `catalog refresh` writes. Public header of bp_planner.

#include <filesystem>
#include <string_view>
#include <sys/types.h>

#include "core/status.h"

namespace bp::planner {

// Writes `content` to a new temporary file beside `path` (mode `mode`),
// fsyncs it, renames it over `path` and fsyncs the directory. On any failure
// the temporary file is removed and `path` is left as it was (kIo naming the
// path and the system error).
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content,
                           mode_t mode);

// Reads a whole regular file of at most `max_bytes` (kIo otherwise).
Result<std::string> ReadSmallFile(const std::filesystem::path& path, size_t max_bytes);

}  // namespace bp::planner
