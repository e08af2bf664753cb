// Real `serve` processes on one PostgreSQL database (issue 17): three start
// together (each bootstraps the shipped profiles, one after the other under
// the startup lock), a profile created through one instance's control plane
// is listed by the other two within a second, and a delete is gone from the
// rest; the official SDK's calls spread over the three are metered once each
// in the shared ledger, whichever instance `usage` asks; and a kill -9 of
// one instance and a database restart during a workload lose and double
// nothing. With the database stopped under a running instance, the runtime
// still answers from its snapshot, profile changes fail with 503
// ServiceUnavailableException, /readyz says which part is degraded, and all
// is well again once the database is back. The server is Debian's
// PostgreSQL, started by the test
// (tests/testing/postgres_server.h); the calls are made by
// tests/sdk/cluster-calls.mjs with the official runtime client.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
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
  std::string ledger_id;            // its local ledger's instance id (banner)
};

// What cluster-calls.mjs (the official runtime client) reports.
struct Workload {
  std::vector<std::pair<int, std::string>> answered;  // endpoint index, request id
  std::vector<std::pair<int, std::string>> refused;   // endpoint index, error name
  std::string raw;
};

// Converse calls spread round-robin over `endpoints` (comma-separated) with
// the official SDK, as the shipped consumer, `concurrency` at a time.
Workload RunWorkload(const std::string& endpoints, int count, int concurrency, bool stream,
                     const std::vector<std::string>& extra = {}) {
  const std::string sdk = std::string(std::getenv("BP_SOURCE_DIR")) + "/tests/sdk";
  std::vector<std::string> args = {sdk + "/cluster-calls.mjs",
                                   "--endpoints",
                                   endpoints,
                                   "--model",
                                   "arn:aws:bedrock:eu-central-1:123456789012:"
                                   "application-inference-profile/acwt9yee9wzo",
                                   "--count",
                                   std::to_string(count),
                                   "--concurrency",
                                   std::to_string(concurrency)};
  if (stream) args.push_back("--stream");
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = RunProgram("node", args, std::chrono::seconds(180), sdk);
  Workload w;
  w.raw = r.out + r.err;
  EXPECT_EQ(r.exit_code, 0) << w.raw;
  if (r.exit_code != 0) return w;
  boost::json::value v = boost::json::parse(r.out);
  for (const auto& a : v.at("answered").as_array()) {
    w.answered.emplace_back(static_cast<int>(a.at("endpoint").to_number<int64_t>()),
                            std::string(a.at("requestId").as_string()));
  }
  for (const auto& a : v.at("refused").as_array()) {
    w.refused.emplace_back(static_cast<int>(a.at("endpoint").to_number<int64_t>()),
                           std::string(a.at("name").as_string()));
  }
  return w;
}

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

  std::string StateDir(size_t i) const {
    return (dir_.path() / ("state-" + std::to_string(i))).string();
  }

  // --log-level warn: no access lines, so a workload of hundreds of calls
  // does not fill the stderr pipe the test reads only at the end.
  std::unique_ptr<ChildProcess> Spawn(size_t i) const {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{"serve", "--config", config_, "--listen", "127.0.0.1:0", "--state",
                                 StateDir(i), "--log-level", "warn"});
  }

  // Reads an instance's banner: its endpoint, then the lines up to the
  // storage line, which names its ledger's instance id.
  static void ReadBanner(Instance& instance) {
    static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:\d+))");
    static const std::regex kInstanceId(R"(, instance ([0-9a-f]{32})\))");
    std::smatch m;
    auto first = instance.process->ReadLine(std::chrono::seconds(30));
    ASSERT_TRUE(first && std::regex_search(*first, m, kListening)) << first.value_or("") << "\n"
                                                                   << instance.process->Stderr();
    instance.endpoint = m[1];
    instance.banner.clear();
    while (auto line = instance.process->ReadLine(std::chrono::seconds(5))) {
      instance.banner.push_back(*line);
      if (line->find("usage ledger") != std::string::npos) {
        if (std::regex_search(*line, m, kInstanceId)) instance.ledger_id = m[1];
        break;
      }
    }
  }

  // Starts `n` instances at once, then reads each one's banner.
  void StartTogether(int n) {
    for (int i = 0; i < n; ++i) {
      Instance instance;
      instance.process = Spawn(static_cast<size_t>(i));
      instances_.push_back(std::move(instance));
    }
    for (Instance& instance : instances_) ASSERT_NO_FATAL_FAILURE(ReadBanner(instance));
  }

  // Starts instance `i` again on its state directory (a new port).
  void Restart(size_t i) {
    instances_[i].process = Spawn(i);
    ASSERT_NO_FATAL_FAILURE(ReadBanner(instances_[i]));
  }

  std::string Endpoints() const {
    std::string out;
    for (const Instance& i : instances_) out += (out.empty() ? "" : ",") + i.endpoint;
    return out;
  }

  // One value (first column of the first row) read with psql.
  std::string Psql(const std::string& sql) const {
    RunResult r = RunProgram("psql", {url_, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql});
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }
  int64_t PsqlInt(const std::string& sql) const {
    const std::string v = Psql(sql);
    return v.empty() ? -1 : std::stoll(v);
  }

  // `usage --json` of an endpoint (as the shipped admin) or a state directory.
  static int64_t ReportTotal(const std::vector<std::string>& where) {
    std::vector<std::string> args = {"usage", "--json", "--since", "1h"};
    args.insert(args.end(), where.begin(), where.end());
    RunResult r = RunBinary(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    if (r.exit_code != 0) return -1;
    return boost::json::parse(r.out).at("total").at("requests").to_number<int64_t>();
  }
  int64_t EndpointTotal(const Instance& i) const {
    return ReportTotal(
        {"--endpoint", i.endpoint, "--principal", "platform-admin", "--config", config_});
  }
  int64_t LocalTotal(size_t i) const { return ReportTotal({"--state", StateDir(i)}); }

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

TEST_F(PostgresServeTest, ThreeInstancesShareTheProfilesWithinOneSecond) {
  ASSERT_NO_FATAL_FAILURE(StartTogether(3));
  for (const Instance& i : instances_) {
    std::string banner;
    for (const std::string& line : i.banner) banner += line + "\n";
    EXPECT_THAT(banner, HasSubstr("profiles and usage ledger on PostgreSQL " + url_ + " ("));
    EXPECT_THAT(banner, HasSubstr("this instance's records queue in "));
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

  // Listed by instances 2 and 3 within a second.
  for (size_t other : {size_t{1}, size_t{2}}) {
    std::optional<std::chrono::milliseconds> listed = Within(std::chrono::milliseconds(1500), [&] {
      Answer list =
          Signed(dir_, "GET", instances_[other].endpoint + "/inference-profiles?type=APPLICATION");
      return list.status == "200" && list.body.find(arn) != std::string::npos;
    });
    ASSERT_TRUE(listed.has_value())
        << "instance " << other + 1 << " never listed " << arn << ":\n"
        << Signed(dir_, "GET", instances_[other].endpoint + "/inference-profiles?type=APPLICATION")
               .body
        << "\n"
        << instances_[other].process->Stderr();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - created_at, std::chrono::milliseconds(1500));

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

// The official SDK's calls spread over three instances: each is metered
// once, in the shared ledger, and `usage` gives the same totals whichever
// instance is asked.
TEST_F(PostgresServeTest, CallsSpreadOverThreeInstancesAreMeteredOnceEach) {
  ASSERT_NO_FATAL_FAILURE(StartTogether(3));
  Workload plain = RunWorkload(Endpoints(), 30, 3, /*stream=*/false);
  Workload streamed = RunWorkload(Endpoints(), 6, 2, /*stream=*/true);
  ASSERT_EQ(plain.answered.size(), 30u) << plain.raw;
  ASSERT_EQ(streamed.answered.size(), 6u) << streamed.raw;
  std::set<std::string> ids;
  for (const Workload* w : {&plain, &streamed}) {
    for (const auto& [endpoint, id] : w->answered) ids.insert(id);
  }
  ASSERT_EQ(ids.size(), 36u);

  // Shipped within the two batch intervals (local ledger, then shipper).
  auto shipped = Within(std::chrono::seconds(10),
                        [&] { return PsqlInt("SELECT count(*) FROM usage_records") >= 36; });
  ASSERT_TRUE(shipped.has_value()) << Psql("SELECT count(*) FROM usage_records");
  EXPECT_LT(*shipped, std::chrono::seconds(3));
  EXPECT_EQ(PsqlInt("SELECT count(DISTINCT instance_id) FROM usage_records"), 3);
  std::set<std::string> stored;
  {
    const std::string all = Psql("SELECT string_agg(request_id, ',') FROM usage_records");
    for (size_t at = 0; at <= all.size();) {
      size_t comma = all.find(',', at);
      if (comma == std::string::npos) comma = all.size();
      stored.insert(all.substr(at, comma - at));
      at = comma + 1;
    }
  }
  EXPECT_EQ(stored, ids) << "the ledger holds exactly the calls the SDK saw answered";
  for (const Instance& i : instances_) EXPECT_EQ(EndpointTotal(i), 36) << i.endpoint;
  // Nothing shipped twice later either.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM usage_records"), 36);
  for (const Instance& i : instances_) EXPECT_EQ(EndpointTotal(i), 36) << i.endpoint;
  int64_t local = 0;
  for (size_t i = 0; i < instances_.size(); ++i) local += LocalTotal(i);
  EXPECT_EQ(local, 36) << "--state shows one instance's calls; together they are all";
  // /readyz and /metrics say how the shipping goes.
  boost::system::error_code ec;
  int64_t shipped_total = 0;
  for (const Instance& i : instances_) {
    std::string raw;
    boost::json::value ready = Readyz(i.endpoint, &raw);
    const boost::json::value* ledger = ready.find_pointer("/details/usage_ledger", ec);
    ASSERT_NE(ledger, nullptr) << raw;
    EXPECT_EQ(ledger->at("state"), "ok") << raw;
    shipped_total += ledger->at("shipped").to_number<int64_t>();
    RunResult metrics = RunProgram("curl", {"--silent", i.endpoint + "/metrics"});
    EXPECT_THAT(metrics.out, HasSubstr("bedrock_profiles_ledger_records_shipped_total "));
  }
  EXPECT_EQ(shipped_total, 36);
  // /metrics' cluster totals: every instance's calls, the same on each.
  for (const Instance& i : instances_) {
    double cluster = 0;
    auto counted = Within(std::chrono::seconds(5), [&] {
      RunResult metrics = RunProgram("curl", {"--silent", i.endpoint + "/metrics"});
      cluster = 0;
      std::istringstream lines(metrics.out);
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind("bedrock_profiles_cluster_requests_total{", 0) != 0) continue;
        cluster += std::stod(line.substr(line.rfind(' ') + 1));
      }
      return cluster == 36;
    });
    EXPECT_TRUE(counted.has_value()) << i.endpoint << " counts " << cluster;
  }
}

// kill -9 of one instance and a restart of the database, both during a
// workload: no acknowledged profile is lost, and every usage record any
// instance's local ledger holds reaches the shared ledger exactly once
// (what the killed one had not yet written locally, at most its last batch
// interval, is the documented loss of a kill -9; docs/metering.md).
TEST_F(PostgresServeTest, KillNineAndADatabaseRestartLoseAndDoubleNothing) {
  ASSERT_NO_FATAL_FAILURE(StartTogether(3));
  Answer created = Signed(dir_, "POST", instances_[2].endpoint + "/inference-profiles",
                          R"({"inferenceProfileName":"pg-kept","modelSource":{"copyFrom":")" +
                              std::string(kHaikuSystemArn) + "\"}}");
  ASSERT_EQ(created.status, "201") << created.body << created.err;
  const std::string arn =
      std::string(boost::json::parse(created.body).at("inferenceProfileArn").as_string());

  Workload during;
  std::atomic<bool> workload_done{false};
  std::thread workload([&] {
    during = RunWorkload(Endpoints(), 2000, 3, /*stream=*/false);
    workload_done.store(true);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  instances_[2].process->Signal(SIGKILL);
  EXPECT_EQ(instances_[2].process->Wait(std::chrono::seconds(10)), -SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_OK(server_->Restart());
  EXPECT_FALSE(workload_done.load()) << "the database restarted after the workload, not during it";
  workload.join();
  ASSERT_GT(during.answered.size(), 100u) << during.raw;
  // Only the killed instance refused calls: the others answered from their
  // snapshots while the database restarted.
  for (const auto& [endpoint, name] : during.refused) EXPECT_EQ(endpoint, 2) << name;

  ASSERT_NO_FATAL_FAILURE(Restart(2));
  // The profile acknowledged before the kill is there, on every instance.
  for (const Instance& i : instances_) {
    Answer got =
        Signed(dir_, "GET", i.endpoint + "/inference-profiles/" + arn.substr(arn.rfind('/') + 1));
    EXPECT_EQ(got.status, "200") << i.endpoint << got.body << got.err;
  }
  // The live instances' local ledgers hold every call they answered (their
  // writers commit within a batch interval of the workload's end).
  std::vector<int64_t> answered_by(instances_.size(), 0);
  for (const auto& [endpoint, id] : during.answered) ++answered_by[static_cast<size_t>(endpoint)];
  for (size_t i : {size_t{0}, size_t{1}}) {
    auto written =
        Within(std::chrono::seconds(10), [&] { return LocalTotal(i) >= answered_by[i]; });
    ASSERT_TRUE(written.has_value()) << "instance " << i << ": " << LocalTotal(i) << " of "
                                     << answered_by[i] << " calls in its local ledger";
  }
  // Each local ledger reaches the shared one whole, once.
  std::vector<int64_t> local(instances_.size());
  auto caught_up = Within(std::chrono::seconds(20), [&] {
    for (size_t i = 0; i < instances_.size(); ++i) {
      local[i] = LocalTotal(i);
      const int64_t shared = PsqlInt("SELECT count(*) FROM usage_records WHERE instance_id = '" +
                                     instances_[i].ledger_id + "'");
      if (shared != local[i]) return false;
    }
    return true;
  });
  ASSERT_TRUE(caught_up.has_value()) << instances_[2].process->Stderr();
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM usage_records"),
            PsqlInt("SELECT count(DISTINCT request_id) FROM usage_records"));
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM usage_records"),
            PsqlInt("SELECT sum(requests)::bigint FROM usage_totals"));
  // Every call the live instances answered is metered.
  std::set<std::string> answered_live;
  for (const auto& [endpoint, id] : during.answered) {
    if (endpoint != 2) answered_live.insert(id);
  }
  const int64_t live_metered = PsqlInt(
      "SELECT count(*) FROM usage_records WHERE instance_id IN ('" + instances_[0].ledger_id +
      "', '" + instances_[1].ledger_id + "') AND model_id <> '' AND status = 200");
  EXPECT_EQ(live_metered, static_cast<int64_t>(answered_live.size()));
  const int64_t total = PsqlInt("SELECT count(*) FROM usage_records");
  for (const Instance& i : instances_) EXPECT_EQ(EndpointTotal(i), total) << i.endpoint;
}

// A budget that fits about ten calls, shared by three instances through
// leases: calls spread over all three (the SDK retrying "busy" as it retries
// any throttling) are admitted until the budget is spent, and all of them
// together cost no more than the budget plus one call's reservation.
TEST_F(PostgresServeTest, ABudgetHoldsAcrossThreeInstances) {
  std::ofstream(config_) << WithRegions(ShippedConfig(), kFastRegions)
                         << "\nbudgets = { profiles = { rd-haiku-45 = { monthly_usd = 0.005 } } }\n"
                         << "storage = {\n  backend = \"postgres\"\n  url     = \"" << url_
                         << "\"\n}\n";
  ASSERT_NO_FATAL_FAILURE(StartTogether(3));
  std::string words;
  for (int i = 0; i < 80; ++i) words += " word" + std::to_string(i);
  Workload w = RunWorkload(Endpoints(), 60, 3, /*stream=*/false,
                           {"--text", "Say:" + words, "--max-tokens", "100", "--attempts", "4"});
  // Every refusal, once the SDK's retries are spent, is the budget's.
  int exhausted = 0;
  for (const auto& [endpoint, name] : w.refused) {
    EXPECT_THAT(name, ::testing::AnyOf("ServiceQuotaExceededException", "ThrottlingException"))
        << w.raw;
    exhausted += name == "ServiceQuotaExceededException";
  }
  EXPECT_GT(exhausted, 0) << "the budget never ran out: " << w.answered.size() << " calls";
  std::set<int> serving;
  for (const auto& [endpoint, id] : w.answered) serving.insert(endpoint);
  EXPECT_EQ(serving.size(), 3u) << "every instance admitted some of the budget's calls";
  auto shipped = Within(std::chrono::seconds(10), [&] {
    return PsqlInt("SELECT count(*) FROM usage_records WHERE status = 200") ==
           static_cast<int64_t>(w.answered.size());
  });
  ASSERT_TRUE(shipped.has_value());
  const int64_t spent = PsqlInt(
      "SELECT coalesce(sum(cost_micro_usd), 0)::bigint FROM usage_records WHERE status = 200");
  const int64_t largest = PsqlInt(
      "SELECT coalesce(max(cost_micro_usd), 0)::bigint FROM usage_records WHERE status = 200");
  const int64_t budget = 5'000;  // micro-USD
  boost::system::error_code ec;
  std::string raw;
  const boost::json::value ready = Readyz(instances_[0].endpoint, &raw);
  const boost::json::value* limits = ready.find_pointer("/details/limits", ec);
  ASSERT_NE(limits, nullptr) << raw;
  EXPECT_EQ(limits->at("state"), "ok") << raw;
  std::cout << "budget: " << w.answered.size() << " call(s) admitted, " << w.refused.size()
            << " refused, " << spent << " micro-USD spent, largest call " << largest << "\n";
  // The budget fits budget / largest calls: no more than that plus one.
  EXPECT_LE(static_cast<int64_t>(w.answered.size()), budget / largest + 1);
  // A call's reservation (its worst case: input + 100 output tokens) is at
  // most twice its cost here; the budget may be passed by at most one.
  EXPECT_LE(spent, budget + 2 * largest)
      << w.answered.size() << " calls admitted at up to " << largest << " micro-USD each";
  EXPECT_GE(static_cast<int64_t>(w.answered.size()) * largest, budget / 2)
      << "the leases starved the calls: only " << w.answered.size() << " admitted";
  // The instances agree on the spend: the database's.
  EXPECT_EQ(PsqlInt("SELECT used FROM limit_usage WHERE key = 'budget/profile/rd-haiku-45'"),
            spent);
}

// A requests-per-minute quota shared by three instances through leases:
// however the calls spread, each minute admits no more than the limit.
TEST_F(PostgresServeTest, AQuotaHoldsAcrossThreeInstances) {
  std::ofstream(config_) << WithRegions(ShippedConfig(), kFastRegions)
                         << "\nquotas = {\n  profiles = { rd-haiku-45 = { requests_per_minute = 12 "
                            "} }\n  default_max_tokens = 256\n}\n"
                         << "storage = {\n  backend = \"postgres\"\n  url     = \"" << url_
                         << "\"\n}\n";
  ASSERT_NO_FATAL_FAILURE(StartTogether(3));
  Workload w = RunWorkload(Endpoints(), 30, 3, /*stream=*/false, {"--attempts", "3"});
  for (const auto& [endpoint, name] : w.refused) EXPECT_EQ(name, "ThrottlingException") << w.raw;
  EXPECT_FALSE(w.refused.empty()) << "the quota never refused: " << w.answered.size();
  auto shipped = Within(std::chrono::seconds(10), [&] {
    return PsqlInt("SELECT count(*) FROM usage_records WHERE status = 200") ==
           static_cast<int64_t>(w.answered.size());
  });
  ASSERT_TRUE(shipped.has_value());
  // Per minute window (the quota's), across the instances.
  EXPECT_LE(PsqlInt("SELECT coalesce(max(n), 0)::bigint FROM (SELECT count(*) AS n FROM "
                    "usage_records WHERE status = 200 GROUP BY time_ms / 60000) m"),
            12)
      << w.answered.size() << " admitted";
  EXPECT_GE(w.answered.size(), 6u) << "the leases starved the calls";
  std::cout << "quota: " << w.answered.size() << " call(s) admitted, " << w.refused.size()
            << " refused\n";
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
  EXPECT_EQ(storage["database"],
            boost::json::value(url_));  // url_ as shown: without the password
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

// docs/deploy.md sizes max_connections by this count: a serving instance
// holds its store's connection, its listener's and its usage shipper's (the
// startup lock's is closed before it listens), a control-plane write and the
// reload it causes elsewhere open no more, and an instance that exits closes
// its own.
TEST_F(PostgresServeTest, EachServingInstanceHoldsThreeConnections) {
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
  // The shipper connects on its own thread, right after the start.
  EXPECT_TRUE(Within(std::chrono::seconds(2), [&] { return sessions() == "6"; }))
      << "sessions of two instances: " << sessions();

  Answer created = Signed(dir_, "POST", instances_[0].endpoint + "/inference-profiles",
                          R"({"inferenceProfileName":"pg-count","modelSource":{"copyFrom":")" +
                              std::string(kHaikuSystemArn) + "\"}}");
  ASSERT_EQ(created.status, "201") << created.body << created.err;
  ASSERT_TRUE(Within(std::chrono::milliseconds(1500), [&] {
    return Signed(dir_, "GET", instances_[1].endpoint + "/inference-profiles?type=APPLICATION")
               .body.find("pg-count") != std::string::npos;
  }));
  EXPECT_EQ(sessions(), "6");

  instances_[1].process->Signal(SIGTERM);
  EXPECT_EQ(instances_[1].process->Wait(std::chrono::seconds(20)), 0)
      << instances_[1].process->Stderr();
  instances_[1].process.reset();
  // The server ends a session when it sees the socket close: allow a moment.
  EXPECT_TRUE(Within(std::chrono::seconds(2), [&] { return sessions() == "3"; }))
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
