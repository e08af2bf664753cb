#include "metering/record_json.h"

#include <gtest/gtest.h>

namespace bp::metering {
namespace {

TEST(RecordJsonTest, TagsRoundTripInOrder) {
  const Tags tags = {{"team", "rd"}, {"cost-center", "4711"}, {"q\"uote", "line\nbreak"}};
  const std::string text = TagsToJson(tags);
  EXPECT_EQ(text, R"({"cost-center":"4711","q\"uote":"line\nbreak","team":"rd"})");
  EXPECT_EQ(TagsFromJson(text), tags);
  EXPECT_EQ(TagsToJson({}), "{}");
  EXPECT_TRUE(TagsFromJson("{}").empty());
}

TEST(RecordJsonTest, MetadataKeepsTheLastOfARepeatedKey) {
  const std::string text = MetadataToJson({{"run", "1"}, {"suite", "e2e"}, {"run", "2"}});
  auto pairs = MetadataFromJson(text);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(TagsFromJson(text), (Tags{{"run", "2"}, {"suite", "e2e"}}));
  EXPECT_EQ(MetadataToJson({}), "{}");
}

TEST(RecordJsonTest, AnythingButAnObjectOfStringsReadsAsNone) {
  EXPECT_TRUE(MetadataFromJson("").empty());
  EXPECT_TRUE(MetadataFromJson("[1,2]").empty());
  EXPECT_TRUE(MetadataFromJson("{\"a\":").empty());
  EXPECT_EQ(TagsFromJson(R"({"a":1,"b":"x"})"), (Tags{{"b", "x"}}));
}

}  // namespace
}  // namespace bp::metering
