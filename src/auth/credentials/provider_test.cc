// CredentialProvider on a fake clock: the first resolve, refresh before
// expiry, backoff and expiry while refreshes fail, readers racing refreshes,
// and prompt shutdown; then the real chain against the IMDSv2 stand-in.

#include "auth/credentials/provider.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "auth/credentials/credential_process.h"
#include "auth/credentials/metadata_stand_in.h"
#include "testing/testing.h"

namespace bp::auth::credentials {
namespace {

using ::bp::testing::FakeClock;
using ::bp::testing::StatusIs;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kDeadline = std::chrono::seconds(10);

Credentials Temporary(const std::string& id, system_clock::time_point expiration) {
  return Credentials{.access_key_id = id,
                     .secret_access_key = "secret-of-" + id,
                     .session_token = "token-of-" + id,
                     .bearer_token = std::nullopt,
                     .source = "scripted (" + id + ")",
                     .expiration = expiration};
}

class ProviderTest : public ::testing::Test {
 protected:
  ProviderTest() {
    options_.max_wait = milliseconds(2);  // the fake clock moves without a notice
    options_.on_refresh = [this](const Status&) {
      std::lock_guard<std::mutex> lock(mu_);
      ++attempts_;
      cv_.notify_all();
    };
  }
  ~ProviderTest() override { provider_.reset(); }

  // Each resolve takes the next scripted answer; the last one repeats.
  void Script(std::vector<Result<Credentials>> answers) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_.assign(answers.begin(), answers.end());
  }
  CredentialProvider& Make() {
    provider_ = std::make_unique<CredentialProvider>(
        options_,
        [this](std::stop_token) -> Result<Credentials> {
          std::lock_guard<std::mutex> lock(mu_);
          calls_at_.push_back(clock_.Now() - start_);
          Result<Credentials> next = answers_.front();
          if (answers_.size() > 1) answers_.pop_front();
          return next;
        },
        clock_);
    return *provider_;
  }
  // Waits (real time, bounded) until `n` refresh attempts have ended.
  bool AwaitAttempts(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return attempts_ >= n; });
  }
  int attempts() {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_;
  }
  std::vector<system_clock::duration> calls_at() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_at_;
  }
  std::string CurrentId() {
    auto c = provider_->Current();
    return c ? c->access_key_id : "<none>";
  }

  FakeClock clock_;
  const system_clock::time_point start_ = clock_.Now();
  ProviderOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Result<Credentials>> answers_;
  std::vector<system_clock::duration> calls_at_;
  int attempts_ = 0;
  std::unique_ptr<CredentialProvider> provider_;
};

TEST_F(ProviderTest, LongTermCredentialsNeedNoRefresher) {
  Script({Credentials{.access_key_id = "AKIASTATIC",
                      .secret_access_key = "s",
                      .session_token = std::nullopt,
                      .bearer_token = std::nullopt,
                      .source = "environment (AWS_ACCESS_KEY_ID)",
                      .expiration = std::nullopt}});
  CredentialProvider& p = Make();
  EXPECT_EQ(p.Current(), nullptr);
  EXPECT_THAT(p.Get(), StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(p.StatusLine(), "upstream AWS credentials: not resolved yet");
  ASSERT_OK(p.Start());
  EXPECT_EQ(CurrentId(), "AKIASTATIC");
  clock_.Advance(hours(24 * 365));
  p.RequestRefresh();
  auto got = p.Get();
  ASSERT_OK(got);
  EXPECT_EQ((*got)->access_key_id, "AKIASTATIC");
  EXPECT_FALSE(p.Describe().next_refresh.has_value());
  EXPECT_EQ(p.StatusLine(), "upstream AWS credentials: environment (AWS_ACCESS_KEY_ID), long-term");
  EXPECT_EQ(calls_at().size(), 1u);
  EXPECT_THAT(p.Start(), StatusIs(ErrorCode::kInternal));
}

TEST_F(ProviderTest, StartFailsWithTheChainsError) {
  Script({ValidationError("no AWS credentials found for profile 'default' (looked at ...)")});
  CredentialProvider& p = Make();
  Status s = p.Start();
  EXPECT_THAT(s, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(s.message(),
            "cannot get the upstream AWS credentials: no AWS credentials found for profile "
            "'default' (looked at ...)");
  EXPECT_EQ(p.Current(), nullptr);
  EXPECT_THAT(p.Get().status().message(), HasSubstr("not started"));
}

TEST_F(ProviderTest, RefreshesFiveMinutesBeforeExpiry) {
  Script({Temporary("ASIAONE", start_ + hours(1)), Temporary("ASIATWO", start_ + hours(2))});
  CredentialProvider& p = Make();
  ASSERT_OK(p.Start());
  EXPECT_EQ(p.Describe().next_refresh, start_ + minutes(55));
  EXPECT_THAT(p.StatusLine(),
              HasSubstr("scripted (ASIAONE), temporary, expire 2026-01-01T01:00:00.000Z "
                        "(refresh from 2026-01-01T00:55:00.000Z)"));
  clock_.Advance(minutes(54));
  EXPECT_EQ(attempts(), 0);
  clock_.Advance(minutes(1));
  ASSERT_TRUE(AwaitAttempts(1));
  EXPECT_LT(clock_.Now(), start_ + hours(1));  // swapped before the old ones expire
  EXPECT_EQ(CurrentId(), "ASIATWO");
  EXPECT_THAT(calls_at(), ElementsAre(system_clock::duration(0), minutes(55)));
  EXPECT_EQ(p.Describe().next_refresh, start_ + hours(2) - minutes(5));
  EXPECT_EQ(p.Describe().failed_refreshes, 0);
}

TEST_F(ProviderTest, AFailingRefreshKeepsTheOldCredentialsUntilTheyExpire) {
  Script({Temporary("ASIAONE", start_ + hours(1)),
          Status(ErrorCode::kServiceUnavailable, "container credentials from X: HTTP 503"),
          Status(ErrorCode::kServiceUnavailable, "container credentials from X: HTTP 503"),
          Status(ErrorCode::kServiceUnavailable, "container credentials from X: HTTP 503"),
          Temporary("ASIATWO", start_ + hours(3))});
  options_.retry_initial = seconds(10);
  options_.retry_max = minutes(3);
  CredentialProvider& p = Make();
  ASSERT_OK(p.Start());
  clock_.Advance(minutes(55));
  ASSERT_TRUE(AwaitAttempts(1));
  EXPECT_EQ(CurrentId(), "ASIAONE");
  EXPECT_OK(p.Get());
  ProviderStatus st = p.Describe();
  EXPECT_EQ(st.failed_refreshes, 1);
  EXPECT_EQ(st.next_refresh, start_ + minutes(55) + seconds(10));
  EXPECT_THAT(p.StatusLine(), HasSubstr("last refresh failed 1 time(s): container credentials"));

  clock_.Advance(seconds(10));  // backoff: 10 s, then 20 s
  ASSERT_TRUE(AwaitAttempts(2));
  EXPECT_EQ(p.Describe().next_refresh, start_ + minutes(55) + seconds(30));
  clock_.Advance(minutes(5));  // past the expiry, and past the next attempt
  ASSERT_TRUE(AwaitAttempts(3));
  auto expired = p.Get();
  EXPECT_THAT(expired, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(expired.status().message(),
            "the upstream AWS credentials from scripted (ASIAONE) expired at "
            "2026-01-01T01:00:00.000Z; refreshing them failed: container credentials from X: "
            "HTTP 503");
  EXPECT_EQ(CurrentId(), "ASIAONE");  // still there, for whoever wants to look
  EXPECT_EQ(p.Describe().next_refresh, clock_.Now() + seconds(40));

  clock_.Advance(seconds(40));
  ASSERT_TRUE(AwaitAttempts(4));
  auto back = p.Get();
  ASSERT_OK(back);
  EXPECT_EQ((*back)->access_key_id, "ASIATWO");
  EXPECT_EQ(p.Describe().failed_refreshes, 0);
  EXPECT_OK(p.Describe().last_error);
  auto at = calls_at();
  ASSERT_EQ(at.size(), 5u);
  EXPECT_EQ(at[1], minutes(55));
  EXPECT_EQ(at[2], minutes(55) + seconds(10));
}

TEST_F(ProviderTest, BackoffStopsGrowingAtTheMaximum) {
  Script({Temporary("ASIAONE", start_ + hours(1)), Status(ErrorCode::kServiceUnavailable, "down")});
  options_.retry_initial = seconds(1);
  options_.retry_max = seconds(5);
  CredentialProvider& p = Make();
  ASSERT_OK(p.Start());
  clock_.Advance(minutes(55));
  std::vector<int64_t> delays;
  for (int n = 1; n <= 5; ++n) {
    ASSERT_TRUE(AwaitAttempts(n));
    auto delay = *p.Describe().next_refresh - clock_.Now();
    delays.push_back(std::chrono::duration_cast<seconds>(delay).count());
    clock_.Advance(std::chrono::duration_cast<milliseconds>(delay));
  }
  EXPECT_THAT(delays, ElementsAre(1, 2, 4, 5, 5));
}

TEST_F(ProviderTest, CredentialsAlreadyInsideTheMarginAreNotFetchedInALoop) {
  Script({Temporary("ASIAONE", start_ + minutes(3)), Temporary("ASIATWO", start_ + minutes(4))});
  CredentialProvider& p = Make();
  ASSERT_OK(p.Start());
  EXPECT_EQ(p.Describe().next_refresh, start_ + seconds(30));  // min_refresh_interval
}

TEST_F(ProviderTest, RequestRefreshFetchesNow) {
  Script({Temporary("ASIAONE", start_ + hours(6)), Temporary("ASIATWO", start_ + hours(12))});
  CredentialProvider& p = Make();
  ASSERT_OK(p.Start());
  p.RequestRefresh();
  ASSERT_TRUE(AwaitAttempts(1));
  EXPECT_EQ(CurrentId(), "ASIATWO");
}

TEST_F(ProviderTest, ReadersNeverSeeAMixedSet) {
  std::vector<Result<Credentials>> script;
  // Each set but the last is already expired: with no minimum interval the
  // refresher goes straight on to the next.
  for (int i = 0; i < 49; ++i) script.push_back(Temporary("ASIA" + std::to_string(i), start_));
  script.push_back(Temporary("ASIA49", start_ + hours(6)));
  Script(script);
  options_.min_refresh_interval = seconds(0);
  CredentialProvider& p = Make();
  ASSERT_OK(p.Start());
  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        auto c = p.Current();
        if (c->secret_access_key != "secret-of-" + c->access_key_id) ++mismatches;
        (void)p.Get();
      }
    });
  }
  bool all = AwaitAttempts(49);
  done = true;
  for (std::thread& r : readers) r.join();
  EXPECT_TRUE(all);
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(CurrentId(), "ASIA49");
}

TEST_F(ProviderTest, ShutdownDoesNotWaitForTheNextRefresh) {
  options_.max_wait = minutes(1);  // the production value: a wait must still end at once
  Script({Temporary("ASIAONE", start_ + hours(6))});
  ASSERT_OK(Make().Start());
  auto begin = std::chrono::steady_clock::now();
  provider_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, milliseconds(500));
}

TEST_F(ProviderTest, ShutdownKillsARunningCredentialProcess) {
  std::promise<void> entered;
  int calls = 0;
  provider_ = std::make_unique<CredentialProvider>(
      options_,
      [&](std::stop_token stop) -> Result<Credentials> {
        if (calls++ == 0) return Temporary("ASIAONE", start_ + hours(1));
        entered.set_value();
        auto out = RunCredentialProcess({"sleep", "30"}, ProcessLimits{}, std::move(stop));
        if (!out.ok()) return out.status();
        return Temporary("ASIANEVER", start_ + hours(2));
      },
      clock_);
  ASSERT_OK(provider_->Start());
  provider_->RequestRefresh();
  ASSERT_EQ(entered.get_future().wait_for(kDeadline), std::future_status::ready);
  auto begin = std::chrono::steady_clock::now();
  provider_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, seconds(3));
  EXPECT_EQ(attempts(), 0);  // a refresh cut short by shutdown is not reported as one
}

TEST(ProviderChainTest, RefreshesFromImdsBeforeExpiry) {
  FakeClock clock;
  const auto t0 = clock.Now();
  testing::MetadataStandIn imds;
  imds.SetCredentialsJson(testing::RemoteJson("ASIAIMDS1", "s1", "t1", t0 + hours(6)));
  std::map<std::string, std::string> vars = {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}};
  EnvLookup env = [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  std::mutex mu;
  std::condition_variable cv;
  int refreshed = 0;
  ProviderOptions options;
  options.max_wait = milliseconds(2);
  options.on_refresh = [&](const Status& s) {
    EXPECT_OK(s);
    std::lock_guard<std::mutex> lock(mu);
    ++refreshed;
    cv.notify_all();
  };
  bp::testing::TempDir home;
  CredentialProvider provider(options, env, home.path(), clock);
  ASSERT_OK(provider.Start());
  EXPECT_EQ(provider.Current()->access_key_id, "ASIAIMDS1");
  EXPECT_THAT(provider.StatusLine(),
              HasSubstr("instance metadata (IMDSv2, " + imds.url() + ", role bp-test-role)"));
  imds.SetCredentialsJson(testing::RemoteJson("ASIAIMDS2", "s2", "t2", t0 + hours(12)));
  clock.Advance(hours(6) - minutes(5));
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, kDeadline, [&] { return refreshed == 1; }));
  EXPECT_EQ(provider.Current()->access_key_id, "ASIAIMDS2");
  EXPECT_EQ(provider.Current()->session_token, "t2");
  EXPECT_EQ(imds.credential_fetches(), 2);
  auto log = imds.log();
  EXPECT_EQ(std::count(log.begin(), log.end(), "PUT /latest/api/token"), 2);  // a token per fetch
}

}  // namespace
}  // namespace bp::auth::credentials
