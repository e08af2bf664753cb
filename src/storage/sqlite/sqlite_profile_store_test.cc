#include "storage/sqlite/sqlite_profile_store.h"

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <sqlite3.h>
#include <unistd.h>

#include "storage/profile_store_contract.h"
#include "testing/testing.h"

namespace bp::storage {
namespace {

using ::bp::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

Result<std::unique_ptr<ProfileStore>> MakeSqliteStore(const std::filesystem::path& dir) {
  BP_ASSIGN_OR_RETURN(auto store, SqliteProfileStore::Open(dir / "state"));
  return std::unique_ptr<ProfileStore>(std::move(store));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ProfileStoreContractTest,
                         ::testing::Values(StoreFactory{"Sqlite", &MakeSqliteStore}),
                         StoreFactoryName);

// A plain connection to the store's file, for looking behind its back.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << sql << ": " << (error ? error : "");
    sqlite3_free(error);
  }
  // Every row's first column, as text.
  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteProfileStoreTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<SqliteProfileStore>> Open(SqliteProfileStore::Options options = {}) {
    return SqliteProfileStore::Open(state_dir_, options);
  }
  std::filesystem::path DbPath() const {
    return state_dir_ / SqliteProfileStore::kDatabaseFileName;
  }
  // Opens the store, creates `profiles`, and closes it again.
  void Seed(const std::vector<ProfileRecord>& profiles) {
    auto store = Open();
    ASSERT_OK(store);
    for (const ProfileRecord& p : profiles) ASSERT_OK((*store)->Create({.profile = p}));
  }

  ::bp::testing::TempDir temp_dir_;
  const std::filesystem::path state_dir_ = temp_dir_.path() / "nested" / "state";
};

TEST_F(SqliteProfileStoreTest, CreatesTheDirectoryDatabaseAndLockFile) {
  auto store = Open();
  ASSERT_OK(store);
  EXPECT_EQ((*store)->database_path(), DbPath());
  EXPECT_TRUE(std::filesystem::is_regular_file(DbPath()));
  const std::string lock = ::bp::testing::ReadFileOrDie(state_dir_ / "LOCK");
  EXPECT_EQ(lock, std::to_string(getpid()) + "\n");
  RawDb raw(DbPath());
  EXPECT_THAT(raw.Column("PRAGMA journal_mode"), ElementsAre("wal"));
}

TEST_F(SqliteProfileStoreTest, DataSurvivesCloseAndReopen) {
  ProfileRecord kept = SampleProfile("aaaaaaaaaaaa");
  {
    auto store = Open();
    ASSERT_OK(store);
    ASSERT_OK((*store)->Create({.profile = kept, .client_token = "t1", .request_digest = "d1"}));
    ASSERT_OK((*store)->Create(
        {.profile = SampleProfile("bbbbbbbbbbbb"), .client_token = "t2", .request_digest = "d2"}));
    auto updated =
        (*store)->UpdateTags("aaaaaaaaaaaa", {{"team", "ml"}}, {"Environment"}, 50, 1767229999000);
    ASSERT_OK(updated);
    kept = *updated;
    ASSERT_OK((*store)->Delete("bbbbbbbbbbbb"));
  }
  auto store = Open();
  ASSERT_OK(store);
  auto listed = (*store)->List();
  ASSERT_OK(listed);
  ASSERT_THAT(*listed, SizeIs(1));
  EXPECT_EQ((*listed)[0], kept);
  auto replay = (*store)->Create({.profile = kept, .client_token = "t1", .request_digest = "d1"});
  ASSERT_OK(replay);
  EXPECT_TRUE(replay->replayed);
  EXPECT_THAT(
      (*store)->Create(
          {.profile = SampleProfile("bbbbbbbbbbbb"), .client_token = "t2", .request_digest = "d2"}),
      StatusIs(ErrorCode::kConflict));
}

TEST_F(SqliteProfileStoreTest, RecordsEveryMigration) {
  Seed({});
  RawDb raw(DbPath());
  std::vector<std::string> expected;
  for (int v = 1; v <= SqliteProfileStore::SupportedSchemaVersion(); ++v) {
    expected.push_back(std::to_string(v));
  }
  EXPECT_EQ(raw.Column("SELECT version FROM schema_migrations ORDER BY version"), expected);
  for (const std::string& at : raw.Column("SELECT applied_at FROM schema_migrations")) {
    EXPECT_THAT(at, ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z"));
  }
  EXPECT_THAT(raw.Column("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"),
              ElementsAre("idempotency_tokens", "profile_models", "profile_tags", "profiles",
                          "schema_migrations"));
}

TEST_F(SqliteProfileStoreTest, RefusesADatabaseFromAFutureVersion) {
  Seed({SampleProfile("aaaaaaaaaaaa")});
  RawDb(DbPath()).Exec("INSERT INTO schema_migrations(version) VALUES (7)");
  auto store = Open();
  ASSERT_THAT(store, StatusIs(ErrorCode::kIo));
  const std::string supported = std::to_string(SqliteProfileStore::SupportedSchemaVersion());
  EXPECT_THAT(store.status().message(),
              HasSubstr("schema version 7 is newer than this binary supports (" + supported +
                        "); upgrade bedrock-profiles"));
  EXPECT_THAT(store.status().message(), HasSubstr(DbPath().string()));
}

TEST_F(SqliteProfileStoreTest, LockPreventsASecondOpenOfTheSameDirectory) {
  auto first = Open();
  ASSERT_OK(first);
  auto second = Open();
  ASSERT_THAT(second, StatusIs(ErrorCode::kResourceInUse));
  EXPECT_THAT(second.status().message(), HasSubstr("pid " + std::to_string(getpid())));
  EXPECT_THAT(second.status().message(), HasSubstr(state_dir_.string()));
  first->reset();  // closes the first store, releasing the lock
  EXPECT_OK(Open());
}

TEST_F(SqliteProfileStoreTest, UnlockedStoresShareOneDatabase) {
  SqliteProfileStore::Options unlocked{.lock_state_dir = false};
  auto a = Open(unlocked);
  auto b = Open(unlocked);
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK((*a)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
  EXPECT_OK((*b)->Get("aaaaaaaaaaaa"));
}

TEST_F(SqliteProfileStoreTest, NonDatabaseFileIsAClearIoError) {
  std::filesystem::create_directories(state_dir_);
  std::ofstream(DbPath()) << std::string(8192, 'x') << "this is not a database";
  auto store = Open();
  ASSERT_THAT(store, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(store.status().message(), HasSubstr(DbPath().string()));
  EXPECT_THAT(store.status().message(), HasSubstr("not a database"));
}

TEST_F(SqliteProfileStoreTest, DamagedDatabaseIsRefused) {
  std::vector<ProfileRecord> many;
  for (int i = 0; i < 200; ++i) many.push_back(SampleProfile("p" + std::to_string(100000 + i)));
  Seed(many);
  // Overwrite the middle of the file (past the header page) with junk.
  const auto size = std::filesystem::file_size(DbPath());
  ASSERT_GT(size, 3 * 4096u);
  {
    std::fstream file(DbPath(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    file << std::string(4096, '\x5a');
  }
  auto store = Open();
  ASSERT_THAT(store, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(store.status().message(),
              AllOf(HasSubstr(DbPath().string() + " is damaged ("), Not(HasSubstr("damaged ()"))));
}

TEST_F(SqliteProfileStoreTest, StateDirThatIsAFileIsAnIoError) {
  std::filesystem::create_directories(state_dir_.parent_path());
  std::ofstream(state_dir_) << "file";
  EXPECT_THAT(Open(), StatusIs(ErrorCode::kIo));
}

TEST_F(SqliteProfileStoreTest, FailedCreateLeavesNoTrace) {
  Seed({});
  // Fails the last statement of Create, after the profile row went in.
  RawDb(DbPath()).Exec(
      "CREATE TRIGGER boom BEFORE INSERT ON idempotency_tokens "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  auto store = Open();
  ASSERT_OK(store);
  auto failed = (*store)->Create(
      {.profile = SampleProfile("aaaaaaaaaaaa"), .client_token = "t", .request_digest = "d"});
  ASSERT_THAT(failed, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(failed.status().message(), HasSubstr("injected failure"));
  EXPECT_THAT((*store)->Get("aaaaaaaaaaaa"), StatusIs(ErrorCode::kResourceNotFound));
  RawDb raw(DbPath());
  EXPECT_THAT(raw.Column("SELECT count(*) FROM profile_models"), ElementsAre("0"));
  EXPECT_THAT(raw.Column("SELECT count(*) FROM profile_tags"), ElementsAre("0"));
  // The store is still usable afterwards.
  EXPECT_OK((*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
}

TEST_F(SqliteProfileStoreTest, FailedUpdateTagsLeavesNoTrace) {
  const ProfileRecord original = SampleProfile("aaaaaaaaaaaa");
  Seed({original});
  RawDb(DbPath()).Exec(
      "CREATE TRIGGER boom BEFORE INSERT ON profile_tags WHEN NEW.key = 'boom' "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  auto store = Open();
  ASSERT_OK(store);
  // The removal and the first upsert run before the failing insert.
  EXPECT_THAT((*store)->UpdateTags("aaaaaaaaaaaa", {{"a", "1"}, {"boom", "x"}}, {"Environment"}, 50,
                                   1767229999000),
              StatusIs(ErrorCode::kIo));
  auto got = (*store)->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(*got, original);
}

TEST_F(SqliteProfileStoreTest, BusyDatabaseFailsCleanlyAndRecovers) {
  auto store = Open({.busy_timeout = std::chrono::milliseconds(20)});
  ASSERT_OK(store);
  RawDb other(DbPath());
  other.Exec("BEGIN IMMEDIATE");
  auto busy = (*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")});
  ASSERT_THAT(busy, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(busy.status().message(), HasSubstr("locked"));
  other.Exec("COMMIT");
  EXPECT_OK((*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
}

}  // namespace
}  // namespace bp::storage
