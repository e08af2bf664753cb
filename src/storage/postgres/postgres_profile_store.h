#pragma once
// PostgresProfileStore: the ProfileStore on a PostgreSQL database that
// several bedrock-profiles instances may share (issue 17). libpq, Debian's
// libpq-dev.
//
// Every committed write (Create that is not a replay, Delete, UpdateTags)
// sends NOTIFY on kChangeChannel with the profile id as payload, inside its
// transaction, so other instances' PostgresProfileListener hear of it once
// it has committed (postgres_profile_listener.h).
//
// Durability is the server's: a call that returned OK has committed, and
// with PostgreSQL's default synchronous_commit = on its commit record is
// flushed to the server's WAL, so it survives kill -9 of either process.
//
// Every public method is one transaction at READ COMMITTED on a single
// connection guarded by a mutex: thread-safe, calls serialize within the
// process. Between instances the database decides: the primary keys and the
// unique name constraint make the loser of a race fail with
// unique_violation, and Create then runs again, so that it answers exactly
// what it would have answered had it come second (kConflict with the
// SQLite store's messages, or replayed = true for a raced token).
// UpdateTags locks the profile row (SELECT ... FOR UPDATE), so two
// instances' tag updates apply one after the other and the tag limit holds.
//
// A connection the server closed (a database restart) is re-established at
// the next call's BEGIN, before anything of that call was sent; a call whose
// connection is lost midway fails with kIo. Errors follow ProfileStore; kIo
// messages name the database by its connection string without the password.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "storage/profile_store.h"

namespace bp::storage {

namespace postgres {
class Connection;
struct PgError;
}  // namespace postgres

class PostgresProfileStore final : public ProfileStore {
 public:
  // Connects to `conninfo` (a postgresql:// URL or libpq key=value string;
  // what the string leaves out comes from the standard PG* environment
  // variables) and brings the schema up to date under an advisory lock.
  // Errors, all kIo:
  //   "cannot connect to PostgreSQL at postgresql://user@host:port/db: ..."
  //   "database ... has schema version N; this bedrock-profiles knows up to M ..."
  //   a migration step that fails (nothing of it is applied).
  static Result<std::unique_ptr<PostgresProfileStore>> Open(std::string_view conninfo);

  // The schema version this binary creates and understands.
  static int SupportedSchemaVersion();

  // The LISTEN/NOTIFY channel of profile changes.
  static constexpr std::string_view kChangeChannel = "bp_profiles";

  ~PostgresProfileStore() override;
  PostgresProfileStore(const PostgresProfileStore&) = delete;
  PostgresProfileStore& operator=(const PostgresProfileStore&) = delete;

  // The connection string without its password, as messages show it.
  const std::string& display_name() const { return display_name_; }

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
  PostgresProfileStore(Passkey, std::unique_ptr<postgres::Connection> conn);

 private:
  struct StoredToken {
    std::string request_digest;
    std::string profile_id;
  };

  // One attempt at Create in its own transaction. *raced is set when it
  // failed on a unique constraint another transaction won.
  Result<CreateProfileOutcome> CreateOnce(const CreateProfileRequest& request,
                                          postgres::PgError* raced) BP_REQUIRES(mu_);
  // Helpers run inside a transaction the caller holds.
  Result<std::optional<StoredToken>> FindToken(std::string_view token) BP_REQUIRES(mu_);
  Result<bool> Exists(std::string_view sql, std::string_view key) BP_REQUIRES(mu_);
  Result<std::optional<ProfileRecord>> LoadProfile(std::string_view id, bool for_update)
      BP_REQUIRES(mu_);
  Status InsertProfile(const ProfileRecord& profile, postgres::PgError* error) BP_REQUIRES(mu_);
  Status WriteTagChanges(std::string_view id, const Tags& before, const Tags& after)
      BP_REQUIRES(mu_);

  const std::string display_name_;
  Mutex mu_;
  const std::unique_ptr<postgres::Connection> conn_ BP_PT_GUARDED_BY(mu_);
};

}  // namespace bp::storage
