#include "server/config_reloader.h"

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "server/snapshot_test_util.h"
#include "testing/testing.h"

namespace bp::server {
namespace {

using testing::ConfigText;
using ::testing::HasSubstr;
using testing::LogCapture;
using ::testing::Not;
using testing::Principal;

constexpr char kAliceKey[] = "AKIAALICE00000000001";
constexpr char kBobKey[] = "AKIABOB0000000000001";

class ConfigReloaderTest : public testing::SnapshotFixture {
 protected:
  ConfigReloaderTest() : path_(dir_.path() / "bedrock-profiles.hcl") {
    Write(ConfigText(Principal("alice", kAliceKey)));
    config::LoadResult loaded = config::LoadFile(path_, catalog_, NoEnv());
    EXPECT_TRUE(loaded.errors.empty());
    if (loaded.config) {
      handler_ = std::make_unique<SnapshotHandler>(
          Build(std::make_shared<const config::Config>(std::move(*loaded.config))));
    }
  }

  void Write(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }

  std::unique_ptr<ConfigReloader> MakeReloader(
      std::function<Status(const config::Config&)> vet = {}) {
    return std::make_unique<ConfigReloader>(
        ConfigReloader::Options{.config_path = path_, .env = NoEnv(), .vet = std::move(vet)},
        *environment_, *handler_);
  }

  const config::Config& Running() const { return handler_->Current()->config(); }

  bp::testing::TempDir dir_;
  std::filesystem::path path_;
  std::unique_ptr<SnapshotHandler> handler_;
};

TEST_F(ConfigReloaderTest, AValidFileIsPublishedAndSummarised) {
  ASSERT_NE(handler_, nullptr);
  auto reloader = MakeReloader();
  const auto before = handler_->Current();
  Write(ConfigText(Principal("alice", kAliceKey) + Principal("bob", kBobKey)));
  LogCapture log;
  ASSERT_OK(reloader->ReloadNow());
  EXPECT_NE(handler_->Current(), before);
  EXPECT_NE(Running().FindPrincipal("bob"), nullptr);
  EXPECT_THAT(log.text(), HasSubstr("[info] reloaded config from " + path_.string() +
                                    ": 2 principal(s), 1 profile(s), 3 region(s) (routing "
                                    "home-first, home eu-central-1)"));
  EXPECT_THAT(log.text(), Not(HasSubstr("[warning]")));
}

TEST_F(ConfigReloaderTest, AnInvalidFileKeepsTheRunningConfigAndLogsEveryErrorWithItsLocation) {
  ASSERT_NE(handler_, nullptr);
  auto reloader = MakeReloader();
  const auto before = handler_->Current();
  Write(ConfigText(Principal("bob", kBobKey), "", "", "frobnicate = 1\nregoin = \"x\"\n"));
  LogCapture log;
  EXPECT_THAT(reloader->ReloadNow(), bp::testing::StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(handler_->Current(), before);
  EXPECT_EQ(Running().FindPrincipal("bob"), nullptr);
  const std::string file = path_.string();
  EXPECT_THAT(log.text(), HasSubstr("[error] " + file + ":1:1: "));
  EXPECT_THAT(log.text(), HasSubstr("[error] " + file + ":2:1: "));
  EXPECT_THAT(log.text(), HasSubstr("[error] config reload from " + file +
                                    " refused: 2 error(s) in the file; still serving the "
                                    "previous config"));
  EXPECT_THAT(log.text(), Not(HasSubstr("reloaded config")));
}

TEST_F(ConfigReloaderTest, TheSameLinesAsValidatePrints) {
  ASSERT_NE(handler_, nullptr);
  auto reloader = MakeReloader();
  Write(ConfigText(Principal("bob", kBobKey), "", "policy = \"round-robin\""));
  config::LoadResult direct = config::LoadFile(path_, catalog_, NoEnv());
  ASSERT_FALSE(direct.errors.empty());
  LogCapture log;
  EXPECT_FALSE(reloader->ReloadNow().ok());
  for (const std::string& line : config::FormatDiagnostics(direct)) {
    EXPECT_THAT(log.text(), HasSubstr("] " + line + "\n"));
  }
}

TEST_F(ConfigReloaderTest, AnUnreadableFileKeepsTheRunningConfig) {
  ASSERT_NE(handler_, nullptr);
  auto reloader = MakeReloader();
  const auto before = handler_->Current();
  std::filesystem::remove(path_);
  LogCapture log;
  EXPECT_FALSE(reloader->ReloadNow().ok());
  EXPECT_EQ(handler_->Current(), before);
  EXPECT_THAT(log.text(), HasSubstr("cannot read the config file"));
}

TEST_F(ConfigReloaderTest, RestartOnlySettingsKeepTheirValuesWithAWarningAndTheRestApplies) {
  ASSERT_NE(handler_, nullptr);
  auto reloader = MakeReloader();
  Write(ConfigText(Principal("bob", kBobKey), "", "",
                   "server = { idle_timeout_ms = 5000, max_connections = 10 }\n"));
  LogCapture log;
  ASSERT_OK(reloader->ReloadNow());
  EXPECT_EQ(Running().server.idle_timeout_ms, config::ServerConfig{}.idle_timeout_ms);
  EXPECT_EQ(Running().server.max_connections, 0u);
  EXPECT_NE(Running().FindPrincipal("bob"), nullptr);  // applied
  EXPECT_THAT(log.text(), HasSubstr("[warning] config reload: server.idle_timeout_ms changed from "
                                    "60000 to 5000: needs a restart; kept 60000"));
  EXPECT_THAT(log.text(), HasSubstr("server.max_connections changed from 0 to 10"));
}

TEST_F(ConfigReloaderTest, RestartOnlyChangesNamesAccountAndRegion) {
  config::Config running;
  running.account_id = "123456789012";
  running.region = "eu-central-1";
  running.routing.home_region = "eu-central-1";
  config::Config next = running;
  next.account_id = "210987654321";
  next.region = "eu-west-1";
  next.routing.home_region = "eu-west-1";  // defaulted to the new region
  std::vector<std::string> warnings = RestartOnlyChanges(running, next);
  EXPECT_THAT(warnings,
              ::testing::ElementsAre(
                  "account_id changed from 123456789012 to 210987654321: needs a restart; kept "
                  "123456789012",
                  "region changed from eu-central-1 to eu-west-1: needs a restart; kept "
                  "eu-central-1"));
  EXPECT_EQ(next.account_id, "123456789012");
  EXPECT_EQ(next.region, "eu-central-1");
  EXPECT_EQ(next.routing.home_region, "eu-central-1");
  EXPECT_TRUE(RestartOnlyChanges(running, next).empty());
}

TEST_F(ConfigReloaderTest, RestartOnlyChangesKeepTheLedgerRetention) {
  config::Config running;
  config::Config next = running;
  next.metering.raw_retention_ms = 7 * 86'400'000LL;
  next.metering.rollup_retention_ms = 0;
  EXPECT_THAT(RestartOnlyChanges(running, next),
              ::testing::ElementsAre("metering retention changed from raw 720h, roll-ups 9600h "
                                     "to raw 168h, roll-ups forever: needs a restart; kept raw "
                                     "720h, roll-ups 9600h"));
  EXPECT_EQ(next.metering, running.metering);
}

TEST_F(ConfigReloaderTest, RestartOnlyChangesKeepTheProfileStoreWithoutShowingItsUrl) {
  config::Config running;
  config::Config next = running;
  next.storage.backend = config::StorageConfig::Backend::kPostgres;
  next.storage.url = "postgresql://bp:secret-pw@db/profiles";
  EXPECT_THAT(RestartOnlyChanges(running, next),
              ::testing::ElementsAre("storage changed: needs a restart; kept the profile store "
                                     "serve started with"));
  EXPECT_EQ(next.storage, running.storage);
}

TEST_F(ConfigReloaderTest, AReloadNeverWritesProfilesAndSaysSoWhenTheyChanged) {
  ASSERT_NE(handler_, nullptr);
  Bootstrap(Running());
  Result<std::vector<storage::ProfileRecord>> stored = store_->List();
  ASSERT_OK(stored);
  ASSERT_EQ(stored->size(), 1u);
  auto reloader = MakeReloader();
  std::string text = ConfigText(Principal("alice", kAliceKey));
  text.replace(text.find("id = \"acwt9yee9wzo\""), 0, "tags = { billing-mode = \"rd\" }\n    ");
  Write(text);
  LogCapture log;
  ASSERT_OK(reloader->ReloadNow());
  EXPECT_THAT(log.text(), HasSubstr("[warning] config reload: inference_profiles changed in " +
                                    path_.string() + "; a reload never writes profiles"));
  Result<std::vector<storage::ProfileRecord>> after = store_->List();
  ASSERT_OK(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().tags, stored->front().tags);
  EXPECT_EQ(after->front().updated_at_ms, stored->front().updated_at_ms);
}

TEST_F(ConfigReloaderTest, AVetoKeepsTheRunningConfig) {
  ASSERT_NE(handler_, nullptr);
  auto reloader = MakeReloader([](const config::Config& next) {
    return next.FindPrincipal("bob") != nullptr ? ValidationError("no bobs here") : Status::Ok();
  });
  const auto before = handler_->Current();
  Write(ConfigText(Principal("bob", kBobKey)));
  LogCapture log;
  EXPECT_FALSE(reloader->ReloadNow().ok());
  EXPECT_EQ(handler_->Current(), before);
  EXPECT_THAT(log.text(), HasSubstr("refused: no bobs here; still serving the previous config"));
}

TEST_F(ConfigReloaderTest, RequestReloadsOnTheReloadersOwnThread) {
  ASSERT_NE(handler_, nullptr);
  auto reloader = MakeReloader();
  const auto before = handler_->Current();
  Write(ConfigText(Principal("bob", kBobKey)));
  reloader->Request();
  reloader->Request();  // merged with the first, or one more reload: either way bob's file
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (handler_->Current() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_NE(Running().FindPrincipal("bob"), nullptr);
  reloader.reset();  // joins, whatever is still running
  EXPECT_NE(Running().FindPrincipal("bob"), nullptr);
}

}  // namespace
}  // namespace bp::server
