#include "storage/caching_store.h"

#include <cstdio>
#include <memory>
#include <set>

#include "storage/memory/memory_profile_store.h"
#include "storage/profile_store_contract.h"
#include "testing/testing.h"

namespace bp::storage {
namespace {

using ::bp::testing::StatusIs;

// The decorator over a memory store must keep the whole contract.
class CachedMemory final : public ProfileStore {
 public:
  CachedMemory() : cached_(std::move(CachingProfileStore::Create(memory_).value())) {}
  Result<CreateProfileOutcome> Create(const CreateProfileRequest& r) override {
    return cached_->Create(r);
  }
  Result<ProfileRecord> Get(std::string_view id) override { return cached_->Get(id); }
  Result<std::vector<ProfileRecord>> List() override { return cached_->List(); }
  Status Delete(std::string_view id) override { return cached_->Delete(id); }
  Result<ProfileRecord> UpdateTags(std::string_view id, const Tags& upsert,
                                   const std::vector<std::string>& remove, size_t max_tags,
                                   int64_t now_ms) override {
    return cached_->UpdateTags(id, upsert, remove, max_tags, now_ms);
  }

 private:
  MemoryProfileStore memory_;
  std::unique_ptr<CachingProfileStore> cached_;
};

Result<std::unique_ptr<ProfileStore>> MakeCached(const std::filesystem::path&) {
  return std::unique_ptr<ProfileStore>(std::make_unique<CachedMemory>());
}

INSTANTIATE_TEST_SUITE_P(CachedMemory, ProfileStoreContractTest,
                         ::testing::Values(StoreFactory{"CachedMemory", &MakeCached}),
                         StoreFactoryName);

ProfileRecord Record(std::string id, std::string name) {
  ProfileRecord r;
  r.id = std::move(id);
  r.name = std::move(name);
  r.arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/" + r.id;
  r.source_arn = "arn:aws:bedrock:eu-central-1::foundation-model/m";
  r.model_arns = {r.source_arn};
  return r;
}

TEST(CachingProfileStoreTest, LoadsWhatTheInnerStoreHeldAndSeesLaterWrites) {
  MemoryProfileStore memory;
  ASSERT_OK(memory.Create({.profile = Record("aaaaaaaaaaaa", "rd-a")}).status());
  auto cached = CachingProfileStore::Create(memory);
  ASSERT_OK(cached.status());
  std::shared_ptr<const ProfileSnapshot> before = (*cached)->Snapshot();
  ASSERT_NE(before->Find("aaaaaaaaaaaa"), nullptr);

  ASSERT_OK((*cached)->Create({.profile = Record("bbbbbbbbbbbb", "rd-b")}).status());
  EXPECT_EQ(before->Find("bbbbbbbbbbbb"), nullptr) << "published snapshots never change";
  EXPECT_NE((*cached)->Snapshot()->Find("bbbbbbbbbbbb"), nullptr);

  ASSERT_OK((*cached)->Delete("aaaaaaaaaaaa"));
  EXPECT_EQ((*cached)->Snapshot()->Find("aaaaaaaaaaaa"), nullptr);
  EXPECT_THAT(memory.Get("aaaaaaaaaaaa").status(), StatusIs(ErrorCode::kResourceNotFound));
}

TEST(CachingProfileStoreTest, TheGenerationCountsPublishedWritesOnly) {
  MemoryProfileStore memory;
  auto cached = CachingProfileStore::Create(memory);
  ASSERT_OK(cached.status());
  CachingProfileStore& store = **cached;
  EXPECT_EQ(store.Snapshot()->generation, 0u);
  ASSERT_OK(store.Create({.profile = Record("aaaaaaaaaaaa", "rd-a")}).status());
  EXPECT_EQ(store.Snapshot()->generation, 1u);
  ASSERT_OK(store.UpdateTags("aaaaaaaaaaaa", {{"k", "v"}}, {}, 50, 1).status());
  EXPECT_EQ(store.Snapshot()->generation, 2u);
  // Reads and refused writes publish nothing.
  ASSERT_OK(store.List().status());
  EXPECT_FALSE(store.Create({.profile = Record("aaaaaaaaaaaa", "rd-a")}).ok());
  EXPECT_FALSE(store.Delete("zzzzzzzzzzzz").ok());
  EXPECT_EQ(store.Snapshot()->generation, 2u);
  ASSERT_OK(store.Delete("aaaaaaaaaaaa"));
  EXPECT_EQ(store.Snapshot()->generation, 3u);
}

TEST(CachingProfileStoreTest, ReadsDoNotReachTheInnerStore) {
  MemoryProfileStore memory;
  ASSERT_OK(memory.Create({.profile = Record("aaaaaaaaaaaa", "rd-a")}).status());
  auto cached = CachingProfileStore::Create(memory);
  ASSERT_OK(cached.status());
  // Written behind the decorator's back: invisible to it (reads are memory only).
  ASSERT_OK(memory.Delete("aaaaaaaaaaaa"));
  EXPECT_OK((*cached)->Get("aaaaaaaaaaaa").status());
}

TEST(CachingProfileStoreTest, ReloadPublishesWhatWasWrittenBehindItsBackAndOnlyThen) {
  MemoryProfileStore memory;
  ASSERT_OK(memory.Create({.profile = Record("aaaaaaaaaaaa", "rd-a")}).status());
  auto cached = CachingProfileStore::Create(memory);
  ASSERT_OK(cached.status());
  CachingProfileStore& store = **cached;
  // Nothing changed: no new snapshot.
  Result<bool> reloaded = store.Reload();
  ASSERT_OK(reloaded.status());
  EXPECT_FALSE(*reloaded);
  EXPECT_EQ(store.Snapshot()->generation, 0u);
  std::shared_ptr<const ProfileSnapshot> before = store.Snapshot();

  // Another writer (another instance on a shared database): a create, a
  // delete, a tag change, each seen by the next Reload.
  ASSERT_OK(memory.Create({.profile = Record("bbbbbbbbbbbb", "rd-b")}).status());
  reloaded = store.Reload();
  ASSERT_OK(reloaded.status());
  EXPECT_TRUE(*reloaded);
  EXPECT_EQ(store.Snapshot()->generation, 1u);
  EXPECT_NE(store.Snapshot()->Find("bbbbbbbbbbbb"), nullptr);
  EXPECT_EQ(before->Find("bbbbbbbbbbbb"), nullptr) << "published snapshots never change";

  ASSERT_OK(memory.UpdateTags("aaaaaaaaaaaa", {{"team", "rd"}}, {}, 50, 7).status());
  reloaded = store.Reload();
  ASSERT_OK(reloaded.status());
  EXPECT_TRUE(*reloaded);
  EXPECT_EQ(store.Snapshot()->Find("aaaaaaaaaaaa")->tags.at("team"), "rd");

  ASSERT_OK(memory.Delete("bbbbbbbbbbbb"));
  reloaded = store.Reload();
  ASSERT_OK(reloaded.status());
  EXPECT_TRUE(*reloaded);
  EXPECT_EQ(store.Snapshot()->Find("bbbbbbbbbbbb"), nullptr);
  EXPECT_EQ(store.Snapshot()->generation, 3u);
  reloaded = store.Reload();
  ASSERT_OK(reloaded.status());
  EXPECT_FALSE(*reloaded);
}

// A write publishes a new snapshot that shares every untouched node of the
// old one: O(log n) new nodes, not a copy of every profile.
TEST(CachingProfileStoreTest, AWriteSharesAllButALogarithmicPathWithThePreviousSnapshot) {
  MemoryProfileStore memory;
  constexpr int kProfiles = 2000;
  for (int i = 0; i < kProfiles; ++i) {
    char id[13];
    std::snprintf(id, sizeof(id), "p%011d", i);
    ASSERT_OK(memory.Create({.profile = Record(id, std::string("rd-") + id)}).status());
  }
  auto cached = CachingProfileStore::Create(memory);
  ASSERT_OK(cached.status());
  auto nodes = [](const ProfileSnapshot& s) {
    std::set<const void*> out;
    EXPECT_TRUE(s.by_id.VisitNodesForTest([&](const void* n) { out.insert(n); }));
    return out;
  };
  auto fresh = [&](const ProfileSnapshot& before, const ProfileSnapshot& after) {
    std::set<const void*> old = nodes(before);
    size_t count = 0;
    for (const void* n : nodes(after)) count += old.count(n) == 0 ? 1 : 0;
    return count;
  };
  std::shared_ptr<const ProfileSnapshot> v1 = (*cached)->Snapshot();
  const size_t bound = 2 * static_cast<size_t>(v1->by_id.height()) + 2;
  ASSERT_LT(bound, 40u);

  ASSERT_OK((*cached)->Create({.profile = Record("zzzzzzzzzzzz", "rd-new")}).status());
  std::shared_ptr<const ProfileSnapshot> v2 = (*cached)->Snapshot();
  EXPECT_EQ(v2->by_id.size(), kProfiles + 1u);
  EXPECT_LE(fresh(*v1, *v2), bound) << "create";

  ASSERT_OK((*cached)->UpdateTags("p00000001000", {{"k", "v"}}, {}, 50, 1).status());
  std::shared_ptr<const ProfileSnapshot> v3 = (*cached)->Snapshot();
  EXPECT_LE(fresh(*v2, *v3), bound) << "tag";
  EXPECT_EQ(v2->Find("p00000001000")->tags.size(), 0u) << "old snapshots never change";
  // The untouched records are the same objects, not copies.
  EXPECT_EQ(v2->Find("p00000000007"), v3->Find("p00000000007"));

  ASSERT_OK((*cached)->Delete("p00000000500"));
  std::shared_ptr<const ProfileSnapshot> v4 = (*cached)->Snapshot();
  EXPECT_LE(fresh(*v3, *v4), bound) << "delete";
  EXPECT_EQ(v4->Find("p00000000500"), nullptr);
  EXPECT_EQ(v4->by_id.size(), static_cast<size_t>(kProfiles));
}

}  // namespace
}  // namespace bp::storage
