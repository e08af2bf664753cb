#pragma once
// A thin RAII layer over libpq for the PostgreSQL profile store (private to
// storage/postgres; its tests use it too). Every statement goes through
// PQexecParams with its values as parameters, never spliced into the SQL.
// Parameters and results travel in binary format, so a value's bytes arrive
// exactly (no text escaping, an embedded NUL in a BYTEA is kept).
//
// Not thread-safe: one Connection serves one thread at a time (the store
// holds its mutex around every use).

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct pg_conn;
struct pg_result;

namespace bp::storage::postgres {

// The connection string as it may be shown in messages and logs: a
// postgresql:// URL or key=value string with its password dropped, rebuilt
// from what libpq parsed ("postgresql://user@host:port/dbname"). A string
// libpq cannot parse is shown as a placeholder, never verbatim.
std::string RedactedConnInfo(std::string_view conninfo);

// Values for one statement's $1, $2, ... in binary format. References the
// bytes of string arguments: they must outlive the Exec call.
class Params {
 public:
  Params& Text(std::string_view value);                            // a TEXT column (UTF-8, no NUL)
  Params& Bytes(std::string_view value);                           // a BYTEA column (any bytes)
  Params& OptionalBytes(const std::optional<std::string>& value);  // NULL when absent
  Params& Int(int64_t value);                                      // a BIGINT column
  Params& Bool(bool value);                                        // a BOOLEAN column

  int size() const { return static_cast<int>(values_.size()); }
  const unsigned* types() const { return types_.data(); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  Params& Add(unsigned type, const char* data, size_t length);

  std::deque<std::array<char, 8>> ints_;  // a deque: push_back keeps earlier ones in place
  std::vector<unsigned> types_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// A statement's result rows (binary format). Owns the PGresult.
class Rows {
 public:
  explicit Rows(pg_result* result);
  ~Rows();
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&&) = delete;
  Rows(const Rows&) = delete;

  int size() const;
  bool IsNull(int row, int column) const;
  std::string Bytes(int row, int column) const;  // TEXT or BYTEA
  std::optional<std::string> OptionalBytes(int row, int column) const;
  int64_t Int(int row, int column) const;  // BIGINT (int8)
  int32_t Int4(int row, int column) const;
  bool Bool(int row, int column) const;  // BOOLEAN
  int64_t AffectedRows() const;          // INSERT/UPDATE/DELETE

 private:
  friend class Connection;
  friend class Transaction;
  pg_result* result_;
};

// What a failed statement reported, for the store's error mapping.
struct PgError {
  std::string sqlstate;    // "23505" unique_violation, "" for a lost connection
  std::string constraint;  // for integrity violations
};

// A NOTIFY received on a channel this connection LISTENs to.
struct Notification {
  std::string channel;
  std::string payload;
  int backend_pid = 0;  // the notifying session's server process
};

class Connection {
 public:
  // Connects, waiting at most `connect_timeout_s` for the server unless the
  // string sets connect_timeout. kIo naming RedactedConnInfo(conninfo) and
  // libpq's reason. EnsureConnected's reconnects wait `reconnect_timeout_s`
  // (libpq counts 1 as 2, its minimum).
  static Result<std::unique_ptr<Connection>> Open(std::string_view conninfo,
                                                  int connect_timeout_s = 10,
                                                  int reconnect_timeout_s = 2);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The connection string without its password, for messages.
  const std::string& display_name() const { return display_name_; }

  // Reconnects if the connection is known lost (one attempt, a new session,
  // waiting at most the reconnect timeout); kIo if that fails, and the
  // connection stays lost.
  Status EnsureConnected();
  // True once libpq has seen the connection fail (a server restart is
  // noticed only by the next statement sent).
  bool lost() const;
  // libpq's last error on this connection, on one line (why a statement or
  // reconnect failed: "connection to server at ... failed: Connection
  // refused ..."); empty when there was none. Holds no password.
  std::string error_message() const;

  // Runs one statement. kIo "<display name>: <context>: <server message>" on
  // failure (kValidation for text the server refuses as not UTF-8); the
  // SQLSTATE and constraint go to *error when given.
  Result<Rows> Exec(std::string_view sql, const Params& params, std::string_view context,
                    PgError* error = nullptr);
  Result<Rows> Exec(std::string_view sql, std::string_view context) {
    return Exec(sql, Params(), context);
  }

  // Several ;-separated statements without parameters (a migration step),
  // over the simple query protocol. Errors as Exec's.
  Status ExecScript(std::string_view sql, std::string_view context);

  // For a listener: the socket to poll(2) for input (-1 when lost), and the
  // notifications that arrived, read without blocking (PQconsumeInput). kIo
  // when the connection failed.
  int socket() const;
  Result<std::vector<Notification>> TakeNotifications();
  // The server process serving this session (0 when lost).
  int backend_pid() const;

 private:
  Connection(pg_conn* conn, std::string conninfo, std::string display_name,
             int reconnect_timeout_s);
  Result<Rows> Check(Rows rows, std::string_view context, PgError* error);

  pg_conn* conn_;               // never null; CONNECTION_BAD once lost
  const std::string conninfo_;  // with its password: for reconnecting, never shown
  const std::string display_name_;
  const int reconnect_timeout_s_;
};

// BEGIN ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  // kWrite: READ COMMITTED, the constraints and row locks decide races.
  // kRead: REPEATABLE READ READ ONLY, so a read of several statements sees
  // one snapshot (a read-only transaction never fails to serialize there).
  // A connection found lost at BEGIN (nothing of the call sent yet) is
  // re-established and BEGIN sent once more.
  enum class Kind { kWrite, kRead };
  static Result<Transaction> Begin(Connection& conn, Kind kind = Kind::kWrite);
  ~Transaction();
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;

  // kIo if the server did not commit (a commit answered with ROLLBACK too).
  Status Commit();
  void Rollback();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;  // null once committed or rolled back
};

}  // namespace bp::storage::postgres
