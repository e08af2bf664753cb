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
// the next call's BEGIN, before anything of that call was sent. Errors follow
// ProfileStore; messages name the database by its connection string without
// the password. A call that fails because the database cannot be reached
// (the reconnect failed, or the connection was lost midway) is
// kServiceUnavailable (503 ServiceUnavailableException, its message shown):
//   "profiles database postgresql://bp@db:5432/profiles is unreachable
//    (<libpq's reason>); the change was not made; try again"
// or, when the connection was lost with the COMMIT sent and unanswered,
//   "... was lost while committing (...); the change may have been made: ..."
// Then, for Options::reconnect_interval, calls fail the same way at once
// without trying (unless the listener reports the database reachable again
// through health()); the next call tries one reconnect, which waits at most
// Options::reconnect_timeout_s. Other database errors stay kIo.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "storage/postgres/database_health.h"
#include "storage/profile_store.h"

namespace bp::storage {

namespace postgres {
class Connection;
class Transaction;
struct PgError;
}  // namespace postgres

class PostgresProfileStore final : public ProfileStore {
 public:
  struct Options {
    // After a call found the database unreachable, calls fail at once for
    // this long before the next one tries to reconnect.
    std::chrono::milliseconds reconnect_interval{1000};
    // How long one reconnect waits for the server (libpq's connect_timeout,
    // whose minimum is 2), unless the connection string sets connect_timeout.
    // The first connect, in Open, waits 10 s.
    int reconnect_timeout_s = 2;
    // Steady time for the interval, wall time for health(); the system
    // clocks when null. Must outlive the store.
    const Clock* clock = nullptr;
  };

  // Connects to `conninfo` (a postgresql:// URL or libpq key=value string;
  // what the string leaves out comes from the standard PG* environment
  // variables) and brings the schema up to date under an advisory lock.
  // Errors, all kIo:
  //   "cannot connect to PostgreSQL at postgresql://user@host:port/db: ..."
  //   "database ... has schema version N; this bedrock-profiles knows up to M ..."
  //   a migration step that fails (nothing of it is applied).
  static Result<std::unique_ptr<PostgresProfileStore>> Open(std::string_view conninfo);
  static Result<std::unique_ptr<PostgresProfileStore>> Open(std::string_view conninfo,
                                                            const Options& options);

  // The schema version this binary creates and understands.
  static int SupportedSchemaVersion();

  // The LISTEN/NOTIFY channel of profile changes.
  static constexpr std::string_view kChangeChannel = "bp_profiles";

  ~PostgresProfileStore() override;
  PostgresProfileStore(const PostgresProfileStore&) = delete;
  PostgresProfileStore& operator=(const PostgresProfileStore&) = delete;

  // The connection string without its password, as messages show it.
  const std::string& display_name() const { return display_name_; }

  // Whether the database is reachable, as this store's calls (and whoever
  // else reports to it: serve's listener) last found it. Never blocks.
  DatabaseHealth& health() { return health_; }

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
  PostgresProfileStore(Passkey, std::unique_ptr<postgres::Connection> conn, const Options& options);

 private:
  // Whether a call reads or writes, for the words of its unavailable error.
  enum class Call : uint8_t { kRead, kWrite };
  struct StoredToken {
    std::string request_digest;
    std::string profile_id;
  };

  // The calls, under the mutex (Admit and Settle around them).
  Result<CreateProfileOutcome> CreateLocked(const CreateProfileRequest& request) BP_REQUIRES(mu_);
  Result<ProfileRecord> GetLocked(std::string_view id) BP_REQUIRES(mu_);
  Result<std::vector<ProfileRecord>> ListLocked() BP_REQUIRES(mu_);
  Status DeleteLocked(std::string_view id) BP_REQUIRES(mu_);
  Result<ProfileRecord> UpdateTagsLocked(std::string_view id, const Tags& upsert,
                                         const std::vector<std::string>& remove, size_t max_tags,
                                         int64_t now_ms) BP_REQUIRES(mu_);
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
  // A write's COMMIT; notes when it went unanswered on a lost connection.
  Status CommitWrite(postgres::Transaction& txn) BP_REQUIRES(mu_);

  // Before a call: unavailable at once while the reconnect interval runs.
  Status Admit(Call call) BP_REQUIRES(mu_);
  // After it: a kIo on a lost connection becomes kServiceUnavailable and
  // starts the interval; any answer from the server ends it.
  Status Settle(Status status, Call call) BP_REQUIRES(mu_);
  template <class T>
  Result<T> Settle(Result<T> result, Call call) BP_REQUIRES(mu_) {
    if (result.ok()) {
      (void)Settle(Status::Ok(), call);
      return result;
    }
    return Settle(result.status(), call);
  }
  Status UnavailableError(Call call, bool commit_in_doubt) const BP_REQUIRES(mu_);
  std::chrono::steady_clock::time_point SteadyNow() const;

  const std::string display_name_;
  const Options options_;
  DatabaseHealth health_;
  Mutex mu_;
  const std::unique_ptr<postgres::Connection> conn_ BP_PT_GUARDED_BY(mu_);
  // Set while calls fail at once: when the next may try to reconnect.
  std::optional<std::chrono::steady_clock::time_point> next_attempt_ BP_GUARDED_BY(mu_);
  std::string last_reason_ BP_GUARDED_BY(mu_);  // libpq's, of the last failure
  bool commit_in_doubt_ BP_GUARDED_BY(mu_) = false;
};

}  // namespace bp::storage
