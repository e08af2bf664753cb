#include "api/dashboard/session_store.h"

#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::api::dashboard {
namespace {

using std::chrono::seconds;

auth::Principal Admin() {
  return {.name = "platform-admin",
          .arn = "arn:aws:iam::123456789012:role/platform-admin",
          .access_key_id = "AKIABPLOCALADMIN0001"};
}

TEST(SessionStoreTest, CreatesUnguessableTokensAndFindsTheSession) {
  testing::FakeClock clock;
  SessionStore store({}, clock);
  Result<SessionStore::Created> a = store.Create(Admin());
  Result<SessionStore::Created> b = store.Create(Admin());
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->token.size(), 64u);
  EXPECT_EQ(a->session.csrf_token.size(), 64u);
  EXPECT_NE(a->token, b->token);
  EXPECT_NE(a->token, a->session.csrf_token);
  EXPECT_NE(a->session.csrf_token, b->session.csrf_token);
  std::optional<Session> found = store.Touch(a->token);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->principal.name, "platform-admin");
  EXPECT_EQ(found->csrf_token, a->session.csrf_token);
  EXPECT_FALSE(store.Touch("not-a-token").has_value());
  EXPECT_FALSE(store.Touch(a->session.csrf_token).has_value());  // the CSRF token is no key
}

TEST(SessionStoreTest, ExpiresAfterTheIdleTimeoutAndUseKeepsItAlive) {
  testing::FakeClock clock;
  SessionStore store({.idle_timeout = seconds(60), .max_sessions = 10}, clock);
  Result<SessionStore::Created> s = store.Create(Admin());
  ASSERT_OK(s);
  clock.Advance(seconds(50));
  EXPECT_TRUE(store.Touch(s->token).has_value());
  clock.Advance(seconds(50));  // 100 s since creation, 50 since last use
  EXPECT_TRUE(store.Touch(s->token).has_value());
  clock.Advance(seconds(61));
  EXPECT_FALSE(store.Touch(s->token).has_value());
  EXPECT_EQ(store.size(), 0u);  // removed once found expired
}

TEST(SessionStoreTest, AnAutomaticRefreshDoesNotKeepItAlive) {
  testing::FakeClock clock;
  SessionStore store({.idle_timeout = seconds(60), .max_sessions = 10}, clock);
  Result<SessionStore::Created> s = store.Create(Admin());
  ASSERT_OK(s);
  for (int i = 0; i < 11; ++i) {
    clock.Advance(seconds(5));
    EXPECT_TRUE(store.Touch(s->token, /*activity=*/false).has_value()) << i;
  }
  clock.Advance(seconds(6));  // 61 s since the last real use
  EXPECT_FALSE(store.Touch(s->token, /*activity=*/false).has_value());
}

TEST(SessionStoreTest, EvictsTheLeastRecentlyUsedBeyondTheCap) {
  testing::FakeClock clock;
  SessionStore store({.idle_timeout = seconds(600), .max_sessions = 2}, clock);
  auto a = store.Create(Admin());
  auto b = store.Create(Admin());
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_TRUE(store.Touch(a->token).has_value());  // b is now the least recently used
  auto c = store.Create(Admin());
  ASSERT_OK(c);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_TRUE(store.Touch(a->token).has_value());
  EXPECT_FALSE(store.Touch(b->token).has_value());
  EXPECT_TRUE(store.Touch(c->token).has_value());
}

TEST(SessionStoreTest, RemoveEndsTheSession) {
  testing::FakeClock clock;
  SessionStore store({}, clock);
  auto s = store.Create(Admin());
  ASSERT_OK(s);
  store.Remove(s->token);
  store.Remove(s->token);  // twice is fine
  EXPECT_FALSE(store.Touch(s->token).has_value());
}

TEST(SessionStoreTest, SecretEqualsComparesWholeValues) {
  EXPECT_TRUE(SecretEquals("abc", "abc"));
  EXPECT_FALSE(SecretEquals("abc", "abd"));
  EXPECT_FALSE(SecretEquals("abc", "ab"));
  EXPECT_FALSE(SecretEquals("", "a"));
  EXPECT_TRUE(SecretEquals("", ""));
}

}  // namespace
}  // namespace bp::api::dashboard
