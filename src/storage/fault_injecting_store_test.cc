#include "storage/fault_injecting_store.h"

#include <memory>

#include "storage/memory/memory_profile_store.h"
#include "storage/profile_store_contract.h"
#include "testing/testing.h"

namespace bp::storage {
namespace {

using ::bp::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// An unarmed decorator must be invisible: it runs the whole contract.
class UnarmedDecorator final : public ProfileStore {
 public:
  Result<CreateProfileOutcome> Create(const CreateProfileRequest& r) override {
    return faulty_.Create(r);
  }
  Result<ProfileRecord> Get(std::string_view id) override { return faulty_.Get(id); }
  Result<std::vector<ProfileRecord>> List() override { return faulty_.List(); }
  Status Delete(std::string_view id) override { return faulty_.Delete(id); }
  Result<ProfileRecord> UpdateTags(std::string_view id, const Tags& upsert,
                                   const std::vector<std::string>& remove, size_t max_tags,
                                   int64_t now_ms) override {
    return faulty_.UpdateTags(id, upsert, remove, max_tags, now_ms);
  }

 private:
  MemoryProfileStore memory_;
  FaultInjectingProfileStore faulty_{memory_};
};

Result<std::unique_ptr<ProfileStore>> MakeUnarmed(const std::filesystem::path&) {
  return std::unique_ptr<ProfileStore>(std::make_unique<UnarmedDecorator>());
}

INSTANTIATE_TEST_SUITE_P(UnarmedFaultInjection, ProfileStoreContractTest,
                         ::testing::Values(StoreFactory{"UnarmedFaultInjection", &MakeUnarmed}),
                         StoreFactoryName);

class FaultInjectingProfileStoreTest : public ::testing::Test {
 protected:
  MemoryProfileStore memory_;
  FaultInjectingProfileStore store_{memory_};
};

TEST_F(FaultInjectingProfileStoreTest, FailsOnlyTheNthMutationAndWritesNothing) {
  store_.FailNthMutation(2);
  EXPECT_OK(store_.Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
  auto failed = store_.Create({.profile = SampleProfile("bbbbbbbbbbbb")});
  EXPECT_THAT(failed, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(failed.status().message(), HasSubstr("Create"));
  EXPECT_THAT(memory_.Get("bbbbbbbbbbbb"), StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_OK(store_.Create({.profile = SampleProfile("cccccccccccc")}));
  EXPECT_EQ(store_.mutations(), 3);
  EXPECT_EQ(store_.faults_injected(), 1);
}

TEST_F(FaultInjectingProfileStoreTest, ReadsAreNeverFaultedNorCounted) {
  ASSERT_OK(memory_.Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
  store_.FailAllMutations();
  EXPECT_OK(store_.Get("aaaaaaaaaaaa"));
  EXPECT_OK(store_.List());
  EXPECT_EQ(store_.mutations(), 0);
  EXPECT_THAT(store_.Delete("aaaaaaaaaaaa"), StatusIs(ErrorCode::kIo));
  EXPECT_THAT(store_.UpdateTags("aaaaaaaaaaaa", {{"k", "v"}}, {}, 50, 7), StatusIs(ErrorCode::kIo));
  auto got = memory_.Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(*got, SampleProfile("aaaaaaaaaaaa"));
  store_.Disarm();
  EXPECT_OK(store_.Delete("aaaaaaaaaaaa"));
  EXPECT_EQ(store_.faults_injected(), 2);
}

TEST_F(FaultInjectingProfileStoreTest, AfterWriteFaultCommitsThenFails) {
  store_.FailNthMutation(1, FaultMode::kAfterWrite);
  CreateProfileRequest request{
      .profile = SampleProfile("aaaaaaaaaaaa"), .client_token = "tok", .request_digest = "d"};
  EXPECT_THAT(store_.Create(request), StatusIs(ErrorCode::kIo));
  EXPECT_OK(memory_.Get("aaaaaaaaaaaa"));
  // The client's retry is replayed, not duplicated.
  auto retry = store_.Create(request);
  ASSERT_OK(retry);
  EXPECT_TRUE(retry->replayed);
  auto listed = memory_.List();
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, SizeIs(1));
}

TEST_F(FaultInjectingProfileStoreTest, ArmingAgainReplacesTheFault) {
  store_.FailNthMutation(1);
  store_.FailNthMutation(2);
  EXPECT_OK(store_.Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
  EXPECT_THAT(store_.Delete("aaaaaaaaaaaa"), StatusIs(ErrorCode::kIo));
  EXPECT_OK(store_.Delete("aaaaaaaaaaaa"));
}

}  // namespace
}  // namespace bp::storage
