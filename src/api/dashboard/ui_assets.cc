#include "api/dashboard/ui_assets.h"

#include <array>

namespace bp::api::dashboard {

// Defined by the sources cmake/BpEmbed.cmake generates from ui/build.mjs's output.
namespace ui_embed {
std::string_view IndexHtml();
std::string_view AppJs();
std::string_view AppCss();
}  // namespace ui_embed

std::span<const UiAsset> UiAssets() {
  // Built on first use: the embedded views come from functions of other translation units,
  // so a namespace-scope table could be initialised before them.
  static const std::array<UiAsset, 3> kAssets = {{
      {"/ui/", "text/html; charset=utf-8", ui_embed::IndexHtml()},
      {"/ui/app.js", "text/javascript; charset=utf-8", ui_embed::AppJs()},
      {"/ui/app.css", "text/css; charset=utf-8", ui_embed::AppCss()},
  }};
  return kAssets;
}

}  // namespace bp::api::dashboard
