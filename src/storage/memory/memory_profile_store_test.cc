#include "storage/memory/memory_profile_store.h"

#include <memory>

#include "storage/profile_store_contract.h"
#include "testing/testing.h"

namespace bp::storage {
namespace {

Result<std::unique_ptr<ProfileStore>> MakeMemoryStore(const std::filesystem::path&) {
  return std::unique_ptr<ProfileStore>(std::make_unique<MemoryProfileStore>());
}

INSTANTIATE_TEST_SUITE_P(Memory, ProfileStoreContractTest,
                         ::testing::Values(StoreFactory{"Memory", &MakeMemoryStore}),
                         StoreFactoryName);

TEST(MemoryProfileStoreTest, StoresAreIndependent) {
  MemoryProfileStore a;
  MemoryProfileStore b;
  ASSERT_OK(a.Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
  EXPECT_THAT(b.Get("aaaaaaaaaaaa"), ::bp::testing::StatusIs(ErrorCode::kResourceNotFound));
}

TEST(MemoryProfileStoreTest, ReturnedRecordsAreCopies) {
  MemoryProfileStore store;
  auto created = store.Create({.profile = SampleProfile("aaaaaaaaaaaa")});
  ASSERT_OK(created);
  created->profile.tags.clear();
  auto got = store.Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(got->tags.size(), 2u);
}

}  // namespace
}  // namespace bp::storage
