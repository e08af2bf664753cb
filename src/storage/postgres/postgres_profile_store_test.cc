#include "storage/postgres/postgres_profile_store.h"

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <vector>

#include <unistd.h>

#include "storage/caching_store.h"
#include "storage/postgres/migrations.h"
#include "storage/postgres/pg_conn.h"
#include "storage/postgres/postgres_profile_listener.h"
#include "storage/profile_store_contract.h"
#include "storage/profile_store_rules.h"
#include "testing/postgres_server.h"
#include "testing/testing.h"

namespace bp::storage {
namespace {

using ::bp::testing::FakeClock;
using ::bp::testing::PostgresServer;
using ::bp::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

// One server for the whole binary (starting one takes a second or two);
// every test gets a database of its own.
PostgresServer* g_server = nullptr;

class PostgresEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    auto server = PostgresServer::Start();
    // Fails (never skips) without the binaries: the message says
    // "run scripts/setup".
    ASSERT_OK(server);
    server_ = std::move(server).value();
    g_server = server_.get();
  }
  void TearDown() override {
    g_server = nullptr;
    server_.reset();
  }

 private:
  std::unique_ptr<PostgresServer> server_;
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

Result<std::string> FreshDatabase() {
  static std::atomic<int> next{0};
  if (g_server == nullptr) return IoError("no PostgreSQL server (see the environment's failure)");
  return g_server->CreateDatabase("bp_test_" + std::to_string(next++));
}

Result<std::unique_ptr<ProfileStore>> MakePostgresStore(const std::filesystem::path&) {
  BP_ASSIGN_OR_RETURN(std::string url, FreshDatabase());
  BP_ASSIGN_OR_RETURN(auto store, PostgresProfileStore::Open(url));
  return std::unique_ptr<ProfileStore>(std::move(store));
}

INSTANTIATE_TEST_SUITE_P(Postgres, ProfileStoreContractTest,
                         ::testing::Values(StoreFactory{"Postgres", &MakePostgresStore}),
                         StoreFactoryName);

class PostgresProfileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = FreshDatabase();
    ASSERT_OK(url);
    url_ = *url;
  }
  Result<std::unique_ptr<PostgresProfileStore>> Open() { return PostgresProfileStore::Open(url_); }
  // A plain connection, for looking behind the store's back.
  std::unique_ptr<postgres::Connection> Raw() {
    auto conn = postgres::Connection::Open(url_);
    EXPECT_OK(conn);
    return conn.ok() ? std::move(conn).value() : nullptr;
  }
  int64_t Count(postgres::Connection& conn, const std::string& sql) {
    auto rows = conn.Exec(sql, "counting");
    EXPECT_OK(rows);
    return rows.ok() ? rows->Int(0, 0) : -1;
  }

  std::string url_;
};

TEST(RedactedConnInfoTest, DropsThePasswordFromUrlsAndKeyValueStrings) {
  EXPECT_EQ(postgres::RedactedConnInfo("postgresql://alice:s3cret@db.example:5433/profiles"),
            "postgresql://alice@db.example:5433/profiles");
  EXPECT_EQ(postgres::RedactedConnInfo(
                "host=db.example port=5433 user=alice password=s3cret dbname=profiles"),
            "postgresql://alice@db.example:5433/profiles");
  EXPECT_EQ(postgres::RedactedConnInfo("postgres://db.example/profiles?password=s3cret"),
            "postgresql://db.example/profiles");
  // Unparsable: libpq's own message would quote the string.
  EXPECT_THAT(postgres::RedactedConnInfo("host=x password=s3cret bogus"),
              AllOf(HasSubstr("unparsable"), Not(HasSubstr("s3cret"))));
}

// A dead network path (no reset) ends a connection within seconds: the
// socket carries keepalives and a TCP user timeout unless the URL says
// otherwise.
TEST_F(PostgresProfileStoreTest, ConnectionsDetectADeadPathWithinSeconds) {
  auto conn = postgres::Connection::Open(url_);
  ASSERT_OK(conn);
  const int fd = (*conn)->socket();
  ASSERT_GE(fd, 0);
  int value = 0;
  socklen_t len = sizeof(value);
  ASSERT_EQ(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &value, &len), 0);
  EXPECT_EQ(value, 1);
  ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &value, &len), 0);
  EXPECT_EQ(value, 10'000);
  ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &value, &len), 0);
  EXPECT_EQ(value, 5);
  // The URL's own setting wins.
  auto own = postgres::Connection::Open(url_ + "?tcp_user_timeout=3000");
  ASSERT_OK(own);
  ASSERT_EQ(getsockopt((*own)->socket(), IPPROTO_TCP, TCP_USER_TIMEOUT, &value, &len), 0);
  EXPECT_EQ(value, 3'000);
}

TEST_F(PostgresProfileStoreTest, ConnectionErrorNamesTheUrlWithoutItsPassword) {
  const std::string port = std::to_string(::bp::testing::ClosedLoopbackPort());
  auto store =
      PostgresProfileStore::Open("postgresql://alice:s3cret-pw@127.0.0.1:" + port + "/profiles");
  EXPECT_THAT(store, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(store.status().message(),
              AllOf(HasSubstr("cannot connect to PostgreSQL at postgresql://alice@127.0.0.1:" +
                              port + "/profiles"),
                    Not(HasSubstr("s3cret"))));
  auto kv = PostgresProfileStore::Open("host=127.0.0.1 port=" + port +
                                       " user=alice password=s3cret-pw dbname=profiles");
  EXPECT_THAT(kv, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(kv.status().message(), Not(HasSubstr("s3cret")));
}

TEST_F(PostgresProfileStoreTest, OpenCreatesTheSchemaAtTheSupportedVersion) {
  ASSERT_OK(Open());
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  auto version = postgres::CurrentSchemaVersion(*raw);
  ASSERT_OK(version);
  EXPECT_EQ(*version, PostgresProfileStore::SupportedSchemaVersion());
  EXPECT_EQ(Count(*raw, "SELECT count(*) FROM schema_migrations"),
            PostgresProfileStore::SupportedSchemaVersion());
}

TEST_F(PostgresProfileStoreTest, ConcurrentOpensApplyEachMigrationOnce) {
  constexpr int kOpeners = 4;
  std::atomic<int> ready{0};
  std::vector<Status> results(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kOpeners) std::this_thread::yield();
      results[i] = Open().status();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_OK(s);
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(Count(*raw, "SELECT count(*) FROM schema_migrations"),
            PostgresProfileStore::SupportedSchemaVersion());
  EXPECT_EQ(Count(*raw, "SELECT count(DISTINCT version) FROM schema_migrations"),
            PostgresProfileStore::SupportedSchemaVersion());
}

TEST_F(PostgresProfileStoreTest, ANewerSchemaIsRefused) {
  ASSERT_OK(Open());
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  ASSERT_OK(raw->Exec("INSERT INTO schema_migrations(version) VALUES (99)", "faking"));
  auto store = Open();
  EXPECT_THAT(store, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(store.status().message(),
              HasSubstr("has schema version 99; this bedrock-profiles knows up to " +
                        std::to_string(PostgresProfileStore::SupportedSchemaVersion())));
}

TEST_F(PostgresProfileStoreTest, CommittedProfilesSurviveReopening) {
  {
    auto store = Open();
    ASSERT_OK(store);
    ASSERT_OK((*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
    ASSERT_OK((*store)->UpdateTags("aaaaaaaaaaaa", {{"team", "x"}}, {}, 50, 42));
  }
  auto store = Open();
  ASSERT_OK(store);
  auto got = (*store)->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  ProfileRecord expected = SampleProfile("aaaaaaaaaaaa");
  expected.tags["team"] = "x";
  expected.updated_at_ms = 42;
  EXPECT_EQ(*got, expected);
}

// Two stores are two connections, as two instances are: the races are the
// database's to decide, and the answers are the ones a single store gives.
TEST_F(PostgresProfileStoreTest, ANameContendedBetweenInstancesHasOneWinner) {
  auto first = Open();
  auto second = Open();
  ASSERT_OK(first);
  ASSERT_OK(second);
  constexpr int kPerStore = 4;
  std::vector<Status> results(2 * kPerStore);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2 * kPerStore; ++i) {
    PostgresProfileStore* store = (i % 2 == 0 ? *first : *second).get();
    threads.emplace_back([store, i, &results] {
      ProfileRecord p = SampleProfile("id00000000" + std::to_string(10 + i));
      p.name = "rd-contended";
      results[i] = store->Create({.profile = p}).status();
    });
  }
  for (std::thread& t : threads) t.join();
  int winners = 0;
  for (const Status& s : results) {
    if (s.ok()) {
      ++winners;
    } else {
      EXPECT_EQ(s.code(), ErrorCode::kConflict);
      EXPECT_EQ(s.message(), NameTakenError("rd-contended").message());
    }
  }
  EXPECT_EQ(winners, 1);
}

TEST_F(PostgresProfileStoreTest, ATokenRetriedOnTwoInstancesCreatesOnce) {
  auto first = Open();
  auto second = Open();
  ASSERT_OK(first);
  ASSERT_OK(second);
  constexpr int kCalls = 8;
  std::vector<Result<CreateProfileOutcome>> results(kCalls, Status(ErrorCode::kInternal, "unset"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    PostgresProfileStore* store = (i % 2 == 0 ? *first : *second).get();
    threads.emplace_back([store, i, &results] {
      // Each retry carries a fresh id and, here, a fresh name too: only the
      // token ties them together.
      ProfileRecord p = SampleProfile("id00000000" + std::to_string(10 + i));
      results[i] =
          store->Create({.profile = p, .client_token = "shared-token", .request_digest = "same"});
    });
  }
  for (std::thread& t : threads) t.join();
  int originals = 0;
  std::string created;
  for (const auto& r : results) {
    ASSERT_OK(r);
    if (!r->replayed) {
      ++originals;
      created = r->profile.id;
    }
  }
  EXPECT_EQ(originals, 1);
  for (const auto& r : results) EXPECT_EQ(r->profile.id, created);
  auto listed = (*first)->List();
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, SizeIs(1));
}

TEST_F(PostgresProfileStoreTest, TagUpdatesFromTwoInstancesKeepTheLimit) {
  auto first = Open();
  auto second = Open();
  ASSERT_OK(first);
  ASSERT_OK(second);
  ProfileRecord p = SampleProfile("aaaaaaaaaaaa");
  p.tags.clear();
  ASSERT_OK((*first)->Create({.profile = p}));
  constexpr size_t kLimit = 10;
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    PostgresProfileStore* store = (i % 2 == 0 ? *first : *second).get();
    threads.emplace_back([store, i] {
      (void)store->UpdateTags("aaaaaaaaaaaa", {{"k" + std::to_string(i), "v"}}, {}, kLimit, i);
    });
  }
  for (std::thread& t : threads) t.join();
  auto got = (*second)->Get("aaaaaaaaaaaa");
  ASSERT_OK(got);
  EXPECT_EQ(got->tags.size(), kLimit);
}

// Last in the binary's order would not matter: the server comes back on the
// same port and every other test opens its own connections.
TEST_F(PostgresProfileStoreTest, ADatabaseRestartIsSurvivedByTheNextCall) {
  auto store = Open();
  ASSERT_OK(store);
  ASSERT_OK((*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
  ASSERT_OK(g_server->Restart());
  // The connection the server closed is found lost at BEGIN and replaced.
  ASSERT_OK((*store)->Get("aaaaaaaaaaaa"));
  ASSERT_OK((*store)->Create({.profile = SampleProfile("bbbbbbbbbbbb")}));
  auto listed = (*store)->List();
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, SizeIs(2));
}

TEST_F(PostgresProfileStoreTest, TextColumnsRefuseBytesPostgresCannotHold) {
  auto store = Open();
  ASSERT_OK(store);
  ProfileRecord p = SampleProfile("aaaaaaaaaaaa");
  p.name = std::string("rd-\0x", 5);
  EXPECT_THAT((*store)->Create({.profile = p}), StatusIs(ErrorCode::kValidation));
  auto listed = (*store)->List();
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, SizeIs(0));
}

// Starts the shared server again when a test that stopped it ends, however
// it ends: every later test needs it.
class ServerBackAtExit {
 public:
  ServerBackAtExit() = default;
  ~ServerBackAtExit() {
    if (g_server != nullptr) EXPECT_OK(g_server->StartAgain());
  }
  ServerBackAtExit(const ServerBackAtExit&) = delete;
  ServerBackAtExit& operator=(const ServerBackAtExit&) = delete;
};

// The URL with a password in it (trust authentication never asks for it),
// so that the tests can look for it in messages.
std::string WithPassword(const std::string& url) {
  std::string out = url;
  out.replace(out.find("postgres@"), std::string("postgres@").size(), "postgres:s3cret-pw@");
  return out;
}

std::chrono::milliseconds Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

TEST_F(PostgresProfileStoreTest, ALostDatabaseFailsCallsFastAsServiceUnavailableUntilItIsBack) {
  FakeClock clock;
  auto store = PostgresProfileStore::Open(WithPassword(url_), {.clock = &clock});
  ASSERT_OK(store);
  ASSERT_OK((*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
  EXPECT_TRUE((*store)->health().Current().reachable);
  ServerBackAtExit back;
  g_server->Stop();
  const std::string database = (*store)->display_name();
  ASSERT_EQ(database, postgres::RedactedConnInfo(url_));

  // Found lost at BEGIN; the one reconnect is refused at once.
  clock.Advance(std::chrono::milliseconds(5));
  auto start = std::chrono::steady_clock::now();
  auto created = (*store)->Create({.profile = SampleProfile("bbbbbbbbbbbb")});
  EXPECT_LT(Since(start), std::chrono::milliseconds(1500));
  EXPECT_THAT(created, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(
      created.status().message(),
      AllOf(HasSubstr("profiles database " + database + " is unreachable ("),
            HasSubstr("; the change was not made; try again"), Not(HasSubstr("s3cret-pw"))));
  const DatabaseHealth::State down = (*store)->health().Current();
  EXPECT_FALSE(down.reachable);
  EXPECT_EQ(down.since_ms, ToUnixMillis(clock.Now()));
  EXPECT_FALSE(down.error.empty());
  EXPECT_THAT(down.error, Not(HasSubstr("s3cret-pw")));

  // Within the interval every call fails the same way without trying: the
  // server is back, yet nothing reaches it until the interval has passed.
  ASSERT_OK(g_server->StartAgain());
  clock.Advance(std::chrono::milliseconds(990));
  EXPECT_THAT((*store)->Delete("aaaaaaaaaaaa"), StatusIs(ErrorCode::kServiceUnavailable));
  auto tagged = (*store)->UpdateTags("aaaaaaaaaaaa", {{"team", "x"}}, {}, 50, 42);
  EXPECT_THAT(tagged, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(tagged.status().message(), created.status().message());
  auto read = (*store)->Get("aaaaaaaaaaaa");
  EXPECT_THAT(read, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(read.status().message(), Not(HasSubstr("the change was not made")));
  EXPECT_EQ((*store)->health().Current().since_ms, down.since_ms);

  // Then the next call reconnects, and the database is reachable again.
  clock.Advance(std::chrono::milliseconds(10));
  ASSERT_OK((*store)->UpdateTags("aaaaaaaaaaaa", {{"team", "x"}}, {}, 50, 42));
  EXPECT_TRUE((*store)->health().Current().reachable);
  EXPECT_TRUE((*store)->health().Current().error.empty());
  ASSERT_OK((*store)->Create({.profile = SampleProfile("bbbbbbbbbbbb")}));
  // Refusals keep their codes.
  EXPECT_THAT((*store)->Create({.profile = SampleProfile("bbbbbbbbbbbb")}),
              StatusIs(ErrorCode::kConflict));
  EXPECT_THAT((*store)->Delete("zzzzzzzzzzzz"), StatusIs(ErrorCode::kResourceNotFound));
}

TEST_F(PostgresProfileStoreTest, AReconnectWaitsAtMostTheShortReconnectTimeout) {
  auto store = Open();
  ASSERT_OK(store);
  ASSERT_OK((*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
  ServerBackAtExit back;
  g_server->Stop();
  // In the server's place, a socket that takes connections and never
  // answers: a reconnect waits for it until its connect timeout.
  int silent = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(silent, 0);
  int one = 1;
  setsockopt(silent, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(g_server->port()));
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(silent, 8), 0);
  const auto start = std::chrono::steady_clock::now();
  Status deleted = (*store)->Delete("aaaaaaaaaaaa");
  const std::chrono::milliseconds took = Since(start);
  close(silent);
  EXPECT_THAT(deleted, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(deleted.message(), HasSubstr("timeout"));
  // 2 s (Options::reconnect_timeout_s), not the first connect's 10 s.
  EXPECT_GE(took, std::chrono::milliseconds(1500));
  EXPECT_LT(took, std::chrono::milliseconds(4000));
}

// A deferred trigger ends the session at COMMIT: the connection is lost with
// the COMMIT sent and unanswered.
TEST_F(PostgresProfileStoreTest, AConnectionLostAtCommitSaysTheChangeMayHaveBeenMade) {
  FakeClock clock;
  auto store = PostgresProfileStore::Open(url_, {.clock = &clock});
  ASSERT_OK(store);
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  ASSERT_OK(raw->ExecScript(
      "CREATE FUNCTION die_at_commit() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$; "
      "CREATE CONSTRAINT TRIGGER die_at_commit AFTER INSERT ON profiles "
      "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION die_at_commit()",
      "arming"));
  auto created = (*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")});
  EXPECT_THAT(created, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(created.status().message(),
              AllOf(HasSubstr("was lost while committing"), HasSubstr("may have been made")));
  ASSERT_OK(raw->ExecScript("DROP TRIGGER die_at_commit ON profiles", "disarming"));
  // The server was there all along: once the interval has passed, the next
  // call reconnects (here the session died before its commit).
  clock.Advance(std::chrono::seconds(1));
  EXPECT_THAT((*store)->Get("aaaaaaaaaaaa"), StatusIs(ErrorCode::kResourceNotFound));
  ASSERT_OK((*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
}

// Counts on_change calls; waits for the count to pass a mark.
class ChangeCounter {
 public:
  std::function<void()> Callback() {
    return [this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++count_;
      cv_.notify_all();
    };
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  // True once count() > mark, within `timeout`.
  bool WaitPast(int mark, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_ > mark; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

// A long periodic check: only a notification (or a reconnect) calls back.
constexpr PostgresProfileListener::Options kNotifyOnly{.check_interval = std::chrono::minutes(5),
                                                       .max_backoff = std::chrono::seconds(1)};

TEST_F(PostgresProfileStoreTest, AWriteThroughOneStoreReachesAnotherInstancesSnapshotWithin1s) {
  auto writer = Open();  // instance A
  ASSERT_OK(writer);
  auto reader = Open();  // instance B: its own store, cache and listener
  ASSERT_OK(reader);
  auto cached = CachingProfileStore::Create(**reader);
  ASSERT_OK(cached);
  ChangeCounter changes;
  std::function<void()> count = changes.Callback();
  auto listener = PostgresProfileListener::Start(url_, kNotifyOnly, [&] {
    ASSERT_OK((*cached)->Reload().status());
    count();
  });
  ASSERT_OK(listener);
  ASSERT_TRUE(changes.WaitPast(0, std::chrono::seconds(5))) << "the catch-up call after connecting";

  for (int step = 0; step < 3; ++step) {
    const int mark = changes.count();
    const auto start = std::chrono::steady_clock::now();
    if (step == 0) ASSERT_OK((*writer)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
    if (step == 1) ASSERT_OK((*writer)->UpdateTags("aaaaaaaaaaaa", {{"team", "rd"}}, {}, 50, 9));
    if (step == 2) ASSERT_OK((*writer)->Delete("aaaaaaaaaaaa"));
    ASSERT_TRUE(changes.WaitPast(mark, std::chrono::seconds(1))) << "step " << step;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    const ProfileRecord* seen = (*cached)->Snapshot()->Find("aaaaaaaaaaaa");
    if (step == 0) EXPECT_NE(seen, nullptr);
    if (step == 1) {
      ASSERT_NE(seen, nullptr);
      EXPECT_EQ(seen->tags.at("team"), "rd");
    }
    if (step == 2) EXPECT_EQ(seen, nullptr);
  }
  // A refused write commits nothing and so notifies nothing.
  const int mark = changes.count();
  ASSERT_OK((*writer)->Create({.profile = SampleProfile("bbbbbbbbbbbb")}));
  ASSERT_TRUE(changes.WaitPast(mark, std::chrono::seconds(1)));
  const int after_create = changes.count();
  EXPECT_FALSE((*writer)->Delete("zzzzzzzzzzzz").ok());
  EXPECT_FALSE(changes.WaitPast(after_create, std::chrono::milliseconds(300)));
  (*listener)->Stop();
}

TEST_F(PostgresProfileStoreTest, WithoutNotificationsThePeriodicCheckCallsBack) {
  ChangeCounter changes;
  auto listener = PostgresProfileListener::Start(
      url_, {.check_interval = std::chrono::milliseconds(100)}, changes.Callback());
  ASSERT_OK(listener);
  ASSERT_TRUE(changes.WaitPast(3, std::chrono::seconds(5)));
}

TEST_F(PostgresProfileStoreTest, StopReturnsPromptly) {
  ChangeCounter changes;
  auto listener = PostgresProfileListener::Start(url_, kNotifyOnly, changes.Callback());
  ASSERT_OK(listener);
  ASSERT_TRUE(changes.WaitPast(0, std::chrono::seconds(5)));
  const auto start = std::chrono::steady_clock::now();
  listener->reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST_F(PostgresProfileStoreTest, AnUnreachableDatabaseIsAnErrorWithoutThePassword) {
  auto listener = PostgresProfileListener::Start(
      "postgresql://alice:s3cret-pw@127.0.0.1:" +
          std::to_string(::bp::testing::ClosedLoopbackPort()) + "/profiles",
      kNotifyOnly, [] {});
  EXPECT_THAT(listener, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(listener.status().message(),
              AllOf(HasSubstr("postgresql://alice@127.0.0.1:"), Not(HasSubstr("s3cret-pw"))));
}

TEST_F(PostgresProfileStoreTest, AListenerWhoseServerRestartsReconnectsAndHearsLaterWrites) {
  auto writer = Open();
  ASSERT_OK(writer);
  ChangeCounter changes;
  auto listener = PostgresProfileListener::Start(url_, kNotifyOnly, changes.Callback());
  ASSERT_OK(listener);
  ASSERT_TRUE(changes.WaitPast(0, std::chrono::seconds(5)));
  ASSERT_OK(g_server->Restart());
  // Reconnected (with its catch-up call), then a write is heard again.
  for (int i = 0; i < 100 && (*listener)->reconnects() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ((*listener)->reconnects(), 1u);
  const int mark = changes.count();
  ASSERT_OK((*writer)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
  EXPECT_TRUE(changes.WaitPast(mark, std::chrono::seconds(1)));
}

// Waits up to `limit` for `health` to say `reachable`.
bool WaitForHealth(const DatabaseHealth& health, bool reachable, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (health.reachable() != reachable) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST_F(PostgresProfileStoreTest, TheListenerReportsTheDatabaseAndItsReconnectLetsWritesThrough) {
  FakeClock clock;  // never advanced: only the listener can end the interval
  auto store = PostgresProfileStore::Open(url_, {.clock = &clock});
  ASSERT_OK(store);
  ChangeCounter changes;
  PostgresProfileListener::Options options = kNotifyOnly;
  options.health = &(*store)->health();
  auto listener = PostgresProfileListener::Start(url_, options, changes.Callback());
  ASSERT_OK(listener);
  ASSERT_TRUE(changes.WaitPast(0, std::chrono::seconds(5)));
  {
    ServerBackAtExit back;
    g_server->Stop();
    // No call reaches the store: the listener alone notices.
    ASSERT_TRUE(WaitForHealth((*store)->health(), false, std::chrono::seconds(5)));
    EXPECT_FALSE((*store)->health().Current().error.empty());
    EXPECT_THAT((*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}),
                StatusIs(ErrorCode::kServiceUnavailable));
  }
  ASSERT_TRUE(WaitForHealth((*store)->health(), true, std::chrono::seconds(10)));
  ASSERT_OK((*store)->Create({.profile = SampleProfile("aaaaaaaaaaaa")}));
  (*listener)->Stop();
}

TEST_F(PostgresProfileStoreTest, TheStartupLockIsHeldByOneInstanceAtATime) {
  auto first = PostgresStartupLock::Acquire(url_);
  ASSERT_OK(first);
  std::atomic<bool> second_has_it{false};
  std::thread second([&] {
    auto lock = PostgresStartupLock::Acquire(url_);
    EXPECT_OK(lock);
    second_has_it = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(second_has_it) << "granted while the first held it";
  first->reset();
  second.join();
  EXPECT_TRUE(second_has_it);
}

}  // namespace
}  // namespace bp::storage
