#include "api/dashboard/ui_assets.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bp::api::dashboard {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(UiAssetsTest, HasTheThreeFilesWithTheirContentTypes) {
  std::vector<std::string> paths;
  for (const UiAsset& a : UiAssets()) paths.emplace_back(a.path);
  EXPECT_THAT(paths, ElementsAre("/ui/", "/ui/app.js", "/ui/app.css"));

  const auto assets = UiAssets();
  EXPECT_EQ(assets[0].content_type, "text/html; charset=utf-8");
  EXPECT_EQ(assets[1].content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(assets[2].content_type, "text/css; charset=utf-8");
  for (const UiAsset& a : assets) EXPECT_FALSE(a.body.empty()) << a.path;
}

TEST(UiAssetsTest, IndexLoadsTheBundleFromSelfWithoutInlineCode) {
  // The dashboard runs under `default-src 'self'`: the page names its two files and carries no
  // inline script or style.
  const std::string index(UiAssets()[0].body);
  EXPECT_THAT(index, HasSubstr(R"(<script src="/ui/app.js")"));
  EXPECT_THAT(index, HasSubstr(R"(href="/ui/app.css")"));
  EXPECT_THAT(index, Not(HasSubstr("<style")));
  EXPECT_THAT(index, Not(HasSubstr("style=")));
  EXPECT_THAT(index, Not(HasSubstr("<script>")));
}

TEST(UiAssetsTest, BundlesUplot) {
  // app.css carries uPlot's stylesheet, app.js its code (and its licence notice).
  EXPECT_THAT(std::string(UiAssets()[2].body), HasSubstr(".uplot"));
  EXPECT_THAT(std::string(UiAssets()[1].body), HasSubstr("uPlot"));
}

}  // namespace
}  // namespace bp::api::dashboard
