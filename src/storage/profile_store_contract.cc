#include "storage/profile_store_contract.h"

#include <cstdio>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>

namespace bp::storage {

using ::bp::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::SizeIs;

void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

void ProfileStoreContractTest::SetUp() {
  auto store = GetParam().make(temp_dir_.path());
  ASSERT_OK(store);
  store_ = std::move(store).value();
}

ProfileRecord SampleProfile(const std::string& id) {
  const std::string account = "arn:aws:bedrock:eu-central-1:123456789012:";
  const std::string model = "foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0";
  return ProfileRecord{
      .id = id,
      .name = "rd-" + id,
      .description = "Claude Haiku 4.5 for research",
      .arn = account + "application-inference-profile/" + id,
      .source_arn = account + "inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      .model_arns = {"arn:aws:bedrock:eu-west-3::" + model,
                     "arn:aws:bedrock:eu-central-1::" + model,
                     "arn:aws:bedrock:eu-west-1::" + model},
      .tags = {{"Environment", "rd"}, {"billing-mode", "rd"}},
      .created_at_ms = 1767225600123,
      .updated_at_ms = 1767225600123,
  };
}

namespace {

CreateProfileRequest Request(ProfileRecord profile, std::string token = "",
                             std::string digest = "") {
  return CreateProfileRequest{.profile = std::move(profile),
                              .client_token = std::move(token),
                              .request_digest = std::move(digest)};
}

std::vector<std::string> Ids(const std::vector<ProfileRecord>& profiles) {
  std::vector<std::string> ids;
  for (const ProfileRecord& p : profiles) ids.push_back(p.id);
  return ids;
}

TEST_P(ProfileStoreContractTest, CreateThenGetReturnsTheSameRecord) {
  const ProfileRecord profile = SampleProfile("acwt9yee9wzo");
  auto created = store_->Create(Request(profile));
  ASSERT_OK(created);
  EXPECT_EQ(created->profile, profile);
  EXPECT_FALSE(created->replayed);
  auto got = store_->Get("acwt9yee9wzo");
  ASSERT_OK(got);
  EXPECT_EQ(*got, profile);
}

TEST_P(ProfileStoreContractTest, EmptyStoreListsNothing) {
  auto listed = store_->List();
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, SizeIs(0));
}

TEST_P(ProfileStoreContractTest, ListIsOrderedById) {
  for (const char* id : {"zz0000000001", "aa0000000001", "mm0000000001"}) {
    ASSERT_OK(store_->Create(Request(SampleProfile(id))));
  }
  auto listed = store_->List();
  ASSERT_OK(listed);
  EXPECT_THAT(Ids(*listed), ElementsAre("aa0000000001", "mm0000000001", "zz0000000001"));
  EXPECT_EQ((*listed)[1], SampleProfile("mm0000000001"));
}

TEST_P(ProfileStoreContractTest, AbsentProfileIsNotFound) {
  EXPECT_THAT(store_->Get("nosuchprofil"), StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(store_->Delete("nosuchprofil"), StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(store_->UpdateTags("nosuchprofil", {{"a", "b"}}, {}, 50, 1),
              StatusIs(ErrorCode::kResourceNotFound));
  auto listed = store_->List();
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, SizeIs(0));
}

TEST_P(ProfileStoreContractTest, DeleteRemovesTheProfileAndFreesItsName) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"))));
  ASSERT_OK(store_->Create(Request(SampleProfile("bbbbbbbbbbbb"))));
  EXPECT_OK(store_->Delete("aaaaaaaaaaaa"));
  EXPECT_THAT(store_->Get("aaaaaaaaaaaa"), StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(store_->Delete("aaaaaaaaaaaa"), StatusIs(ErrorCode::kResourceNotFound));
  auto listed = store_->List();
  ASSERT_OK(listed);
  EXPECT_THAT(Ids(*listed), ElementsAre("bbbbbbbbbbbb"));

  ProfileRecord same_name = SampleProfile("cccccccccccc");
  same_name.name = "rd-aaaaaaaaaaaa";
  EXPECT_OK(store_->Create(Request(same_name)));
}

TEST_P(ProfileStoreContractTest, RecreatingADeletedIdStartsFresh) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"))));
  ASSERT_OK(store_->Delete("aaaaaaaaaaaa"));
  ProfileRecord again = SampleProfile("aaaaaaaaaaaa");
  again.tags = {{"only", "this"}};
  again.model_arns = {again.model_arns[1]};
  ASSERT_OK(store_->Create(Request(again)));
  auto got = store_->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(*got, again);
}

TEST_P(ProfileStoreContractTest, DuplicateNameIsConflictAndWritesNothing) {
  const ProfileRecord first = SampleProfile("aaaaaaaaaaaa");
  ASSERT_OK(store_->Create(Request(first)));
  ProfileRecord second = SampleProfile("bbbbbbbbbbbb");
  second.name = first.name;
  EXPECT_THAT(store_->Create(Request(second, "token-2", "digest-2")),
              StatusIs(ErrorCode::kConflict));
  EXPECT_THAT(store_->Get("bbbbbbbbbbbb"), StatusIs(ErrorCode::kResourceNotFound));
  auto got = store_->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(*got, first);
  // The refused call recorded no token: the same token now creates.
  second.name = "rd-other";
  auto retry = store_->Create(Request(second, "token-2", "digest-2"));
  ASSERT_OK(retry);
  EXPECT_FALSE(retry->replayed);
}

TEST_P(ProfileStoreContractTest, DuplicateIdIsConflict) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"))));
  ProfileRecord clash = SampleProfile("aaaaaaaaaaaa");
  clash.name = "rd-different";
  EXPECT_THAT(store_->Create(Request(clash)), StatusIs(ErrorCode::kConflict));
  auto got = store_->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "rd-aaaaaaaaaaaa");
}

TEST_P(ProfileStoreContractTest, ReplayWithSameTokenAndDigestReturnsTheOriginal) {
  const ProfileRecord original = SampleProfile("aaaaaaaaaaaa");
  ASSERT_OK(store_->Create(Request(original, "tok", "digest")));
  // A retry carries a freshly generated id; the store answers with the
  // profile the token created and creates nothing.
  ProfileRecord retry = SampleProfile("bbbbbbbbbbbb");
  retry.name = original.name;
  auto replayed = store_->Create(Request(retry, "tok", "digest"));
  ASSERT_OK(replayed);
  EXPECT_TRUE(replayed->replayed);
  EXPECT_EQ(replayed->profile, original);
  auto listed = store_->List();
  ASSERT_OK(listed);
  EXPECT_THAT(Ids(*listed), ElementsAre("aaaaaaaaaaaa"));
}

TEST_P(ProfileStoreContractTest, ReplayReturnsTheProfileAsItIsNow) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"), "tok", "digest")));
  ASSERT_OK(store_->UpdateTags("aaaaaaaaaaaa", {{"team", "ml"}}, {}, 50, 1767225700000));
  auto replayed = store_->Create(Request(SampleProfile("aaaaaaaaaaaa"), "tok", "digest"));
  ASSERT_OK(replayed);
  EXPECT_TRUE(replayed->replayed);
  EXPECT_EQ(replayed->profile.tags.at("team"), "ml");
}

TEST_P(ProfileStoreContractTest, SameTokenWithAnotherDigestIsConflict) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"), "tok", "digest-1")));
  EXPECT_THAT(store_->Create(Request(SampleProfile("bbbbbbbbbbbb"), "tok", "digest-2")),
              StatusIs(ErrorCode::kConflict));
  EXPECT_THAT(store_->Get("bbbbbbbbbbbb"), StatusIs(ErrorCode::kResourceNotFound));
}

TEST_P(ProfileStoreContractTest, TokenOfADeletedProfileIsConflict) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"), "tok", "digest")));
  ASSERT_OK(store_->Delete("aaaaaaaaaaaa"));
  EXPECT_THAT(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"), "tok", "digest")),
              StatusIs(ErrorCode::kConflict));
  auto listed = store_->List();
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, SizeIs(0));
}

TEST_P(ProfileStoreContractTest, CreatesWithoutATokenAreIndependent) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"), "", "digest")));
  auto second = store_->Create(Request(SampleProfile("bbbbbbbbbbbb"), "", "digest"));
  ASSERT_OK(second);
  EXPECT_FALSE(second->replayed);
}

TEST_P(ProfileStoreContractTest, UpdateTagsUpsertsAndRemoves) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"))));
  auto updated = store_->UpdateTags("aaaaaaaaaaaa", {{"billing-mode", "prod"}, {"team", "ml"}},
                                    {"Environment"}, 50, 1767225999000);
  ASSERT_OK(updated);
  EXPECT_THAT(updated->tags, ElementsAre(Pair("billing-mode", "prod"), Pair("team", "ml")));
  EXPECT_EQ(updated->updated_at_ms, 1767225999000);
  EXPECT_EQ(updated->created_at_ms, 1767225600123);
  auto got = store_->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(*got, *updated);
}

TEST_P(ProfileStoreContractTest, RemovingAbsentKeysIsOk) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"))));
  auto updated = store_->UpdateTags("aaaaaaaaaaaa", {}, {"no-such-key", "Environment"}, 50, 5);
  ASSERT_OK(updated);
  EXPECT_THAT(updated->tags, ElementsAre(Pair("billing-mode", "rd")));
}

TEST_P(ProfileStoreContractTest, AKeyBothSetAndRemovedEndsUpRemoved) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"))));
  auto updated = store_->UpdateTags("aaaaaaaaaaaa", {{"team", "ml"}}, {"team"}, 50, 5);
  ASSERT_OK(updated);
  EXPECT_FALSE(updated->tags.contains("team"));
}

TEST_P(ProfileStoreContractTest, TooManyTagsWritesNothing) {
  const ProfileRecord original = SampleProfile("aaaaaaaaaaaa");  // two tags
  ASSERT_OK(store_->Create(Request(original)));
  EXPECT_THAT(store_->UpdateTags("aaaaaaaaaaaa", {{"a", "1"}, {"b", "2"}}, {}, 3, 99),
              StatusIs(ErrorCode::kTooManyTags));
  auto got = store_->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(*got, original);  // tags and updated_at_ms untouched
}

TEST_P(ProfileStoreContractTest, TagLimitCountsTheResultNotTheRequest) {
  ASSERT_OK(store_->Create(Request(SampleProfile("aaaaaaaaaaaa"))));
  // 2 + 2 - 1 = 3 tags: exactly at the limit.
  auto updated =
      store_->UpdateTags("aaaaaaaaaaaa", {{"a", "1"}, {"b", "2"}}, {"Environment"}, 3, 99);
  ASSERT_OK(updated);
  EXPECT_THAT(updated->tags, SizeIs(3));
  // Overwriting an existing key does not add one.
  EXPECT_OK(store_->UpdateTags("aaaaaaaaaaaa", {{"a", "changed"}}, {}, 3, 100));
}

TEST_P(ProfileStoreContractTest, ModelArnOrderIsPreserved) {
  ProfileRecord profile = SampleProfile("aaaaaaaaaaaa");
  profile.model_arns = {"arn:z", "arn:a", "arn:m", "arn:b"};
  ASSERT_OK(store_->Create(Request(profile)));
  auto got = store_->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_THAT(got->model_arns, ElementsAre("arn:z", "arn:a", "arn:m", "arn:b"));
  auto listed = store_->List();
  ASSERT_OK(listed);
  EXPECT_THAT((*listed)[0].model_arns, ElementsAre("arn:z", "arn:a", "arn:m", "arn:b"));
}

TEST_P(ProfileStoreContractTest, DescriptionAbsentEmptyAndPresentAreDistinct) {
  ProfileRecord absent = SampleProfile("aaaaaaaaaaaa");
  absent.description = std::nullopt;
  ProfileRecord empty = SampleProfile("bbbbbbbbbbbb");
  empty.description = "";
  ASSERT_OK(store_->Create(Request(absent)));
  ASSERT_OK(store_->Create(Request(empty)));
  ASSERT_OK(store_->Create(Request(SampleProfile("cccccccccccc"))));
  auto listed = store_->List();
  ASSERT_OK(listed);
  ASSERT_THAT(*listed, SizeIs(3));
  EXPECT_EQ((*listed)[0].description, std::nullopt);
  EXPECT_EQ((*listed)[1].description, std::optional<std::string>(""));
  EXPECT_EQ((*listed)[2].description, std::optional<std::string>("Claude Haiku 4.5 for research"));
}

TEST_P(ProfileStoreContractTest, NoTagsAndNoModelsRoundTrip) {
  ProfileRecord bare = SampleProfile("aaaaaaaaaaaa");
  bare.tags.clear();
  bare.model_arns.clear();
  ASSERT_OK(store_->Create(Request(bare)));
  auto got = store_->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(*got, bare);
}

TEST_P(ProfileStoreContractTest, ArbitraryBytesRoundTrip) {
  ProfileRecord odd = SampleProfile("aaaaaaaaaaaa");
  odd.name = "rd-'); DROP TABLE profiles; --";
  odd.description = std::string("line1\nline2 \xc3\xa9\xe2\x82\xac \"q\" ") + '\0' + "x";
  odd.tags = {{"k\xc3\xa9y", std::string("v\0al", 4)}, {"%_*", "'"}};
  ASSERT_OK(store_->Create(Request(odd)));
  auto got = store_->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(*got, odd);
}

TEST_P(ProfileStoreContractTest, InvalidRecordIsRefused) {
  ProfileRecord no_id = SampleProfile("aaaaaaaaaaaa");
  no_id.id.clear();
  EXPECT_THAT(store_->Create(Request(no_id)), StatusIs(ErrorCode::kValidation));
  ProfileRecord no_name = SampleProfile("aaaaaaaaaaaa");
  no_name.name.clear();
  EXPECT_THAT(store_->Create(Request(no_name)), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(store_->UpdateTags("x", {{"", "v"}}, {}, 50, 1),
              ::testing::Not(::bp::testing::IsOk()));
  auto listed = store_->List();
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, SizeIs(0));
}

TEST_P(ProfileStoreContractTest, ConcurrentCreatesLoseNoWrites) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures] {
      for (int i = 0; i < kPerThread; ++i) {
        char id[16];
        std::snprintf(id, sizeof(id), "t%dp%09d", t, i);
        if (!store_->Create(Request(SampleProfile(id))).ok()) ++failures[t];
        if (!store_->List().ok()) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(failures, ::testing::Each(0));
  auto listed = store_->List();
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, SizeIs(kThreads * kPerThread));
}

TEST_P(ProfileStoreContractTest, ConcurrentCreatesOfOneNameHaveOneWinner) {
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::vector<Status> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &results] {
      ProfileRecord profile = SampleProfile("id0000000" + std::to_string(100 + t));
      profile.name = "rd-contended";
      results[t] = store_->Create(Request(profile)).status();
    });
  }
  for (std::thread& thread : threads) thread.join();
  int winners = 0;
  for (const Status& s : results) {
    if (s.ok()) {
      ++winners;
    } else {
      EXPECT_EQ(s.code(), ErrorCode::kConflict) << s.ToString();
    }
  }
  EXPECT_EQ(winners, 1);
  auto listed = store_->List();
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, SizeIs(1));
}

TEST_P(ProfileStoreContractTest, ConcurrentRetriesOfOneTokenCreateOnce) {
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::vector<Result<CreateProfileOutcome>> results(kThreads,
                                                    Status(ErrorCode::kInternal, "unset"));
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &results] {
      ProfileRecord profile = SampleProfile("id0000000" + std::to_string(100 + t));
      profile.name = "rd-retried";
      results[t] = store_->Create(Request(profile, "shared-token", "same-digest"));
    });
  }
  for (std::thread& thread : threads) thread.join();
  int originals = 0;
  std::string created_id;
  for (const auto& r : results) {
    ASSERT_OK(r);
    if (!r->replayed) {
      ++originals;
      created_id = r->profile.id;
    }
  }
  EXPECT_EQ(originals, 1);
  for (const auto& r : results) EXPECT_EQ(r->profile.id, created_id);
}

}  // namespace
}  // namespace bp::storage
