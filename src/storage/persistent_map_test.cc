#include "storage/persistent_map.h"

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "testing/testing.h"

namespace bp::storage {
namespace {

using IntMap = PersistentMap<int, int>;
using StringMap = PersistentMap<std::string, std::shared_ptr<const int>>;

template <class Map>
std::set<const void*> NodesOf(const Map& map) {
  std::set<const void*> nodes;
  EXPECT_TRUE(map.VisitNodesForTest([&](const void* n) { nodes.insert(n); }))
      << "AVL or order invariant broken";
  return nodes;
}

// Nodes of `next` that `previous` does not have.
template <class Map>
size_t NewNodes(const Map& previous, const Map& next) {
  std::set<const void*> old = NodesOf(previous);
  size_t fresh = 0;
  for (const void* n : NodesOf(next)) fresh += old.count(n) == 0 ? 1 : 0;
  return fresh;
}

// An AVL tree of n nodes is at most ~1.44 log2(n + 2) high.
int MaxAvlHeight(size_t n) {
  return static_cast<int>(std::ceil(1.4405 * std::log2(static_cast<double>(n) + 2)));
}

TEST(PersistentMapTest, EmptyMap) {
  IntMap m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.Find(1), nullptr);
  EXPECT_EQ(m.begin(), m.end());
  EXPECT_EQ(m.height(), 0);
  IntMap erased = m.Erase(1);
  EXPECT_TRUE(erased.empty());
}

TEST(PersistentMapTest, InsertFindReplaceErase) {
  IntMap a = IntMap().Insert(2, 20).Insert(1, 10).Insert(3, 30);
  ASSERT_EQ(a.size(), 3u);
  ASSERT_NE(a.Find(2), nullptr);
  EXPECT_EQ(*a.Find(2), 20);
  IntMap b = a.Insert(2, 21);
  EXPECT_EQ(b.size(), 3u) << "replacing keeps the size";
  EXPECT_EQ(*b.Find(2), 21);
  EXPECT_EQ(*a.Find(2), 20) << "the old version is unchanged";
  IntMap c = b.Erase(1);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.Find(1), nullptr);
  EXPECT_NE(b.Find(1), nullptr);
  IntMap d = c.Erase(42);
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(NewNodes(c, d), 0u) << "erasing an absent key shares everything";
}

TEST(PersistentMapTest, IteratesInKeyOrderWithStructuredBindings) {
  StringMap m;
  for (std::string k : {"m", "c", "x", "a", "e"}) m = m.Insert(k, std::make_shared<const int>(1));
  std::string order;
  for (const auto& [key, value] : m) {
    order += key;
    EXPECT_EQ(*value, 1);
  }
  EXPECT_EQ(order, "acemx");
  EXPECT_NE(m.Find(std::string_view("e")), nullptr) << "heterogeneous lookup";
}

TEST(PersistentMapTest, RandomizedAgainstStdMap) {
  std::mt19937 rng(301);
  std::uniform_int_distribution<int> key(0, 999);
  std::uniform_int_distribution<int> op(0, 9);
  std::map<int, int> reference;
  IntMap map;
  // A few old versions with the reference content they had, to check that
  // later updates never change them.
  std::vector<std::pair<IntMap, std::map<int, int>>> versions;
  for (int step = 0; step < 20000; ++step) {
    const int k = key(rng);
    if (op(rng) < 6) {
      map = map.Insert(k, step);
      reference[k] = step;
    } else {
      map = map.Erase(k);
      reference.erase(k);
    }
    ASSERT_EQ(map.size(), reference.size());
    if (step % 1000 == 0) versions.emplace_back(map, reference);
    if (step % 97 == 0) {
      std::vector<std::pair<int, int>> got(map.begin(), map.end());
      std::vector<std::pair<int, int>> want(reference.begin(), reference.end());
      ASSERT_EQ(got, want) << "step " << step;
      ASSERT_LE(map.height(), MaxAvlHeight(map.size()));
      NodesOf(map);  // invariants
    }
    const int probe = key(rng);
    auto it = reference.find(probe);
    const int* found = map.Find(probe);
    ASSERT_EQ(found != nullptr, it != reference.end());
    if (found != nullptr) ASSERT_EQ(*found, it->second);
  }
  for (const auto& [old_map, old_reference] : versions) {
    std::vector<std::pair<int, int>> got(old_map.begin(), old_map.end());
    std::vector<std::pair<int, int>> want(old_reference.begin(), old_reference.end());
    EXPECT_EQ(got, want) << "an old version changed";
  }
}

TEST(PersistentMapTest, SequentialInsertsStayBalanced) {
  IntMap m;
  for (int i = 0; i < 4096; ++i) m = m.Insert(i, i);
  EXPECT_LE(m.height(), MaxAvlHeight(4096));
  for (int i = 0; i < 4096; i += 2) m = m.Erase(i);
  EXPECT_EQ(m.size(), 2048u);
  EXPECT_LE(m.height(), MaxAvlHeight(2048));
  NodesOf(m);
}

// The point of the structure: an update copies the search path, not the map.
TEST(PersistentMapTest, AnUpdateAllocatesOnlyLogarithmicallyManyNodes) {
  IntMap big;
  for (int i = 0; i < 20000; ++i) big = big.Insert(i * 2, i);
  const size_t bound = 2 * static_cast<size_t>(big.height()) + 2;  // path plus rotations
  EXPECT_LE(NewNodes(big, big.Insert(10001, 0)), bound) << "insert";
  EXPECT_LE(NewNodes(big, big.Insert(500, 1)), bound) << "replace";
  EXPECT_LE(NewNodes(big, big.Erase(20000)), bound) << "erase";
  EXPECT_LE(NewNodes(big, big.Erase(0)), bound) << "erase the minimum";
  EXPECT_LT(bound, 64u) << "about log2(20000) = 14.3 levels";
}

}  // namespace
}  // namespace bp::storage
