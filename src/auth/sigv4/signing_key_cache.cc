#include "auth/sigv4/signing_key_cache.h"

#include <openssl/crypto.h>

namespace bp::auth::sigv4 {

SigningKeyCache::SigningKeyCache(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

SigningKeyCache::~SigningKeyCache() {
  MutexLock lock(mu_);
  WipeAll();
}

std::optional<SigningKey> SigningKeyCache::Find(std::string_view id) const {
  MutexLock lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return it->second;
}

void SigningKeyCache::Insert(std::string_view id, const SigningKey& key) {
  MutexLock lock(mu_);
  if (entries_.size() >= capacity_ && entries_.find(id) == entries_.end()) WipeAll();
  entries_[std::string(id)] = key;
}

SigningKeyCache::Stats SigningKeyCache::stats() const {
  MutexLock lock(mu_);
  return Stats{hits_, misses_, entries_.size()};
}

void SigningKeyCache::WipeAll() {
  for (auto& [id, key] : entries_) OPENSSL_cleanse(key.data(), key.size());
  entries_.clear();
}

}  // namespace bp::auth::sigv4
