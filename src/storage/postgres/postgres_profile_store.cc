#include "storage/postgres/postgres_profile_store.h"

#include <unordered_map>
#include <utility>

#include "storage/postgres/migrations.h"
#include "storage/postgres/pg_conn.h"
#include "storage/profile_store_rules.h"

namespace bp::storage {

using postgres::Connection;
using postgres::Params;
using postgres::PgError;
using postgres::Rows;
using postgres::Transaction;

namespace {

// Profile rows are always read in this column order (ReadProfileRow).
#define BP_PROFILE_COLUMNS "id, name, description, arn, source_arn, created_at_ms, updated_at_ms"
constexpr std::string_view kSelectProfile =
    "SELECT " BP_PROFILE_COLUMNS " FROM profiles WHERE id = $1";
constexpr std::string_view kSelectProfileForUpdate =
    "SELECT " BP_PROFILE_COLUMNS " FROM profiles WHERE id = $1 FOR UPDATE";
constexpr std::string_view kSelectAllProfiles =
    "SELECT " BP_PROFILE_COLUMNS " FROM profiles ORDER BY id";
constexpr std::string_view kInsertProfile =
    "INSERT INTO profiles(" BP_PROFILE_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7)";
#undef BP_PROFILE_COLUMNS

constexpr std::string_view kUniqueViolation = "23505";
// A Create that lost a race runs again to answer as the second comer. Each
// further loss needs yet another concurrent writer of the same key to
// commit in between, so a few attempts suffice.
constexpr int kCreateAttempts = 4;
// The first connect, at start-up, may wait for a slow server; reconnects
// wait Options::reconnect_timeout_s.
constexpr int kFirstConnectTimeoutSeconds = 10;

ProfileRecord ReadProfileRow(const Rows& rows, int row) {
  return ProfileRecord{.id = rows.Bytes(row, 0),
                       .name = rows.Bytes(row, 1),
                       .description = rows.OptionalBytes(row, 2),
                       .arn = rows.Bytes(row, 3),
                       .source_arn = rows.Bytes(row, 4),
                       .model_arns = {},
                       .tags = {},
                       .created_at_ms = rows.Int(row, 5),
                       .updated_at_ms = rows.Int(row, 6)};
}

// Inside the writer's transaction: delivered to every listener when (and
// only if) it commits, after the change is visible to their next read.
Status NotifyChange(Connection& conn, std::string_view id) {
  return conn
      .Exec("SELECT count(*) FROM (SELECT pg_notify($1, $2)) n",  // void: no binary output
            Params().Text(PostgresProfileStore::kChangeChannel).Text(id), "notifying the change")
      .status();
}

}  // namespace

Result<std::unique_ptr<PostgresProfileStore>> PostgresProfileStore::Open(
    std::string_view conninfo) {
  return Open(conninfo, Options());
}

Result<std::unique_ptr<PostgresProfileStore>> PostgresProfileStore::Open(std::string_view conninfo,
                                                                         const Options& options) {
  BP_ASSIGN_OR_RETURN(
      std::unique_ptr<Connection> conn,
      Connection::Open(conninfo, kFirstConnectTimeoutSeconds, options.reconnect_timeout_s));
  BP_RETURN_IF_ERROR(postgres::ApplyMigrations(*conn, postgres::ProfileStoreMigrations()));
  return std::make_unique<PostgresProfileStore>(Passkey{}, std::move(conn), options);
}

int PostgresProfileStore::SupportedSchemaVersion() {
  return postgres::LatestVersion(postgres::ProfileStoreMigrations());
}

PostgresProfileStore::PostgresProfileStore(Passkey, std::unique_ptr<Connection> conn,
                                           const Options& options)
    : display_name_(conn->display_name()),
      options_(options),
      health_(conn->display_name(), options.clock),
      conn_(std::move(conn)) {}

PostgresProfileStore::~PostgresProfileStore() = default;

std::chrono::steady_clock::time_point PostgresProfileStore::SteadyNow() const {
  return options_.clock != nullptr ? options_.clock->SteadyNow() : std::chrono::steady_clock::now();
}

Status PostgresProfileStore::Admit(Call call) {
  if (!next_attempt_.has_value()) return Status::Ok();
  // The listener reconnecting is news the interval need not wait for.
  if (health_.reachable() || SteadyNow() >= *next_attempt_) return Status::Ok();
  return UnavailableError(call, /*commit_in_doubt=*/false);
}

Status PostgresProfileStore::Settle(Status status, Call call) {
  const bool in_doubt = std::exchange(commit_in_doubt_, false);
  if (status.ok() || !conn_->lost()) {
    // The server answered, a refusal included: it is reachable.
    next_attempt_.reset();
    health_.ReportReachable();
    return status;
  }
  // A refusal decided before the connection went (a conflict found, then
  // the rollback lost) keeps its code; only the database's own failure
  // is the database being unreachable.
  if (status.code() != ErrorCode::kIo) return status;
  last_reason_ = conn_->error_message();
  if (last_reason_.empty()) last_reason_ = "connection lost";
  next_attempt_ = SteadyNow() + options_.reconnect_interval;
  health_.ReportUnreachable(last_reason_);
  return UnavailableError(call, in_doubt);
}

Status PostgresProfileStore::UnavailableError(Call call, bool commit_in_doubt) const {
  if (commit_in_doubt) {
    return Status(ErrorCode::kServiceUnavailable,
                  "profiles database " + display_name_ + " was lost while committing (" +
                      last_reason_ +
                      "); the change may have been made: check before trying again (a "
                      "CreateInferenceProfile retried with its clientRequestToken is "
                      "replayed, not made twice)");
  }
  std::string message = "profiles database " + display_name_ + " is unreachable (" + last_reason_ +
                        ")" + (call == Call::kWrite ? "; the change was not made" : "") +
                        "; try again";
  return Status(ErrorCode::kServiceUnavailable, std::move(message));
}

Status PostgresProfileStore::CommitWrite(Transaction& txn) {
  Status committed = txn.Commit();
  // Sent, and the connection went before the answer came: the server may
  // have committed.
  if (!committed.ok() && conn_->lost()) commit_in_doubt_ = true;
  return committed;
}

Result<CreateProfileOutcome> PostgresProfileStore::Create(const CreateProfileRequest& request) {
  BP_RETURN_IF_ERROR(ValidateCreateRequest(request));
  MutexLock lock(mu_);
  BP_RETURN_IF_ERROR(Admit(Call::kWrite));
  return Settle(CreateLocked(request), Call::kWrite);
}

Result<CreateProfileOutcome> PostgresProfileStore::CreateLocked(
    const CreateProfileRequest& request) {
  PgError raced;
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    raced = PgError();
    Result<CreateProfileOutcome> outcome = CreateOnce(request, &raced);
    if (outcome.ok() || raced.sqlstate != kUniqueViolation) return outcome;
  }
  // Still losing: answer from the constraint that refused the last attempt.
  if (raced.constraint == "profiles_pkey") return IdTakenError(request.profile.id);
  if (raced.constraint == "profiles_name_key") return NameTakenError(request.profile.name);
  return ConflictError("clientRequestToken " + request.client_token +
                       " is being used by a concurrent request; retry");
}

Result<CreateProfileOutcome> PostgresProfileStore::CreateOnce(const CreateProfileRequest& request,
                                                              PgError* raced) {
  const ProfileRecord& profile = request.profile;
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*conn_));
  if (!request.client_token.empty()) {
    BP_ASSIGN_OR_RETURN(std::optional<StoredToken> stored, FindToken(request.client_token));
    if (stored.has_value()) {
      BP_RETURN_IF_ERROR(CheckTokenReuse(request, stored->request_digest));
      BP_ASSIGN_OR_RETURN(std::optional<ProfileRecord> original,
                          LoadProfile(stored->profile_id, /*for_update=*/false));
      if (!original.has_value()) {
        return TokenOfDeletedProfileError(request.client_token, stored->profile_id);
      }
      BP_RETURN_IF_ERROR(txn.Commit());
      return CreateProfileOutcome{.profile = std::move(*original), .replayed = true};
    }
  }
  BP_ASSIGN_OR_RETURN(bool id_taken, Exists("SELECT 1 FROM profiles WHERE id = $1", profile.id));
  if (id_taken) return IdTakenError(profile.id);
  BP_ASSIGN_OR_RETURN(bool name_taken,
                      Exists("SELECT 1 FROM profiles WHERE name = $1", profile.name));
  if (name_taken) return NameTakenError(profile.name);
  // A concurrent transaction's uncommitted row is invisible above; the
  // insert waits for it and fails with unique_violation if it commits.
  BP_RETURN_IF_ERROR(InsertProfile(profile, raced));
  if (!request.client_token.empty()) {
    BP_RETURN_IF_ERROR(conn_
                           ->Exec("INSERT INTO idempotency_tokens(token, request_digest, "
                                  "profile_id, created_at_ms) VALUES ($1, $2, $3, $4)",
                                  Params()
                                      .Text(request.client_token)
                                      .Text(request.request_digest)
                                      .Text(profile.id)
                                      .Int(profile.created_at_ms),
                                  "recording the idempotency token", raced)
                           .status());
  }
  BP_RETURN_IF_ERROR(NotifyChange(*conn_, profile.id));
  BP_RETURN_IF_ERROR(CommitWrite(txn));
  return CreateProfileOutcome{.profile = profile, .replayed = false};
}

Result<std::optional<PostgresProfileStore::StoredToken>> PostgresProfileStore::FindToken(
    std::string_view token) {
  BP_ASSIGN_OR_RETURN(Rows rows, conn_->Exec("SELECT request_digest, profile_id FROM "
                                             "idempotency_tokens WHERE token = $1",
                                             Params().Text(token), "reading a token"));
  if (rows.size() == 0) return std::optional<StoredToken>();
  return std::optional<StoredToken>(StoredToken{rows.Bytes(0, 0), rows.Bytes(0, 1)});
}

Result<bool> PostgresProfileStore::Exists(std::string_view sql, std::string_view key) {
  BP_ASSIGN_OR_RETURN(Rows rows, conn_->Exec(sql, Params().Text(key), "checking a profile"));
  return rows.size() > 0;
}

Result<std::optional<ProfileRecord>> PostgresProfileStore::LoadProfile(std::string_view id,
                                                                       bool for_update) {
  std::optional<ProfileRecord> profile;
  {
    BP_ASSIGN_OR_RETURN(Rows rows,
                        conn_->Exec(for_update ? kSelectProfileForUpdate : kSelectProfile,
                                    Params().Text(id), "reading a profile"));
    if (rows.size() == 0) return profile;
    profile = ReadProfileRow(rows, 0);
  }
  {
    BP_ASSIGN_OR_RETURN(Rows rows, conn_->Exec("SELECT model_arn FROM profile_models "
                                               "WHERE profile_id = $1 ORDER BY ord",
                                               Params().Text(id), "reading a profile's models"));
    for (int i = 0; i < rows.size(); ++i) profile->model_arns.push_back(rows.Bytes(i, 0));
  }
  BP_ASSIGN_OR_RETURN(Rows rows,
                      conn_->Exec("SELECT key, value FROM profile_tags WHERE profile_id = $1",
                                  Params().Text(id), "reading a profile's tags"));
  for (int i = 0; i < rows.size(); ++i) {
    profile->tags.insert_or_assign(rows.Bytes(i, 0), rows.Bytes(i, 1));
  }
  return profile;
}

Status PostgresProfileStore::InsertProfile(const ProfileRecord& p, PgError* error) {
  BP_RETURN_IF_ERROR(conn_
                         ->Exec(kInsertProfile,
                                Params()
                                    .Text(p.id)
                                    .Text(p.name)
                                    .OptionalBytes(p.description)
                                    .Text(p.arn)
                                    .Text(p.source_arn)
                                    .Int(p.created_at_ms)
                                    .Int(p.updated_at_ms),
                                "inserting a profile", error)
                         .status());
  for (size_t i = 0; i < p.model_arns.size(); ++i) {
    BP_RETURN_IF_ERROR(
        conn_
            ->Exec("INSERT INTO profile_models(profile_id, ord, model_arn) "
                   "VALUES ($1, $2, $3)",
                   Params().Text(p.id).Int(static_cast<int64_t>(i)).Text(p.model_arns[i]),
                   "inserting a profile's models")
            .status());
  }
  return WriteTagChanges(p.id, Tags(), p.tags);
}

Status PostgresProfileStore::WriteTagChanges(std::string_view id, const Tags& before,
                                             const Tags& after) {
  for (const TagChange& change : DiffTags(before, after)) {
    if (!change.new_value) {
      BP_RETURN_IF_ERROR(conn_
                             ->Exec("DELETE FROM profile_tags WHERE profile_id = $1 AND key = $2",
                                    Params().Text(id).Bytes(change.key), "removing a tag")
                             .status());
      continue;
    }
    BP_RETURN_IF_ERROR(conn_
                           ->Exec("INSERT INTO profile_tags(profile_id, key, value) "
                                  "VALUES ($1, $2, $3) ON CONFLICT (profile_id, key) "
                                  "DO UPDATE SET value = excluded.value",
                                  Params().Text(id).Bytes(change.key).Bytes(*change.new_value),
                                  "writing a tag")
                           .status());
  }
  return Status::Ok();
}

Result<ProfileRecord> PostgresProfileStore::Get(std::string_view id) {
  MutexLock lock(mu_);
  BP_RETURN_IF_ERROR(Admit(Call::kRead));
  return Settle(GetLocked(id), Call::kRead);
}

Result<ProfileRecord> PostgresProfileStore::GetLocked(std::string_view id) {
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*conn_, Transaction::Kind::kRead));
  BP_ASSIGN_OR_RETURN(std::optional<ProfileRecord> profile, LoadProfile(id, false));
  BP_RETURN_IF_ERROR(txn.Commit());
  if (!profile.has_value()) return ProfileNotFoundError(id);
  return std::move(*profile);
}

Result<std::vector<ProfileRecord>> PostgresProfileStore::List() {
  MutexLock lock(mu_);
  BP_RETURN_IF_ERROR(Admit(Call::kRead));
  return Settle(ListLocked(), Call::kRead);
}

Result<std::vector<ProfileRecord>> PostgresProfileStore::ListLocked() {
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*conn_, Transaction::Kind::kRead));
  std::vector<ProfileRecord> profiles;
  std::unordered_map<std::string, size_t> index;
  {
    BP_ASSIGN_OR_RETURN(Rows rows, conn_->Exec(kSelectAllProfiles, "listing profiles"));
    profiles.reserve(static_cast<size_t>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
      profiles.push_back(ReadProfileRow(rows, i));
      index.emplace(profiles.back().id, profiles.size() - 1);
    }
  }
  {
    BP_ASSIGN_OR_RETURN(Rows rows, conn_->Exec("SELECT profile_id, model_arn FROM profile_models "
                                               "ORDER BY profile_id, ord",
                                               "listing profiles' models"));
    for (int i = 0; i < rows.size(); ++i) {
      auto it = index.find(rows.Bytes(i, 0));
      if (it != index.end()) profiles[it->second].model_arns.push_back(rows.Bytes(i, 1));
    }
  }
  {
    BP_ASSIGN_OR_RETURN(Rows rows, conn_->Exec("SELECT profile_id, key, value FROM profile_tags",
                                               "listing profiles' tags"));
    for (int i = 0; i < rows.size(); ++i) {
      auto it = index.find(rows.Bytes(i, 0));
      if (it != index.end()) {
        profiles[it->second].tags.insert_or_assign(rows.Bytes(i, 1), rows.Bytes(i, 2));
      }
    }
  }
  BP_RETURN_IF_ERROR(txn.Commit());
  return profiles;
}

Status PostgresProfileStore::Delete(std::string_view id) {
  MutexLock lock(mu_);
  BP_RETURN_IF_ERROR(Admit(Call::kWrite));
  return Settle(DeleteLocked(id), Call::kWrite);
}

Status PostgresProfileStore::DeleteLocked(std::string_view id) {
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*conn_));
  // Models and tags go by ON DELETE CASCADE; the idempotency token stays.
  BP_ASSIGN_OR_RETURN(Rows rows, conn_->Exec("DELETE FROM profiles WHERE id = $1",
                                             Params().Text(id), "deleting a profile"));
  if (rows.AffectedRows() == 0) return ProfileNotFoundError(id);
  BP_RETURN_IF_ERROR(NotifyChange(*conn_, id));
  return CommitWrite(txn);
}

Result<ProfileRecord> PostgresProfileStore::UpdateTags(std::string_view id, const Tags& upsert,
                                                       const std::vector<std::string>& remove,
                                                       size_t max_tags, int64_t now_ms) {
  MutexLock lock(mu_);
  BP_RETURN_IF_ERROR(Admit(Call::kWrite));
  return Settle(UpdateTagsLocked(id, upsert, remove, max_tags, now_ms), Call::kWrite);
}

Result<ProfileRecord> PostgresProfileStore::UpdateTagsLocked(std::string_view id,
                                                             const Tags& upsert,
                                                             const std::vector<std::string>& remove,
                                                             size_t max_tags, int64_t now_ms) {
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*conn_));
  // FOR UPDATE: another instance's update of this profile waits for ours,
  // then reads the tags we leave.
  BP_ASSIGN_OR_RETURN(std::optional<ProfileRecord> profile, LoadProfile(id, /*for_update=*/true));
  if (!profile.has_value()) return ProfileNotFoundError(id);
  BP_ASSIGN_OR_RETURN(Tags tags, ApplyTagChanges(profile->tags, upsert, remove, max_tags));
  BP_RETURN_IF_ERROR(WriteTagChanges(id, profile->tags, tags));
  BP_RETURN_IF_ERROR(conn_
                         ->Exec("UPDATE profiles SET updated_at_ms = $2 WHERE id = $1",
                                Params().Text(id).Int(now_ms), "updating a profile")
                         .status());
  BP_RETURN_IF_ERROR(NotifyChange(*conn_, id));
  BP_RETURN_IF_ERROR(CommitWrite(txn));
  profile->tags = std::move(tags);
  profile->updated_at_ms = now_ms;
  return std::move(*profile);
}

}  // namespace bp::storage
