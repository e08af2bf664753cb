#include "storage/sqlite/sqlite_db.h"

#include <string>
#include <utility>

#include <sqlite3.h>

namespace bp::storage::sqlite {

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& path,
                                                 std::chrono::milliseconds busy_timeout) {
  return OpenWith(path, busy_timeout, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
}

Status Database::EnableWal() {
  BP_ASSIGN_OR_RETURN(std::string mode,
                      QueryText("PRAGMA journal_mode = WAL", "enabling WAL journal mode"));
  if (mode != "wal") {
    return IoError("database " + path_.string() +
                   ": cannot enable WAL journal mode (the file system gave '" + mode + "')");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Database>> Database::OpenReadOnly(const std::filesystem::path& path,
                                                         std::chrono::milliseconds busy_timeout) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return NotFoundError("database " + path.string() + " does not exist");
  }
  return OpenWith(path, busy_timeout, SQLITE_OPEN_READONLY);
}

Result<std::unique_ptr<Database>> Database::OpenWith(const std::filesystem::path& path,
                                                     std::chrono::milliseconds busy_timeout,
                                                     int flags) {
  sqlite3* db = nullptr;
  flags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);  // a handle may be returned even on failure; null is a no-op
    return IoError("database " + path.string() + ": cannot open: " + message);
  }
  auto database = std::make_unique<Database>(Passkey{}, db, path);
  sqlite3_extended_result_codes(db, 1);
  const int timeout_ms = static_cast<int>(busy_timeout.count());
  if (int busy_rc = sqlite3_busy_timeout(db, timeout_ms); busy_rc != SQLITE_OK) {
    return database->Error(busy_rc, "setting the busy timeout");
  }
  return database;
}

Database::Database(Passkey, sqlite3* db, std::filesystem::path path)
    : db_(db), path_(std::move(path)) {}

Database::~Database() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Database::Exec(const std::string& sql, std::string_view context) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, context);
  return Status::Ok();
}

int Database::CachedStatement(std::string_view sql, sqlite3_stmt** stmt) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* fresh = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &fresh, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(fresh);
      return rc;
    }
    it = statements_.emplace(std::string(sql), fresh).first;
  }
  *stmt = it->second;
  return SQLITE_OK;
}

Result<Query> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (int rc = CachedStatement(sql, &stmt); rc != SQLITE_OK) {
    return Error(rc, "preparing \"" + std::string(sql) + "\"");
  }
  return Query(*this, stmt);
}

Result<std::vector<std::string>> Database::QueryColumn(std::string_view sql,
                                                       std::string_view context, size_t max_rows) {
  sqlite3_stmt* stmt = nullptr;
  if (int rc = CachedStatement(sql, &stmt); rc != SQLITE_OK) return Error(rc, context);
  Query query(*this, stmt);
  std::vector<std::string> values;
  while (values.size() < max_rows) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Error(rc, context);
    values.push_back(query.Text(0));
  }
  return values;
}

Result<std::string> Database::QueryText(std::string_view sql, std::string_view context) {
  BP_ASSIGN_OR_RETURN(std::vector<std::string> values, QueryColumn(sql, context, 1));
  return values.empty() ? std::string() : std::move(values.front());
}

void Database::Rollback() noexcept {
  if (sqlite3_get_autocommit(db_) != 0) return;  // no transaction open
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

bool Database::IsReadOnly() const { return sqlite3_db_readonly(db_, "main") == 1; }

Status Database::Error(int rc, std::string_view context) const {
  // sqlite3_errmsg describes the connection's latest failure, which is `rc`
  // unless something else ran since; fall back to the generic text then.
  const bool latest = sqlite3_extended_errcode(db_) == rc;
  std::string message = "database " + path_.string() + ": " + std::string(context) + ": " +
                        (latest ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  const int primary = rc & 0xff;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return ConflictError(std::move(message));
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    message += " (another process is using the database)";
  }
  return IoError(std::move(message));
}

Query::Query(Query&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), bind_error_(std::move(other.bind_error_)) {
  other.stmt_ = nullptr;
}

Query::~Query() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Query::NoteBindResult(int rc, int index) {
  if (rc != SQLITE_OK && bind_error_.ok()) {
    bind_error_ = db_->Error(rc, "binding parameter " + std::to_string(index));
  }
}

Query& Query::Bind(int index, std::string_view text) {
  // A null data pointer would bind SQL NULL; an empty string must stay "".
  const char* data = text.data() != nullptr ? text.data() : "";
  NoteBindResult(
      sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
  return *this;
}

Query& Query::BindKept(int index, std::string_view text) {
  const char* data = text.data() != nullptr ? text.data() : "";
  NoteBindResult(sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8),
                 index);
  return *this;
}

Query& Query::BindBlob(int index, std::string_view bytes) {
  const char* data = bytes.data() != nullptr ? bytes.data() : "";
  NoteBindResult(sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT), index);
  return *this;
}

Query& Query::Bind(int index, int64_t value) {
  NoteBindResult(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Query& Query::BindOptional(int index, const std::optional<std::string>& text) {
  if (text.has_value()) return Bind(index, std::string_view(*text));
  NoteBindResult(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Result<bool> Query::Step() {
  if (!bind_error_.ok()) return bind_error_;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const char* sql = sqlite3_sql(stmt_);
  return db_->Error(rc, "running \"" + std::string(sql != nullptr ? sql : "?") + "\"");
}

Status Query::Run() {
  BP_ASSIGN_OR_RETURN(bool row, Step());
  (void)row;  // a row from a statement run for effect is ignored
  return Status::Ok();
}

std::string Query::Text(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return std::string();
  return std::string(data, static_cast<size_t>(size));
}

std::string_view Query::View(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return std::string_view();
  return std::string_view(data, static_cast<size_t>(size));
}

std::optional<std::string> Query::OptionalText(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return Text(column);
}

int64_t Query::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

Result<Transaction> Transaction::Begin(Database& db, Kind kind) {
  const std::string_view sql = kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN";
  BP_ASSIGN_OR_RETURN(Query begin, db.Prepare(sql));
  BP_RETURN_IF_ERROR(begin.Run());
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) db_->Rollback();
}

Status Transaction::Commit() {
  BP_ASSIGN_OR_RETURN(Query commit, db_->Prepare("COMMIT"));
  BP_RETURN_IF_ERROR(commit.Run());
  db_ = nullptr;
  return Status::Ok();
}

}  // namespace bp::storage::sqlite
