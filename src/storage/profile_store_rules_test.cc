#include "storage/profile_store_rules.h"

#include "storage/profile_store_contract.h"
#include "testing/testing.h"

namespace bp::storage {
namespace {

using ::bp::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(ValidateCreateRequestTest, AcceptsACompleteRecord) {
  EXPECT_OK(ValidateCreateRequest({.profile = SampleProfile("aaaaaaaaaaaa")}));
}

TEST(ValidateCreateRequestTest, RefusesMissingFields) {
  auto refuse = [](void (*mutate)(ProfileRecord&)) {
    ProfileRecord p = SampleProfile("aaaaaaaaaaaa");
    mutate(p);
    return ValidateCreateRequest({.profile = p});
  };
  EXPECT_THAT(refuse([](ProfileRecord& p) { p.id.clear(); }), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(refuse([](ProfileRecord& p) { p.name.clear(); }), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(refuse([](ProfileRecord& p) { p.arn.clear(); }), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(refuse([](ProfileRecord& p) { p.model_arns.push_back(""); }),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(refuse([](ProfileRecord& p) { p.tags[""] = "v"; }), StatusIs(ErrorCode::kValidation));
}

TEST(ApplyTagChangesTest, UpsertsThenRemoves) {
  const Tags current = {{"a", "1"}, {"b", "2"}};
  auto result =
      ApplyTagChanges(current, {{"b", "20"}, {"c", "3"}, {"d", "4"}}, {"a", "d", "zz"}, 10);
  ASSERT_OK(result);
  EXPECT_THAT(*result, ElementsAre(Pair("b", "20"), Pair("c", "3")));
}

TEST(ApplyTagChangesTest, LimitAppliesToTheResult) {
  const Tags current = {{"a", "1"}, {"b", "2"}};
  EXPECT_OK(ApplyTagChanges(current, {{"c", "3"}}, {}, 3));
  EXPECT_OK(ApplyTagChanges(current, {{"c", "3"}, {"d", "4"}}, {"a"}, 3));
  auto over = ApplyTagChanges(current, {{"c", "3"}, {"d", "4"}}, {}, 3);
  EXPECT_THAT(over, StatusIs(ErrorCode::kTooManyTags));
  EXPECT_THAT(over.status().message(), HasSubstr("4 tags"));
  EXPECT_THAT(ApplyTagChanges({}, {{"a", "1"}}, {}, 0), StatusIs(ErrorCode::kTooManyTags));
}

TEST(ApplyTagChangesTest, RefusesAnEmptyKey) {
  EXPECT_THAT(ApplyTagChanges({}, {{"", "v"}}, {}, 10), StatusIs(ErrorCode::kValidation));
}

TEST(CheckTokenReuseTest, SameDigestReplaysOtherDigestConflicts) {
  CreateProfileRequest request{
      .profile = SampleProfile("aaaaaaaaaaaa"), .client_token = "tok", .request_digest = "d1"};
  EXPECT_OK(CheckTokenReuse(request, "d1"));
  Status conflict = CheckTokenReuse(request, "d2");
  EXPECT_THAT(conflict, StatusIs(ErrorCode::kConflict));
  EXPECT_THAT(conflict.message(), HasSubstr("'tok'"));
}

TEST(ErrorsTest, NameTheResource) {
  EXPECT_THAT(ProfileNotFoundError("abc").message(), HasSubstr("'abc'"));
  EXPECT_THAT(NameTakenError("rd-x").message(), HasSubstr("'rd-x'"));
  EXPECT_THAT(IdTakenError("abc").message(), HasSubstr("'abc'"));
  Status deleted = TokenOfDeletedProfileError("tok", "abc");
  EXPECT_THAT(deleted, StatusIs(ErrorCode::kConflict));
  EXPECT_THAT(deleted.message(), HasSubstr("deleted"));
}

}  // namespace
}  // namespace bp::storage
