#include "api/dashboard/session_store.h"

#include <array>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/sha256.h"

namespace bp::api::dashboard {

namespace {

Result<std::string> RandomHex() {
  std::array<uint8_t, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return InternalError("the random number generator failed");
  }
  return HexEncode(bytes);
}

}  // namespace

bool SecretEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SessionStore::SessionStore(SessionOptions options, const Clock& clock)
    : options_(options), clock_(clock) {}

Result<SessionStore::Created> SessionStore::Create(auth::Principal principal) {
  BP_ASSIGN_OR_RETURN(std::string token, RandomHex());
  BP_ASSIGN_OR_RETURN(std::string csrf, RandomHex());
  Created created{.token = std::move(token),
                  .session = {.principal = std::move(principal), .csrf_token = std::move(csrf)}};
  std::string key = Sha256Hex(created.token);
  const auto now = clock_.SteadyNow();
  MutexLock lock(mu_);
  while (!lru_.empty() && sessions_.size() >= options_.max_sessions) {
    sessions_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  sessions_.emplace(std::move(key),
                    Entry{.session = created.session, .last_used = now, .lru = lru_.begin()});
  return created;
}

std::optional<Session> SessionStore::Touch(std::string_view token, bool activity) {
  const std::string key = Sha256Hex(token);
  const auto now = clock_.SteadyNow();
  MutexLock lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  Entry& entry = it->second;
  if (now - entry.last_used > options_.idle_timeout) {
    lru_.erase(entry.lru);
    sessions_.erase(it);
    return std::nullopt;
  }
  if (activity) {
    entry.last_used = now;
    lru_.splice(lru_.begin(), lru_, entry.lru);
  }
  return entry.session;
}

void SessionStore::Remove(std::string_view token) {
  const std::string key = Sha256Hex(token);
  MutexLock lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  lru_.erase(it->second.lru);
  sessions_.erase(it);
}

size_t SessionStore::size() const {
  MutexLock lock(mu_);
  return sessions_.size();
}

}  // namespace bp::api::dashboard
