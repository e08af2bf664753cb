#include "storage/sqlite/record_codec.h"

#include <cstdint>
#include <cstring>

namespace bp::storage::sqlite {
namespace {

using metering::UsageRecord;

void PutVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutInt(int64_t v, std::string& out) {
  char bytes[sizeof v];
  std::memcpy(bytes, &v, sizeof v);
  out.append(bytes, sizeof v);
}

void PutString(std::string_view s, std::string& out) {
  PutVarint(s.size(), out);
  out.append(s);
}

bool GetVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool GetInt(std::string_view& in, int64_t& v) {
  if (in.size() < sizeof v) return false;
  std::memcpy(&v, in.data(), sizeof v);
  in.remove_prefix(sizeof v);
  return true;
}

template <typename T>
bool GetNarrow(std::string_view& in, T& v) {
  int64_t wide = 0;
  if (!GetInt(in, wide)) return false;
  v = static_cast<T>(wide);
  return true;
}

bool GetString(std::string_view& in, std::string& s) {
  uint64_t size = 0;
  if (!GetVarint(in, size) || size > in.size()) return false;
  s.assign(in.data(), size);
  in.remove_prefix(size);
  return true;
}

// A record's fields in one order for both directions. A field added to
// UsageRecord must be added here too: the round-trip test compares every
// field, and the size check below fails the build until then.
static_assert(sizeof(UsageRecord) == 496, "UsageRecord changed: update record_codec.cc");

}  // namespace

void AppendRecord(const UsageRecord& r, std::string& out) {
  PutInt(r.time_ms, out);
  PutString(r.request_id, out);
  PutString(r.principal, out);
  PutString(r.profile_name, out);
  PutString(r.profile_arn, out);
  PutString(r.model_id, out);
  PutString(r.source_region, out);
  PutString(r.serving_region, out);
  PutInt(r.attempts, out);
  PutInt(static_cast<int64_t>(r.operation), out);
  PutInt(r.status, out);
  PutString(r.error_code, out);
  PutInt(r.cut_short ? 1 : 0, out);
  PutInt(r.tokens.input, out);
  PutInt(r.tokens.output, out);
  PutInt(r.tokens.cache_read, out);
  PutInt(r.tokens.cache_write_5m, out);
  PutInt(r.tokens.cache_write_1h, out);
  PutInt(r.tokens_estimated ? 1 : 0, out);
  PutInt(r.latency_ms, out);
  PutInt(r.ttft_ms, out);
  PutString(r.service_tier, out);
  PutVarint(r.request_metadata.size(), out);
  for (const auto& [key, value] : r.request_metadata) {
    PutString(key, out);
    PutString(value, out);
  }
  PutVarint(r.tags.size(), out);
  for (const auto& [key, value] : r.tags) {
    PutString(key, out);
    PutString(value, out);
  }
  PutInt(r.cost_micro_usd, out);
  PutString(r.price_version, out);
}

bool ReadRecord(std::string_view& in, UsageRecord& r) {
  int64_t cut_short = 0;
  int64_t tokens_estimated = 0;
  if (!GetInt(in, r.time_ms) || !GetString(in, r.request_id) || !GetString(in, r.principal) ||
      !GetString(in, r.profile_name) || !GetString(in, r.profile_arn) ||
      !GetString(in, r.model_id) || !GetString(in, r.source_region) ||
      !GetString(in, r.serving_region) || !GetNarrow(in, r.attempts) ||
      !GetNarrow(in, r.operation) || !GetNarrow(in, r.status) || !GetString(in, r.error_code) ||
      !GetInt(in, cut_short) || !GetInt(in, r.tokens.input) || !GetInt(in, r.tokens.output) ||
      !GetInt(in, r.tokens.cache_read) || !GetInt(in, r.tokens.cache_write_5m) ||
      !GetInt(in, r.tokens.cache_write_1h) || !GetInt(in, tokens_estimated) ||
      !GetInt(in, r.latency_ms) || !GetInt(in, r.ttft_ms) || !GetString(in, r.service_tier)) {
    return false;
  }
  r.cut_short = cut_short != 0;
  r.tokens_estimated = tokens_estimated != 0;
  uint64_t count = 0;
  if (!GetVarint(in, count) || count > in.size()) return false;
  r.request_metadata.resize(count);
  for (auto& [key, value] : r.request_metadata) {
    if (!GetString(in, key) || !GetString(in, value)) return false;
  }
  if (!GetVarint(in, count) || count > in.size()) return false;
  // Tags: the nodes of the previous record are reused when the set is the
  // same size (the usual case: one profile's tags), else rebuilt.
  if (r.tags.size() != count) r.tags.clear();
  std::string key;
  std::string value;
  if (r.tags.size() == count) {
    // Same number of tags: read into a fresh map only if the keys differ.
    auto it = r.tags.begin();
    bool same_keys = true;
    std::string_view probe = in;
    for (uint64_t i = 0; i < count; ++i, ++it) {
      if (!GetString(probe, key) || !GetString(probe, value)) return false;
      if (key != it->first) {
        same_keys = false;
        break;
      }
      it->second.assign(value);
    }
    if (same_keys) {
      in = probe;
    } else {
      r.tags.clear();
    }
  }
  if (r.tags.empty()) {
    for (uint64_t i = 0; i < count; ++i) {
      if (!GetString(in, key) || !GetString(in, value)) return false;
      r.tags.insert_or_assign(std::move(key), std::move(value));
      key.clear();
      value.clear();
    }
  }
  return GetInt(in, r.cost_micro_usd) && GetString(in, r.price_version);
}

}  // namespace bp::storage::sqlite
