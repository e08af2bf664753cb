#include "storage/sqlite/migrations.h"

#include <memory>
#include <string>

#include "storage/profile_store_contract.h"
#include "storage/sqlite/sqlite_db.h"
#include "testing/testing.h"

namespace bp::storage::sqlite {
namespace {

using ::bp::testing::StatusIs;
using ::testing::HasSubstr;

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(temp_dir_.path() / "test.db", std::chrono::milliseconds(100));
    ASSERT_OK(db);
    db_ = std::move(db).value();
  }
  std::string Text(std::string_view sql) {
    auto text = db_->QueryText(sql, "test query");
    EXPECT_OK(text);
    return text.ok() ? *text : std::string();
  }
  bool HasTable(const std::string& name) {
    return Text("SELECT count(*) FROM sqlite_schema WHERE name = '" + name + "'") == "1";
  }

  ::bp::testing::TempDir temp_dir_;
  std::unique_ptr<Database> db_;
};

TEST(MigrationListTest, VersionsAreOneToNInOrder) {
  int expected = 1;
  for (const Migration& step : ProfileStoreMigrations()) {
    EXPECT_EQ(step.version, expected++);
    EXPECT_FALSE(step.description.empty());
  }
  EXPECT_EQ(LatestVersion(ProfileStoreMigrations()), expected - 1);
  EXPECT_GE(expected - 1, 1);
}

TEST_F(MigrationsTest, NewDatabaseIsVersionZeroThenLatest) {
  auto before = CurrentSchemaVersion(*db_);
  ASSERT_OK(before);
  EXPECT_EQ(*before, 0);
  ASSERT_OK(ApplyMigrations(*db_, ProfileStoreMigrations()));
  auto after = CurrentSchemaVersion(*db_);
  ASSERT_OK(after);
  EXPECT_EQ(*after, LatestVersion(ProfileStoreMigrations()));
}

TEST_F(MigrationsTest, UpgradesStepByStepKeepingData) {
  const auto all = ProfileStoreMigrations();
  ASSERT_OK(ApplyMigrations(*db_, all.first(1)));
  EXPECT_EQ(Text("SELECT max(version) FROM schema_migrations"), "1");
  EXPECT_TRUE(HasTable("profiles"));
  EXPECT_FALSE(HasTable("idempotency_tokens"));
  ASSERT_OK(
      db_->Exec("INSERT INTO profiles VALUES ('id1', 'rd-x', NULL, 'arn', 'src', 1, 2)", "seed"));
  ASSERT_OK(ApplyMigrations(*db_, all));
  EXPECT_TRUE(HasTable("idempotency_tokens"));
  EXPECT_EQ(Text("SELECT name FROM profiles WHERE id = 'id1'"), "rd-x");
  EXPECT_EQ(Text("SELECT count(*) FROM schema_migrations"), std::to_string(all.size()));
}

TEST_F(MigrationsTest, ReapplyingChangesNothing) {
  ASSERT_OK(ApplyMigrations(*db_, ProfileStoreMigrations()));
  ASSERT_OK(ApplyMigrations(*db_, ProfileStoreMigrations()));
  EXPECT_EQ(Text("SELECT count(*) FROM schema_migrations"),
            std::to_string(ProfileStoreMigrations().size()));
}

TEST_F(MigrationsTest, OlderBinaryRefusesNewerDatabase) {
  ASSERT_OK(ApplyMigrations(*db_, ProfileStoreMigrations()));
  Status refused = ApplyMigrations(*db_, ProfileStoreMigrations().first(1));
  EXPECT_THAT(refused, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(refused.message(), HasSubstr("is newer than this binary supports (1)"));
  EXPECT_THAT(refused.message(), HasSubstr("test.db"));
}

TEST_F(MigrationsTest, FailingStepIsRolledBackAndEarlierStepsStay) {
  const Migration steps[] = {
      {1, "good", "CREATE TABLE a (x INTEGER)"},
      {2, "bad", "CREATE TABLE b (x INTEGER); THIS IS NOT SQL"},
  };
  Status failed = ApplyMigrations(*db_, steps);
  EXPECT_THAT(failed, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(failed.message(), HasSubstr("schema migration 2 (bad)"));
  EXPECT_TRUE(HasTable("a"));
  EXPECT_FALSE(HasTable("b"));
  EXPECT_EQ(Text("SELECT max(version) FROM schema_migrations"), "1");
}

TEST_F(MigrationsTest, NonNumericVersionIsAnError) {
  ASSERT_OK(
      db_->Exec("CREATE TABLE schema_migrations (version TEXT, applied_at TEXT);"
                "INSERT INTO schema_migrations VALUES ('seven', 'now')",
                "seed"));
  EXPECT_THAT(CurrentSchemaVersion(*db_), StatusIs(ErrorCode::kIo));
}

}  // namespace
}  // namespace bp::storage::sqlite
