#pragma once
// Thin RAII wrappers over the SQLite C API that turn its result codes into
// Status values: a connection with a prepared-statement cache, a scoped
// statement use, and a scoped transaction. Private to storage/sqlite.
//
// Not thread-safe: the owner (SqliteProfileStore, SqliteLedger) serializes every use of a
// Database and of the Query/Transaction objects made from it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace bp::storage::sqlite {

class Query;

// One open connection to a database file.
class Database final {
 public:
  // Opens (creating if absent) the database file at `path` read-write with
  // extended result codes and the given busy timeout. kIo on failure. Opening
  // does not read the file, so a damaged file is detected by the first query.
  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path& path,
                                                std::chrono::milliseconds busy_timeout);
  // Opens an existing database file read-only (kNotFound when there is
  // none); a reader beside a writer in WAL mode.
  static Result<std::unique_ptr<Database>> OpenReadOnly(const std::filesystem::path& path,
                                                        std::chrono::milliseconds busy_timeout);
  ~Database();  // finalizes cached statements and closes the connection
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL text (one or more statements) that takes no parameters and
  // whose rows, if any, are discarded. `context` says what for, in errors.
  Status Exec(const std::string& sql, std::string_view context);

  // The cached prepared statement for `sql`, ready to bind. kIo if `sql`
  // does not compile (including when the file is not a database).
  Result<Query> Prepare(std::string_view sql);

  // Runs a query and returns the first column of its first row as text
  // (empty if no row). For PRAGMAs and single-value lookups. Errors name
  // `context` ("enabling WAL journal mode") rather than the SQL.
  Result<std::string> QueryText(std::string_view sql, std::string_view context);
  // The first column of up to `max_rows` rows, as text.
  Result<std::vector<std::string>> QueryColumn(std::string_view sql, std::string_view context,
                                               size_t max_rows);

  // Switches the file to WAL journal mode; kIo naming the file when the file
  // system does not allow it.
  Status EnableWal();

  // Rolls back the open transaction, if any, ignoring failures (SQLite may
  // already have rolled back after some errors). Never throws.
  void Rollback() noexcept;

  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;
  bool IsReadOnly() const;

  // The Status for SQLite result code `rc`: kConflict for a UNIQUE or
  // PRIMARY KEY violation, else kIo; the message names the database file,
  // `context` and SQLite's own message.
  Status Error(int rc, std::string_view context) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  struct Passkey {};

 public:
  Database(Passkey, sqlite3* db, std::filesystem::path path);

 private:
  static Result<std::unique_ptr<Database>> OpenWith(const std::filesystem::path& path,
                                                    std::chrono::milliseconds busy_timeout,
                                                    int flags);
  // The cached statement for `sql`, compiling it on first use; an SQLite
  // result code on failure.
  int CachedStatement(std::string_view sql, sqlite3_stmt** stmt);

  sqlite3* const db_;
  const std::filesystem::path path_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

// One use of a cached prepared statement. Destruction resets the statement
// and clears its bindings, so the next Prepare() starts clean. Move-only.
// Bind errors are kept and returned by the next Step()/Run().
class Query final {
 public:
  Query(Database& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  ~Query();

  // Parameters are 1-based, as in SQL "?1".
  Query& Bind(int index, std::string_view text);
  // Bind without SQLite's copy of the text. REQUIRES: `text` stays valid
  // and unchanged until this Query is destroyed (a hot insert's fields).
  Query& BindKept(int index, std::string_view text);
  Query& Bind(int index, int64_t value);
  Query& BindOptional(int index, const std::optional<std::string>& text);  // nullopt: NULL
  Query& BindBlob(int index, std::string_view bytes);                      // a BLOB, not TEXT

  // Advances: true when a row is ready, false when the statement is done.
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Status Run();

  // Columns are 0-based. NULL reads as "" / 0 / nullopt.
  std::string Text(int column) const;  // also reads a BLOB's bytes
  // The column's bytes without a copy, valid until the next Step() or the
  // end of this Query.
  std::string_view View(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  int64_t Int(int column) const;

 private:
  void NoteBindResult(int rc, int index);

  Database* db_;
  sqlite3_stmt* stmt_;
  Status bind_error_;
};

// A transaction that rolls back on destruction unless committed. Move-only.
class Transaction final {
 public:
  enum class Kind : uint8_t {
    kRead,   // BEGIN (deferred): a consistent snapshot for several SELECTs
    kWrite,  // BEGIN IMMEDIATE: takes the write lock up front, so a busy
             // database fails at BEGIN rather than halfway through
  };
  static Result<Transaction> Begin(Database& db, Kind kind);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  // Commits; on failure the destructor rolls back. Call at most once.
  Status Commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;  // null once committed or moved from
};

}  // namespace bp::storage::sqlite
