// Two real `serve` processes on one PostgreSQL database (issue 17): they
// start together (both bootstrap the shipped profiles, one after the other
// under the startup lock), a profile created through one instance's control
// plane is listed and answered by the other within a second, and a delete
// through the second is gone from the first. And with the database stopped
// under a running instance, the runtime still answers from its snapshot,
// profile changes fail with 503 ServiceUnavailableException, /readyz says
// which part is degraded, and all is well again once the database is back.
// The server is Debian's PostgreSQL, started by the test
// (tests/testing/postgres_server.h).
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <signal.h>

#include "integration/child_process.h"
#include "integration/served_test.h"
#include "testing/postgres_server.h"
#include "testing/testing.h"

namespace bp::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAdminKey[] = "AKIABPLOCALADMIN0001";  // platform-admin of the shipped config
constexpr char kAdminSecret[] = "bpLocalAdminSecretKeyDoNotUseOutsideDev1";
constexpr char kHaikuSystemArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0";

struct Answer {
  std::string status;  // "200"; empty when curl failed
  std::string body;
  std::string headers;
  std::string err;
};

// One request signed by curl for eu-central-1/bedrock as platform-admin.
Answer Signed(const TempDir& dir, const std::string& method, const std::string& url,
              const std::string& body = "") {
  const std::string out = (dir.path() / "answer.txt").string();
  const std::string head = (dir.path() / "head.txt").string();
  std::vector<std::string> args = {"--silent",
                                   "--show-error",
                                   "--max-time",
                                   "10",
                                   "-X",
                                   method,
                                   "--aws-sigv4",
                                   "aws:amz:eu-central-1:bedrock",
                                   "--user",
                                   std::string(kAdminKey) + ":" + kAdminSecret,
                                   "--output",
                                   out,
                                   "--dump-header",
                                   head,
                                   "--write-out",
                                   "%{http_code}"};
  if (!body.empty()) {
    const std::string file = (dir.path() / "body.json").string();
    std::ofstream(file) << body;
    for (const std::string& a : {std::string("-H"), std::string("content-type: application/json"),
                                 std::string("--data-binary"), "@" + file}) {
      args.push_back(a);
    }
  }
  args.push_back(url);
  RunResult r = RunProgram("curl", args);
  Answer a;
  a.err = r.err;
  if (r.exit_code != 0) return a;
  a.status = r.out;
  // Read as streams: curl writes no file for an empty body.
  std::ifstream body_in(out);
  a.body.assign(std::istreambuf_iterator<char>(body_in), std::istreambuf_iterator<char>());
  std::ifstream head_in(head);
  a.headers.assign(std::istreambuf_iterator<char>(head_in), std::istreambuf_iterator<char>());
  return a;
}

// GET /readyz (public: no signature); its body parsed, or null.
boost::json::value Readyz(const std::string& endpoint, std::string* raw = nullptr) {
  RunResult r =
      RunProgram("curl", {"--silent", "--show-error", "--max-time", "10", endpoint + "/readyz"});
  if (raw != nullptr) *raw = r.out;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.out, ec);
  return ec ? boost::json::value() : v;
}

// /readyz's details.storage, or an empty object.
boost::json::object StorageState(const std::string& endpoint) {
  boost::json::value ready = Readyz(endpoint);
  boost::system::error_code ec;
  const boost::json::value* storage = ready.find_pointer("/details/storage", ec);
  return storage != nullptr && storage->is_object() ? storage->as_object() : boost::json::object();
}

// A serve child on the shared database, with its own state directory.
struct Instance {
  std::unique_ptr<ChildProcess> process;
  std::string endpoint;
  std::vector<std::string> banner;  // stdout lines read at start
};

class PostgresServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = PostgresServer::Start();
    ASSERT_OK(server);
    server_ = std::move(server).value();
    auto url = server_->CreateDatabase("bp_serve");
    ASSERT_OK(url);
    url_ = *url;
    config_ = (dir_.path() / "bedrock-profiles.hcl").string();
    std::ofstream(config_) << WithRegions(ShippedConfig(), kFastRegions)
                           << "\nstorage = {\n  backend = \"postgres\"\n  url     = \"" << url_
                           << "\"\n}\n";
  }

  void TearDown() override {
    for (Instance& i : instances_) {
      if (i.process == nullptr) continue;
      i.process->Signal(SIGTERM);
      EXPECT_EQ(i.process->Wait(std::chrono::seconds(20)), 0) << i.process->Stderr();
    }
  }

  // Starts `n` instances at once, then reads each one's banner.
  void StartTogether(int n) {
    for (int i = 0; i < n; ++i) {
      Instance instance;
      instance.process = std::make_unique<ChildProcess>(std::vector<std::string>{
          "serve", "--config", config_, "--listen", "127.0.0.1:0", "--state",
          (dir_.path() / ("state-" + std::to_string(i))).string()});
      instances_.push_back(std::move(instance));
    }
    static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:\d+))");
    for (Instance& instance : instances_) {
      std::smatch m;
      auto first = instance.process->ReadLine(std::chrono::seconds(30));
      ASSERT_TRUE(first && std::regex_search(*first, m, kListening)) << first.value_or("") << "\n"
                                                                     << instance.process->Stderr();
      instance.endpoint = m[1];
      // The rest of the banner, up to the storage line.
      while (auto line = instance.process->ReadLine(std::chrono::seconds(5))) {
        instance.banner.push_back(*line);
        if (line->find("usage ledger") != std::string::npos) break;
      }
    }
  }

  // Polls `probe` until it is true or `limit` passes; the time it took.
  template <class Probe>
  std::optional<std::chrono::milliseconds> Within(std::chrono::milliseconds limit, Probe probe) {
    const auto start = std::chrono::steady_clock::now();
    while (true) {
      if (probe()) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
      }
      if (std::chrono::steady_clock::now() - start > limit) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  TempDir dir_;
  std::unique_ptr<PostgresServer> server_;
  std::string url_;
  std::string config_;
  std::vector<Instance> instances_;
};

TEST_F(PostgresServeTest, TwoInstancesShareTheProfilesWithinOneSecond) {
  ASSERT_NO_FATAL_FAILURE(StartTogether(2));
  for (const Instance& i : instances_) {
    std::string banner;
    for (const std::string& line : i.banner) banner += line + "\n";
    EXPECT_THAT(banner, HasSubstr("profiles on PostgreSQL " + url_ + "; usage ledger in "));
    EXPECT_THAT(banner, HasSubstr("(per instance)"));
  }
  // Both bootstrapped the same database: one created the shipped profiles,
  // the other found them (nothing raced into a conflict).
  const std::string shipped_id = "acwt9yee9wzo";  // rd-haiku-45, pinned in the shipped config
  for (const Instance& i : instances_) {
    Answer got = Signed(dir_, "GET", i.endpoint + "/inference-profiles/" + shipped_id);
    EXPECT_EQ(got.status, "200") << got.body << got.err;
  }

  // Created through instance 1.
  const auto created_at = std::chrono::steady_clock::now();
  Answer created = Signed(dir_, "POST", instances_[0].endpoint + "/inference-profiles",
                          R"({"inferenceProfileName":"pg-shared","modelSource":{"copyFrom":")" +
                              std::string(kHaikuSystemArn) + "\"}}");
  ASSERT_EQ(created.status, "201") << created.body << created.err;
  const std::string arn =
      std::string(boost::json::parse(created.body).at("inferenceProfileArn").as_string());
  const std::string id = arn.substr(arn.rfind('/') + 1);

  // Listed by instance 2 within a second.
  std::optional<std::chrono::milliseconds> listed = Within(std::chrono::milliseconds(1500), [&] {
    Answer list =
        Signed(dir_, "GET", instances_[1].endpoint + "/inference-profiles?type=APPLICATION");
    return list.status == "200" && list.body.find(arn) != std::string::npos;
  });
  ASSERT_TRUE(listed.has_value())
      << "instance 2 never listed " << arn << ":\n"
      << Signed(dir_, "GET", instances_[1].endpoint + "/inference-profiles?type=APPLICATION").body
      << "\n"
      << instances_[1].process->Stderr();
  EXPECT_LT(std::chrono::steady_clock::now() - created_at, std::chrono::milliseconds(1500));
  EXPECT_LT(*listed, std::chrono::seconds(1));

  // Answered by instance 2 with the new profile's ARN (signed by `invoke`,
  // which encodes the ARN in the path as the SDKs do).
  RunResult converse =
      RunBinary({"invoke", arn, "Say: shared", "--endpoint", instances_[1].endpoint, "--principal",
                 "platform-admin", "--config", config_});
  EXPECT_EQ(converse.exit_code, 0) << converse.out << converse.err;
  EXPECT_THAT(converse.out, HasSubstr("shared"));

  // Deleted through instance 2: gone from instance 1 within a second.
  Answer deleted = Signed(dir_, "DELETE", instances_[1].endpoint + "/inference-profiles/" + id);
  ASSERT_EQ(deleted.status, "200") << deleted.body << deleted.err;
  std::optional<std::chrono::milliseconds> gone = Within(std::chrono::milliseconds(1500), [&] {
    return Signed(dir_, "GET", instances_[0].endpoint + "/inference-profiles/" + id).status ==
           "404";
  });
  ASSERT_TRUE(gone.has_value()) << "instance 1 still has " << arn;
  EXPECT_LT(*gone, std::chrono::seconds(1));
  RunResult refused = RunBinary({"invoke", arn, "Say: gone", "--endpoint", instances_[0].endpoint,
                                 "--principal", "platform-admin", "--config", config_});
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_THAT(refused.err, HasSubstr("Exception"));
}

TEST_F(PostgresServeTest, ALostDatabaseFailsProfileChangesWith503WhileTheRuntimeServes) {
  // A password in the URL (trust authentication ignores it), to look for;
  // from the environment, as a config file may not hold one.
  std::string with_password = url_;
  with_password.replace(with_password.find("postgres@"), 9, "postgres:s3cret-pw@");
  std::ofstream(config_) << WithRegions(ShippedConfig(), kFastRegions)
                         << "\nstorage = {\n  backend = \"postgres\"\n  url_env = "
                            "\"BP_TEST_DATABASE_URL\"\n}\n";
  ::setenv("BP_TEST_DATABASE_URL", with_password.c_str(), 1);
  StartTogether(1);
  ::unsetenv("BP_TEST_DATABASE_URL");
  ASSERT_FALSE(HasFatalFailure());
  const std::string endpoint = instances_[0].endpoint;
  boost::json::object storage = StorageState(endpoint);
  EXPECT_EQ(storage["backend"], "postgres");
  EXPECT_EQ(storage["database"], boost::json::value(url_));  // url_ as shown: without the password
  EXPECT_EQ(storage["state"], "ok");
  const std::string create_body =
      R"({"inferenceProfileName":"pg-lost","clientRequestToken":"pg-lost-token-0001",)"
      R"("modelSource":{"copyFrom":")" +
      std::string(kHaikuSystemArn) + "\"}}";
  const std::string converse_body =
      R"({"messages":[{"role":"user","content":[{"text":"Say: still here"}]}]})";

  server_->Stop();
  // The runtime answers from the snapshot (rd-haiku-45, pinned in the config).
  Answer converse = Signed(dir_, "POST", endpoint + "/model/acwt9yee9wzo/converse", converse_body);
  EXPECT_EQ(converse.status, "200") << converse.body << converse.err;
  EXPECT_THAT(converse.body, HasSubstr("still here"));

  // A profile change fails at once, saying what and why, without the password.
  const auto start = std::chrono::steady_clock::now();
  Answer refused = Signed(dir_, "POST", endpoint + "/inference-profiles", create_body);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(refused.status, "503") << refused.body << refused.err;
  EXPECT_THAT(refused.headers, HasSubstr("ServiceUnavailableException"));
  EXPECT_THAT(refused.body, HasSubstr("profiles database " + url_ + " is unreachable ("));
  EXPECT_THAT(refused.body, HasSubstr("the change was not made"));
  EXPECT_THAT(refused.body, Not(HasSubstr("s3cret-pw")));
  Answer untag = Signed(dir_, "DELETE", endpoint + "/inference-profiles/acwt9yee9wzo");
  EXPECT_EQ(untag.status, "503") << untag.body;

  // /readyz stays 200 and says which part is degraded.
  std::string raw;
  boost::json::value ready = Readyz(endpoint, &raw);
  ASSERT_TRUE(ready.is_object()) << raw;
  EXPECT_EQ(ready.at("status"), "ready");
  storage = StorageState(endpoint);
  EXPECT_EQ(storage["state"], "unreachable") << raw;
  EXPECT_TRUE(storage["since_ms"].is_int64()) << raw;
  EXPECT_TRUE(storage["error"].is_string() && !storage["error"].as_string().empty()) << raw;
  EXPECT_THAT(raw, Not(HasSubstr("s3cret-pw")));

  // Back: the write succeeds (once the listener or the store has
  // reconnected) and /readyz says ok.
  ASSERT_OK(server_->StartAgain());
  Answer created;
  std::optional<std::chrono::milliseconds> back = Within(std::chrono::seconds(15), [&] {
    created = Signed(dir_, "POST", endpoint + "/inference-profiles", create_body);
    return created.status == "201";
  });
  ASSERT_TRUE(back.has_value()) << created.status << " " << created.body << "\n"
                                << instances_[0].process->Stderr();
  EXPECT_EQ(StorageState(endpoint)["state"], "ok") << Readyz(endpoint);
  Answer listed = Signed(dir_, "GET", endpoint + "/inference-profiles?type=APPLICATION");
  EXPECT_THAT(listed.body, HasSubstr("pg-lost"));
  EXPECT_THAT(instances_[0].process->Stderr(), Not(HasSubstr("s3cret-pw")));
}

TEST(PostgresServeStartTest, AnUnreachableDatabaseIsAClearErrorWithoutThePassword) {
  TempDir dir;
  // A port nothing listens on: a server started and stopped again.
  int port = 0;
  {
    auto server = PostgresServer::Start();
    ASSERT_OK(server);
    port = (*server)->port();
  }
  const std::string config = (dir.path() / "bedrock-profiles.hcl").string();
  std::ofstream(config) << WithRegions(ShippedConfig(), kFastRegions)
                        << "\nstorage = {\n  backend = \"postgres\"\n  url_env = "
                           "\"BP_TEST_DATABASE_URL\"\n}\n";
  ::setenv("BP_TEST_DATABASE_URL",
           ("postgresql://alice:s3cret-pw@127.0.0.1:" + std::to_string(port) + "/profiles").c_str(),
           1);
  RunResult r = RunBinary({"serve", "--config", config, "--listen", "127.0.0.1:0", "--state",
                           (dir.path() / "state").string()});
  ::unsetenv("BP_TEST_DATABASE_URL");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("cannot connect to PostgreSQL at postgresql://alice@127.0.0.1:" +
                               std::to_string(port) + "/profiles"));
  EXPECT_THAT(r.err + r.out, Not(HasSubstr("s3cret-pw")));
}

}  // namespace
}  // namespace bp::testing
