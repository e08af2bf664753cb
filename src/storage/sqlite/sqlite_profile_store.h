#pragma once
// SqliteProfileStore: the default, durable ProfileStore, one SQLite database
// file in the server's state directory.
//
// Durability: WAL journal with synchronous=FULL, so a call that returned OK
// has been fsynced to the write-ahead log: it survives kill -9 of the
// process and power loss (given a disk that honours fsync). See
// docs/storage.md for the schema, the migration policy and the guarantees.
//
// Every public method is one SQLite transaction (BEGIN IMMEDIATE for writes)
// on a single connection guarded by a mutex: thread-safe, calls serialize,
// and a failed call changes nothing. Errors follow ProfileStore; kIo messages
// name the database file and carry SQLite's own message. No exceptions.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "storage/profile_store.h"

namespace bp::storage {

namespace sqlite {
class Database;
class DirLock;
}  // namespace sqlite

struct SqliteProfileStoreOptions {
  // How long a statement waits for a lock held by another connection (for
  // example a sqlite3 shell) before failing with kIo.
  std::chrono::milliseconds busy_timeout{5000};
  // Hold an exclusive flock on state_dir/LOCK while open, so that a second
  // server on the same directory fails at Open instead of sharing it.
  bool lock_state_dir = true;
  // Run PRAGMA quick_check at Open and refuse a damaged database. Reads the
  // whole file once; the profile database is small.
  bool check_integrity_on_open = true;
};

class SqliteProfileStore final : public ProfileStore {
 public:
  using Options = SqliteProfileStoreOptions;

  static constexpr std::string_view kDatabaseFileName = "bedrock-profiles.db";
  static constexpr std::string_view kLockFileName = "LOCK";

  // Opens the store in `state_dir`, creating the directory and
  // state_dir/bedrock-profiles.db if absent, then brings the schema up to
  // date (each migration in its own transaction) and fsyncs the directory.
  // Errors:
  //   kResourceInUse  another process (or another open store) holds
  //                   state_dir/LOCK; the message names the holder's pid;
  //   kIo             the directory cannot be created, the file is not a
  //                   database or is damaged, is read-only, or its schema
  //                   version is newer than this binary supports.
  static Result<std::unique_ptr<SqliteProfileStore>> Open(const std::filesystem::path& state_dir,
                                                          Options options = {});

  // The schema version this binary creates and understands.
  static int SupportedSchemaVersion();

  ~SqliteProfileStore() override;  // closes the database, releases the lock
  SqliteProfileStore(const SqliteProfileStore&) = delete;
  SqliteProfileStore& operator=(const SqliteProfileStore&) = delete;

  const std::filesystem::path& database_path() const { return database_path_; }

  Result<CreateProfileOutcome> Create(const CreateProfileRequest& request) override
      BP_EXCLUDES(mu_);
  Result<ProfileRecord> Get(std::string_view id) override BP_EXCLUDES(mu_);
  Result<std::vector<ProfileRecord>> List() override BP_EXCLUDES(mu_);
  Status Delete(std::string_view id) override BP_EXCLUDES(mu_);
  Result<ProfileRecord> UpdateTags(std::string_view id, const Tags& upsert,
                                   const std::vector<std::string>& remove, size_t max_tags,
                                   int64_t now_ms) override BP_EXCLUDES(mu_);

 private:
  struct Passkey {};

 public:
  SqliteProfileStore(Passkey, std::unique_ptr<sqlite::Database> db,
                     std::unique_ptr<sqlite::DirLock> lock);

 private:
  struct StoredToken {
    std::string request_digest;
    std::string profile_id;
  };

  // Helpers run inside a transaction the caller holds.
  Result<CreateProfileOutcome> CreateLocked(const CreateProfileRequest& request) BP_REQUIRES(mu_);
  Result<std::optional<StoredToken>> FindToken(std::string_view token) BP_REQUIRES(mu_);
  Result<bool> Exists(std::string_view sql, std::string_view key) BP_REQUIRES(mu_);
  Result<std::optional<ProfileRecord>> LoadProfile(std::string_view id) BP_REQUIRES(mu_);
  Status InsertProfile(const ProfileRecord& profile) BP_REQUIRES(mu_);
  Status InsertToken(const CreateProfileRequest& request) BP_REQUIRES(mu_);
  Status WriteTagChanges(std::string_view id, const Tags& before, const Tags& after)
      BP_REQUIRES(mu_);

  const std::filesystem::path database_path_;
  const std::unique_ptr<sqlite::DirLock> lock_;  // null when not locking; outlives db_
  Mutex mu_;
  const std::unique_ptr<sqlite::Database> db_ BP_PT_GUARDED_BY(mu_);
};

}  // namespace bp::storage
