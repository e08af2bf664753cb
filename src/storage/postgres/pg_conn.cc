#include "storage/postgres/pg_conn.h"

#include <cstdlib>
#include <cstring>
#include <utility>

#include <endian.h>
#include <libpq-fe.h>

namespace bp::storage::postgres {
namespace {

// Type OIDs of the parameters (pg_type.dat); stable across releases.
constexpr unsigned kBool = 16;
constexpr unsigned kBytea = 17;
constexpr unsigned kInt8 = 20;
constexpr unsigned kText = 25;

std::string TrimTrailingSpace(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

// One line: libpq's connection messages hold a tab-indented hint line.
// Runs of white space become one space (the text may reach a client).
std::string OneLine(std::string s) {
  s = TrimTrailingSpace(std::move(s));
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const bool space = c == '\n' || c == '\t' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  return out;
}

void IgnoreNotice(void*, const char*) {}

// libpq's TCP settings unless the connection string sets them: probes after
// 5 s idle, every 2 s, 3 unanswered end it; unacknowledged data for 10 s
// ends it (Linux's TCP_USER_TIMEOUT, which also bounds the probes).
constexpr std::pair<const char*, const char*> kTcpDefaults[] = {
    {"keepalives", "1"},       {"keepalives_idle", "5"},      {"keepalives_interval", "2"},
    {"keepalives_count", "3"}, {"tcp_user_timeout", "10000"},
};

struct ConnInfoOptions {
  explicit ConnInfoOptions(PQconninfoOption* o) : options(o) {}
  ~ConnInfoOptions() {
    if (options != nullptr) PQconninfoFree(options);
  }
  ConnInfoOptions(const ConnInfoOptions&) = delete;
  ConnInfoOptions& operator=(const ConnInfoOptions&) = delete;

  std::string Get(std::string_view keyword) const {
    for (PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o) {
      if (keyword == o->keyword && o->val != nullptr) return o->val;
    }
    return "";
  }

  PQconninfoOption* options;
};

bool Parses(const std::string& conninfo) {
  char* error = nullptr;
  ConnInfoOptions parsed(PQconninfoParse(conninfo.c_str(), &error));
  // libpq's parse error may quote the string, password included: not shown.
  if (error != nullptr) PQfreemem(error);
  return parsed.options != nullptr;
}

// PQconnectdbParams over `conninfo` (REQUIRES: Parses) with defaults the
// string may override: a bounded wait for an unreachable host (libpq waits
// forever otherwise), TCP keepalives and a TCP user timeout so that a
// connection whose network path died (a partition, no reset) fails within
// about 10 s instead of the kernel's 15 minutes (kTcpDefaults), and a name
// in pg_stat_activity. Null only without memory; otherwise connected or
// CONNECTION_BAD with libpq's reason.
PGconn* ConnectWithDefaults(const std::string& conninfo, int connect_timeout_s) {
  char* parse_error = nullptr;
  ConnInfoOptions parsed(PQconninfoParse(conninfo.c_str(), &parse_error));
  if (parse_error != nullptr) PQfreemem(parse_error);
  std::vector<const char*> keywords = {"dbname", "fallback_application_name"};
  std::vector<const char*> values = {conninfo.c_str(), "bedrock-profiles"};
  const std::string timeout = std::to_string(connect_timeout_s);
  if (parsed.options != nullptr && parsed.Get("connect_timeout").empty()) {
    keywords.push_back("connect_timeout");
    values.push_back(timeout.c_str());
  }
  for (const auto& [keyword, value] : kTcpDefaults) {
    if (parsed.options != nullptr && parsed.Get(keyword).empty()) {
      keywords.push_back(keyword);
      values.push_back(value);
    }
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (conn != nullptr) PQsetNoticeProcessor(conn, &IgnoreNotice, nullptr);
  return conn;
}

}  // namespace

std::string RedactedConnInfo(std::string_view conninfo) {
  char* error = nullptr;
  ConnInfoOptions parsed(PQconninfoParse(std::string(conninfo).c_str(), &error));
  // libpq's parse error may quote the string, password included: not shown.
  if (error != nullptr) PQfreemem(error);
  if (parsed.options == nullptr) return "<unparsable PostgreSQL connection string>";
  // What the string leaves out libpq takes from the PG* environment
  // variables: shown as it will be used (libpq's built-in defaults are not).
  auto get = [&](std::string_view keyword, const char* variable) {
    std::string value = parsed.Get(keyword);
    if (!value.empty()) return value;
    const char* from_env = std::getenv(variable);
    return std::string(from_env != nullptr ? from_env : "");
  };
  std::string host = get("host", "PGHOST");
  if (host.empty()) host = get("hostaddr", "PGHOSTADDR");
  const std::string user = get("user", "PGUSER");
  const std::string port = get("port", "PGPORT");
  const std::string dbname = get("dbname", "PGDATABASE");
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  out += host;
  if (!port.empty()) out += ":" + port;
  if (!dbname.empty()) out += "/" + dbname;
  return out;
}

Params& Params::Add(unsigned type, const char* data, size_t length) {
  types_.push_back(type);
  values_.push_back(data);
  lengths_.push_back(static_cast<int>(length));
  formats_.push_back(1);
  return *this;
}

Params& Params::Text(std::string_view value) { return Add(kText, value.data(), value.size()); }

Params& Params::Bytes(std::string_view value) { return Add(kBytea, value.data(), value.size()); }

Params& Params::OptionalBytes(const std::optional<std::string>& value) {
  if (!value.has_value()) return Add(kBytea, nullptr, 0);
  return Bytes(*value);
}

Params& Params::Int(int64_t value) {
  const uint64_t big_endian = htobe64(static_cast<uint64_t>(value));
  std::array<char, 8>& slot = ints_.emplace_back();
  std::memcpy(slot.data(), &big_endian, slot.size());
  return Add(kInt8, slot.data(), slot.size());
}

Params& Params::Bool(bool value) {
  static constexpr char kFalse = 0;
  static constexpr char kTrue = 1;
  return Add(kBool, value ? &kTrue : &kFalse, 1);
}

Rows::Rows(pg_result* result) : result_(result) {}

Rows::~Rows() {
  if (result_ != nullptr) PQclear(result_);
}

Rows::Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

int Rows::size() const { return PQntuples(result_); }

bool Rows::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string Rows::Bytes(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<size_t>(PQgetlength(result_, row, column)));
}

std::optional<std::string> Rows::OptionalBytes(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Bytes(row, column);
}

int64_t Rows::Int(int row, int column) const {
  BP_ASSERT(PQgetlength(result_, row, column) == 8);
  uint64_t big_endian = 0;
  std::memcpy(&big_endian, PQgetvalue(result_, row, column), sizeof(big_endian));
  return static_cast<int64_t>(be64toh(big_endian));
}

bool Rows::Bool(int row, int column) const {
  BP_ASSERT(PQgetlength(result_, row, column) == 1);
  return *PQgetvalue(result_, row, column) != 0;
}

int32_t Rows::Int4(int row, int column) const {
  BP_ASSERT(PQgetlength(result_, row, column) == 4);
  uint32_t big_endian = 0;
  std::memcpy(&big_endian, PQgetvalue(result_, row, column), sizeof(big_endian));
  return static_cast<int32_t>(be32toh(big_endian));
}

int64_t Rows::AffectedRows() const {
  const char* tuples = PQcmdTuples(result_);
  int64_t n = 0;
  for (const char* p = tuples; *p >= '0' && *p <= '9'; ++p) n = n * 10 + (*p - '0');
  return n;
}

Result<std::unique_ptr<Connection>> Connection::Open(std::string_view conninfo,
                                                     int connect_timeout_s,
                                                     int reconnect_timeout_s) {
  std::string display = RedactedConnInfo(conninfo);
  std::string full(conninfo);
  if (!Parses(full)) {
    return IoError(
        "cannot connect to PostgreSQL: the connection string is neither a "
        "postgresql:// URL nor key=value pairs");
  }
  PGconn* conn = ConnectWithDefaults(full, connect_timeout_s);
  if (conn == nullptr) return IoError("cannot connect to PostgreSQL at " + display + ": no memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return IoError("cannot connect to PostgreSQL at " + display + ": " + reason);
  }
  return std::unique_ptr<Connection>(
      new Connection(conn, std::move(full), std::move(display), reconnect_timeout_s));
}

Connection::Connection(pg_conn* conn, std::string conninfo, std::string display_name,
                       int reconnect_timeout_s)
    : conn_(conn),
      conninfo_(std::move(conninfo)),
      display_name_(std::move(display_name)),
      reconnect_timeout_s_(reconnect_timeout_s) {}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::lost() const { return PQstatus(conn_) != CONNECTION_OK; }

std::string Connection::error_message() const { return OneLine(PQerrorMessage(conn_)); }

Status Connection::EnsureConnected() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  // A new session rather than PQreset, which would wait the first connect's
  // timeout: a reconnect runs on the caller's thread (an event loop's, for
  // a control-plane write), so it is kept short.
  PGconn* fresh = ConnectWithDefaults(conninfo_, reconnect_timeout_s_);
  if (fresh == nullptr) return IoError("PostgreSQL at " + display_name_ + ": no memory");
  PQfinish(conn_);
  conn_ = fresh;  // kept when it failed: lost() stays true, error_message() says why
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  return IoError("PostgreSQL at " + display_name_ +
                 ": connection lost and not re-established: " + error_message());
}

Result<Rows> Connection::Exec(std::string_view sql, const Params& params, std::string_view context,
                              PgError* error) {
  const std::string statement(sql);
  return Check(Rows(PQexecParams(conn_, statement.c_str(), params.size(), params.types(),
                                 params.values(), params.lengths(), params.formats(),
                                 /*resultFormat=*/1)),
               context, error);
}

Status Connection::ExecScript(std::string_view sql, std::string_view context) {
  const std::string script(sql);
  return Check(Rows(PQexec(conn_, script.c_str())), context, nullptr).status();
}

int Connection::socket() const { return PQsocket(conn_); }

int Connection::backend_pid() const { return PQbackendPID(conn_); }

Result<std::vector<Notification>> Connection::TakeNotifications() {
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
    return IoError("PostgreSQL at " + display_name_ +
                   ": connection lost: " + OneLine(PQerrorMessage(conn_)));
  }
  std::vector<Notification> out;
  while (PGnotify* n = PQnotifies(conn_)) {
    out.push_back(Notification{n->relname ? n->relname : "", n->extra ? n->extra : "", n->be_pid});
    PQfreemem(n);
  }
  return out;
}

Result<Rows> Connection::Check(Rows rows, std::string_view context, PgError* error) {
  PGresult* result = rows.result_;
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return rows;
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* constraint = result ? PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  if (error != nullptr) {
    error->sqlstate = sqlstate ? sqlstate : "";
    error->constraint = constraint ? constraint : "";
  }
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary ? std::string(primary) : OneLine(PQerrorMessage(conn_));
  std::string text =
      "PostgreSQL at " + display_name_ + ": " + std::string(context) + ": " + message;
  // Text the database cannot hold (a NUL byte, invalid UTF-8) is the
  // caller's value, not a storage failure.
  if (sqlstate != nullptr &&
      (std::strcmp(sqlstate, "22021") == 0 || std::strcmp(sqlstate, "22P05") == 0)) {
    return ValidationError(std::move(text));
  }
  return IoError(std::move(text));
}

Result<Transaction> Transaction::Begin(Connection& conn, Kind kind) {
  const std::string_view begin = kind == Kind::kRead
                                     ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                     : "BEGIN ISOLATION LEVEL READ COMMITTED";
  BP_RETURN_IF_ERROR(conn.EnsureConnected());
  Status begun = conn.Exec(begin, "beginning a transaction").status();
  if (!begun.ok() && conn.lost()) {
    BP_RETURN_IF_ERROR(conn.EnsureConnected());
    begun = conn.Exec(begin, "beginning a transaction").status();
  }
  BP_RETURN_IF_ERROR(begun);
  return Transaction(&conn);
}

Transaction::~Transaction() { Rollback(); }

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

Status Transaction::Commit() {
  Connection* conn = std::exchange(conn_, nullptr);
  BP_ASSERT(conn != nullptr);
  BP_ASSIGN_OR_RETURN(Rows rows, conn->Exec("COMMIT", "committing"));
  // COMMIT of a transaction that failed answers "ROLLBACK", not an error.
  if (std::strcmp(PQcmdStatus(rows.result_), "COMMIT") != 0) {
    return IoError("PostgreSQL at " + conn->display_name() + ": the transaction was rolled back");
  }
  return Status::Ok();
}

void Transaction::Rollback() {
  Connection* conn = std::exchange(conn_, nullptr);
  if (conn == nullptr) return;
  // Best effort: on a lost connection the server has rolled back already.
  (void)conn->Exec("ROLLBACK", "rolling back");
}

}  // namespace bp::storage::postgres
