#include "core/tags.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(MergeTagsTest, OwnTagsOverrideDefaults) {
  EXPECT_EQ(MergeTags({{"a", "1"}, {"b", "2"}}, {{"b", "20"}, {"c", "3"}}),
            (Tags{{"a", "1"}, {"b", "20"}, {"c", "3"}}));
}

TEST(DiffTagsTest, AddedRemovedAndChangedInKeyOrder) {
  const Tags from{{"gone", "x"}, {"kept", "same"}, {"moved", "old"}, {"z-gone", "y"}};
  const Tags to{{"added", "new"}, {"kept", "same"}, {"moved", "new"}};
  EXPECT_THAT(
      DiffTags(from, to),
      ElementsAre(TagChange{"added", std::nullopt, "new"}, TagChange{"gone", "x", std::nullopt},
                  TagChange{"moved", "old", "new"}, TagChange{"z-gone", "y", std::nullopt}));
}

TEST(DiffTagsTest, EqualSetsHaveNoChanges) {
  EXPECT_THAT(DiffTags({}, {}), IsEmpty());
  EXPECT_THAT(DiffTags({{"a", "1"}}, {{"a", "1"}}), IsEmpty());
}

TEST(DiffTagsTest, AnEmptyValueIsAValue) {
  EXPECT_THAT(DiffTags({{"a", ""}}, {{"a", "1"}}), ElementsAre(TagChange{"a", "", "1"}));
  EXPECT_THAT(DiffTags({}, {{"a", ""}}), ElementsAre(TagChange{"a", std::nullopt, ""}));
}

// Applying the upserts and then the removals to `from` gives exactly `to`.
TEST(DiffTagsTest, UpsertsAndRemovalsTurnFromIntoTo) {
  const std::vector<std::pair<Tags, Tags>> cases = {
      {{}, {{"a", "1"}}},
      {{{"a", "1"}}, {}},
      {{{"a", "1"}, {"b", "2"}}, {{"b", "3"}, {"c", "4"}}},
      {{{"m", "x"}, {"n", "y"}}, {{"m", "x"}, {"n", "y"}}},
  };
  for (const auto& [from, to] : cases) {
    const std::vector<TagChange> changes = DiffTags(from, to);
    Tags applied = from;
    for (const auto& [key, value] : TagUpserts(changes)) applied.insert_or_assign(key, value);
    for (const std::string& key : TagRemovals(changes)) applied.erase(key);
    EXPECT_EQ(applied, to);
  }
}

TEST(DiffTagsTest, UpsertsCarryNewValuesAndRemovalsOnlyKeys) {
  const std::vector<TagChange> changes =
      DiffTags({{"a", "1"}, {"b", "2"}, {"d", "4"}}, {{"a", "10"}, {"c", "3"}, {"d", "4"}});
  EXPECT_EQ(TagUpserts(changes), (Tags{{"a", "10"}, {"c", "3"}}));
  EXPECT_THAT(TagRemovals(changes), ElementsAre("b"));
}

}  // namespace
}  // namespace bp
