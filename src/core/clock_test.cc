#include "core/clock.h"

#include <set>

#include "testing/testing.h"

namespace bp {
namespace {

TEST(ClockTest, FormatsRfc3339WithMillis) {
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1755001230123)), "2025-08-12T12:20:30.123Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
}

TEST(ClockTest, ProfileIdsAreTwelveLowercaseAlnum) {
  testing::SeededRandom random(301);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = NewProfileId(random);
    ASSERT_EQ(id.size(), 12u);
    for (char c : id) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(ClockTest, UuidIsVersion4) {
  testing::SeededRandom random(7);
  std::string u = NewUuid(random);
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
  for (size_t i = 0; i < u.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      EXPECT_EQ(u[i], '-') << u;
    } else {
      EXPECT_NE(std::string_view("0123456789abcdef").find(u[i]), std::string_view::npos) << u;
    }
  }
}

}  // namespace
}  // namespace bp
