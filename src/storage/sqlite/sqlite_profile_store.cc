#include "storage/sqlite/sqlite_profile_store.h"

#include <algorithm>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "storage/profile_store_rules.h"
#include "storage/sqlite/dir_lock.h"
#include "storage/sqlite/migrations.h"
#include "storage/sqlite/sqlite_db.h"

namespace bp::storage {

using sqlite::Database;
using sqlite::DirLock;
using sqlite::Query;
using sqlite::Transaction;

namespace {

// The statements, compiled once per connection and cached (sqlite_db.h).
// Profile rows are always read in this column order (ReadProfileRow).
#define BP_PROFILE_COLUMNS "id, name, description, arn, source_arn, created_at_ms, updated_at_ms"
constexpr std::string_view kSelectProfile =
    "SELECT " BP_PROFILE_COLUMNS " FROM profiles WHERE id = ?1";
constexpr std::string_view kSelectAllProfiles =
    "SELECT " BP_PROFILE_COLUMNS " FROM profiles ORDER BY id";
constexpr std::string_view kInsertProfile =
    "INSERT INTO profiles(" BP_PROFILE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
#undef BP_PROFILE_COLUMNS

ProfileRecord ReadProfileRow(const Query& q) {
  return ProfileRecord{.id = q.Text(0),
                       .name = q.Text(1),
                       .description = q.OptionalText(2),
                       .arn = q.Text(3),
                       .source_arn = q.Text(4),
                       .model_arns = {},
                       .tags = {},
                       .created_at_ms = q.Int(5),
                       .updated_at_ms = q.Int(6)};
}

Status CreateStateDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot create state directory " + dir.string() + ": " + ec.message());
  if (!std::filesystem::is_directory(dir, ec)) {
    return IoError("state directory " + dir.string() + " is not a directory");
  }
  return Status::Ok();
}

// Per-connection settings; see docs/storage.md for why each one.
Status ConfigureConnection(Database& db) {
  BP_RETURN_IF_ERROR(db.EnableWal());
  BP_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL", "setting synchronous = FULL"));
  BP_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON", "enabling foreign keys"));
  BP_ASSIGN_OR_RETURN(std::string fk, db.QueryText("PRAGMA foreign_keys", "reading foreign_keys"));
  if (fk != "1") return IoError("database " + db.path().string() + ": foreign keys unsupported");
  if (db.IsReadOnly()) {
    return IoError("database " + db.path().string() + " is read-only; check its permissions");
  }
  return Status::Ok();
}

Status CheckIntegrity(Database& db) {
  // quick_check answers "ok", or findings: rows that may each hold several
  // lines, starting with a "*** in database main ***" heading.
  BP_ASSIGN_OR_RETURN(std::vector<std::string> rows,
                      db.QueryColumn("PRAGMA quick_check(3)", "checking database integrity", 4));
  if (rows.size() == 1 && rows[0] == "ok") return Status::Ok();
  std::string summary;
  for (const std::string& row : rows) {
    size_t start = 0;
    while (start <= row.size()) {
      size_t end = std::min(row.find('\n', start), row.size());
      std::string_view line(row.data() + start, end - start);
      if (!line.empty() && !line.starts_with("***")) {
        summary += (summary.empty() ? "" : "; ") + std::string(line);
      }
      start = end + 1;
    }
  }
  return IoError("database " + db.path().string() + " is damaged (" + summary +
                 "); restore it from a backup or move it aside");
}

}  // namespace

Result<std::unique_ptr<SqliteProfileStore>> SqliteProfileStore::Open(
    const std::filesystem::path& state_dir, Options options) {
  BP_RETURN_IF_ERROR(CreateStateDir(state_dir));
  std::unique_ptr<DirLock> lock;
  if (options.lock_state_dir) {
    BP_ASSIGN_OR_RETURN(DirLock held, DirLock::Acquire(state_dir / kLockFileName));
    lock = std::make_unique<DirLock>(std::move(held));
  }
  BP_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                      Database::Open(state_dir / kDatabaseFileName, options.busy_timeout));
  BP_RETURN_IF_ERROR(ConfigureConnection(*db));
  if (options.check_integrity_on_open) BP_RETURN_IF_ERROR(CheckIntegrity(*db));
  BP_RETURN_IF_ERROR(sqlite::ApplyMigrations(*db, sqlite::ProfileStoreMigrations()));
  // The directory entries of a new database, its WAL and the lock file must
  // survive power loss too; the parent holds the entry of a new state_dir.
  BP_RETURN_IF_ERROR(sqlite::SyncDirectory(state_dir));
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(state_dir, ec);
  if (!ec) BP_RETURN_IF_ERROR(sqlite::SyncDirectory(absolute.parent_path()));
  return std::make_unique<SqliteProfileStore>(Passkey{}, std::move(db), std::move(lock));
}

int SqliteProfileStore::SupportedSchemaVersion() {
  return sqlite::LatestVersion(sqlite::ProfileStoreMigrations());
}

SqliteProfileStore::SqliteProfileStore(Passkey, std::unique_ptr<Database> db,
                                       std::unique_ptr<DirLock> lock)
    : database_path_(db->path()), lock_(std::move(lock)), db_(std::move(db)) {}

SqliteProfileStore::~SqliteProfileStore() = default;

Result<CreateProfileOutcome> SqliteProfileStore::Create(const CreateProfileRequest& request) {
  BP_RETURN_IF_ERROR(ValidateCreateRequest(request));
  MutexLock lock(mu_);
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_, Transaction::Kind::kWrite));
  BP_ASSIGN_OR_RETURN(CreateProfileOutcome outcome, CreateLocked(request));
  BP_RETURN_IF_ERROR(txn.Commit());
  return outcome;
}

Result<CreateProfileOutcome> SqliteProfileStore::CreateLocked(const CreateProfileRequest& request) {
  const ProfileRecord& profile = request.profile;
  if (!request.client_token.empty()) {
    BP_ASSIGN_OR_RETURN(std::optional<StoredToken> stored, FindToken(request.client_token));
    if (stored.has_value()) {
      BP_RETURN_IF_ERROR(CheckTokenReuse(request, stored->request_digest));
      BP_ASSIGN_OR_RETURN(std::optional<ProfileRecord> original, LoadProfile(stored->profile_id));
      if (!original.has_value()) {
        return TokenOfDeletedProfileError(request.client_token, stored->profile_id);
      }
      return CreateProfileOutcome{.profile = std::move(*original), .replayed = true};
    }
  }
  BP_ASSIGN_OR_RETURN(bool id_taken, Exists("SELECT 1 FROM profiles WHERE id = ?1", profile.id));
  if (id_taken) return IdTakenError(profile.id);
  BP_ASSIGN_OR_RETURN(bool name_taken,
                      Exists("SELECT 1 FROM profiles WHERE name = ?1", profile.name));
  if (name_taken) return NameTakenError(profile.name);
  BP_RETURN_IF_ERROR(InsertProfile(profile));
  if (!request.client_token.empty()) BP_RETURN_IF_ERROR(InsertToken(request));
  return CreateProfileOutcome{.profile = profile, .replayed = false};
}

Result<std::optional<SqliteProfileStore::StoredToken>> SqliteProfileStore::FindToken(
    std::string_view token) {
  BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT request_digest, profile_id FROM "
                                            "idempotency_tokens WHERE token = ?1"));
  q.Bind(1, token);
  BP_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<StoredToken>();
  return std::optional<StoredToken>(StoredToken{q.Text(0), q.Text(1)});
}

Result<bool> SqliteProfileStore::Exists(std::string_view sql, std::string_view key) {
  BP_ASSIGN_OR_RETURN(Query q, db_->Prepare(sql));
  q.Bind(1, key);
  return q.Step();
}

Result<std::optional<ProfileRecord>> SqliteProfileStore::LoadProfile(std::string_view id) {
  std::optional<ProfileRecord> profile;
  {
    BP_ASSIGN_OR_RETURN(Query q, db_->Prepare(kSelectProfile));
    q.Bind(1, id);
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return profile;
    profile = ReadProfileRow(q);
  }
  {
    BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT model_arn FROM profile_models "
                                              "WHERE profile_id = ?1 ORDER BY ord"));
    q.Bind(1, id);
    for (;;) {
      BP_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      profile->model_arns.push_back(q.Text(0));
    }
  }
  BP_ASSIGN_OR_RETURN(Query q,
                      db_->Prepare("SELECT key, value FROM profile_tags WHERE profile_id = ?1"));
  q.Bind(1, id);
  for (;;) {
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    profile->tags.insert_or_assign(q.Text(0), q.Text(1));
  }
  return profile;
}

Status SqliteProfileStore::InsertProfile(const ProfileRecord& p) {
  {
    BP_ASSIGN_OR_RETURN(Query q, db_->Prepare(kInsertProfile));
    BP_RETURN_IF_ERROR(q.Bind(1, p.id)
                           .Bind(2, p.name)
                           .BindOptional(3, p.description)
                           .Bind(4, p.arn)
                           .Bind(5, p.source_arn)
                           .Bind(6, p.created_at_ms)
                           .Bind(7, p.updated_at_ms)
                           .Run());
  }
  for (size_t i = 0; i < p.model_arns.size(); ++i) {
    BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("INSERT INTO profile_models(profile_id, ord, "
                                              "model_arn) VALUES (?1, ?2, ?3)"));
    BP_RETURN_IF_ERROR(
        q.Bind(1, p.id).Bind(2, static_cast<int64_t>(i)).Bind(3, p.model_arns[i]).Run());
  }
  return WriteTagChanges(p.id, Tags(), p.tags);
}

Status SqliteProfileStore::InsertToken(const CreateProfileRequest& request) {
  BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("INSERT INTO idempotency_tokens(token, "
                                            "request_digest, profile_id, created_at_ms) "
                                            "VALUES (?1, ?2, ?3, ?4)"));
  return q.Bind(1, request.client_token)
      .Bind(2, request.request_digest)
      .Bind(3, request.profile.id)
      .Bind(4, request.profile.created_at_ms)
      .Run();
}

Status SqliteProfileStore::WriteTagChanges(std::string_view id, const Tags& before,
                                           const Tags& after) {
  for (const TagChange& change : DiffTags(before, after)) {
    if (!change.new_value) {
      BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("DELETE FROM profile_tags "
                                                "WHERE profile_id = ?1 AND key = ?2"));
      BP_RETURN_IF_ERROR(q.Bind(1, id).Bind(2, change.key).Run());
      continue;
    }
    BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("INSERT INTO profile_tags(profile_id, key, value) "
                                              "VALUES (?1, ?2, ?3) ON CONFLICT(profile_id, key) "
                                              "DO UPDATE SET value = excluded.value"));
    BP_RETURN_IF_ERROR(q.Bind(1, id).Bind(2, change.key).Bind(3, *change.new_value).Run());
  }
  return Status::Ok();
}

Result<ProfileRecord> SqliteProfileStore::Get(std::string_view id) {
  MutexLock lock(mu_);
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_, Transaction::Kind::kRead));
  BP_ASSIGN_OR_RETURN(std::optional<ProfileRecord> profile, LoadProfile(id));
  BP_RETURN_IF_ERROR(txn.Commit());
  if (!profile.has_value()) return ProfileNotFoundError(id);
  return std::move(*profile);
}

Result<std::vector<ProfileRecord>> SqliteProfileStore::List() {
  MutexLock lock(mu_);
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_, Transaction::Kind::kRead));
  std::vector<ProfileRecord> profiles;
  std::unordered_map<std::string, size_t> index;
  {
    BP_ASSIGN_OR_RETURN(Query q, db_->Prepare(kSelectAllProfiles));
    for (;;) {
      BP_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      profiles.push_back(ReadProfileRow(q));
      index.emplace(profiles.back().id, profiles.size() - 1);
    }
  }
  {
    BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT profile_id, model_arn FROM profile_models "
                                              "ORDER BY profile_id, ord"));
    for (;;) {
      BP_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      auto it = index.find(q.Text(0));
      if (it != index.end()) profiles[it->second].model_arns.push_back(q.Text(1));
    }
  }
  {
    BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT profile_id, key, value FROM profile_tags"));
    for (;;) {
      BP_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      auto it = index.find(q.Text(0));
      if (it != index.end()) profiles[it->second].tags.insert_or_assign(q.Text(1), q.Text(2));
    }
  }
  BP_RETURN_IF_ERROR(txn.Commit());
  return profiles;
}

Status SqliteProfileStore::Delete(std::string_view id) {
  MutexLock lock(mu_);
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_, Transaction::Kind::kWrite));
  {
    // Models and tags go by ON DELETE CASCADE; the idempotency token stays.
    BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("DELETE FROM profiles WHERE id = ?1"));
    BP_RETURN_IF_ERROR(q.Bind(1, id).Run());
  }
  if (db_->Changes() == 0) return ProfileNotFoundError(id);
  return txn.Commit();
}

Result<ProfileRecord> SqliteProfileStore::UpdateTags(std::string_view id, const Tags& upsert,
                                                     const std::vector<std::string>& remove,
                                                     size_t max_tags, int64_t now_ms) {
  MutexLock lock(mu_);
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_, Transaction::Kind::kWrite));
  BP_ASSIGN_OR_RETURN(std::optional<ProfileRecord> profile, LoadProfile(id));
  if (!profile.has_value()) return ProfileNotFoundError(id);
  BP_ASSIGN_OR_RETURN(Tags tags, ApplyTagChanges(profile->tags, upsert, remove, max_tags));
  BP_RETURN_IF_ERROR(WriteTagChanges(id, profile->tags, tags));
  {
    BP_ASSIGN_OR_RETURN(Query q,
                        db_->Prepare("UPDATE profiles SET updated_at_ms = ?2 WHERE id = ?1"));
    BP_RETURN_IF_ERROR(q.Bind(1, id).Bind(2, now_ms).Run());
  }
  BP_RETURN_IF_ERROR(txn.Commit());
  profile->tags = std::move(tags);
  profile->updated_at_ms = now_ms;
  return std::move(*profile);
}

}  // namespace bp::storage
