#pragma once

// The dashboard's front end (ui/ at the top of the repository, docs/dashboard.md), built by
// ui/build.mjs at compile time and embedded in the binary: nothing is read from disk or fetched
// at run time. Built by the bp_ui_assets target (ui/CMakeLists.txt), not by this folder's
// module, so the rest of api/dashboard links it like any other dependency.

#include <span>
#include <string_view>

namespace bp::api::dashboard {

// One file of the dashboard as `serve` answers it.
struct UiAsset {
  std::string_view path;          // the request path: "/ui/", "/ui/app.js" or "/ui/app.css"
  std::string_view content_type;  // the Content-Type header value, with its charset
  std::string_view body;          // the built file's bytes (never empty)
};

// The three files, index.html first (at "/ui/"). The views point into static storage: valid for
// the whole process, safe to read from any thread.
std::span<const UiAsset> UiAssets();

}  // namespace bp::api::dashboard
