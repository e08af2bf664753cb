// Two real `serve` processes on one PostgreSQL database (issue 17): they
// start together (both bootstrap the shipped profiles, one after the other
// under the startup lock), a profile created through one instance's control
// plane is listed and answered by the other within a second, and a delete
// through the second is gone from the first. The server is Debian's
// PostgreSQL, started by the test (tests/testing/postgres_server.h).
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
  std::string err;
};

// One request signed by curl for eu-central-1/bedrock as platform-admin.
Answer Signed(const TempDir& dir, const std::string& method, const std::string& url,
              const std::string& body = "") {
  const std::string out = (dir.path() / "answer.txt").string();
  std::vector<std::string> args = {"--silent",    "--show-error",
                                   "--max-time",  "10",
                                   "-X",          method,
                                   "--aws-sigv4", "aws:amz:eu-central-1:bedrock",
                                   "--user",      std::string(kAdminKey) + ":" + kAdminSecret,
                                   "--output",    out,
                                   "--write-out", "%{http_code}"};
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
  std::ifstream in(out);
  a.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return a;
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

// docs/deploy.md sizes max_connections by this count: a serving instance
// holds its store's connection and its listener's (the startup lock's is
// closed before it listens), a control-plane write and the reload it causes
// elsewhere open no more, and an instance that exits closes its own.
TEST_F(PostgresServeTest, EachServingInstanceHoldsTwoConnections) {
  ASSERT_NO_FATAL_FAILURE(StartTogether(2));
  // psql names itself "psql", so only serve's sessions are counted.
  auto sessions = [&] {
    RunResult r =
        RunProgram("psql", {"-X", "-A", "-t", "-d", url_, "-c",
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'bp_serve' AND "
                            "application_name = 'bedrock-profiles'"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  };
  EXPECT_EQ(sessions(), "4");

  Answer created = Signed(dir_, "POST", instances_[0].endpoint + "/inference-profiles",
                          R"({"inferenceProfileName":"pg-count","modelSource":{"copyFrom":")" +
                              std::string(kHaikuSystemArn) + "\"}}");
  ASSERT_EQ(created.status, "201") << created.body << created.err;
  ASSERT_TRUE(Within(std::chrono::milliseconds(1500), [&] {
    return Signed(dir_, "GET", instances_[1].endpoint + "/inference-profiles?type=APPLICATION")
               .body.find("pg-count") != std::string::npos;
  }));
  EXPECT_EQ(sessions(), "4");

  instances_[1].process->Signal(SIGTERM);
  EXPECT_EQ(instances_[1].process->Wait(std::chrono::seconds(20)), 0)
      << instances_[1].process->Stderr();
  instances_[1].process.reset();
  // The server ends a session when it sees the socket close: allow a moment.
  EXPECT_TRUE(Within(std::chrono::seconds(2), [&] { return sessions() == "2"; }))
      << "sessions after one instance stopped: " << sessions();
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
