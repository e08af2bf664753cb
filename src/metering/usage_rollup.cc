#include "metering/usage_rollup.h"

#include <algorithm>
#include <bit>

namespace bp::metering {
namespace {

constexpr int kSubBits = 4;  // 16 buckets per power of two
constexpr int kSub = 1 << kSubBits;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads one varint at `pos`; nullopt when the bytes end inside it or it is
// longer than a uint64 can be.
std::optional<uint64_t> GetVarint(std::string_view in, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size()) return std::nullopt;
    const auto byte = static_cast<uint8_t>(in[pos++]);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  return std::nullopt;
}

}  // namespace

int64_t BucketStart(int64_t time_ms, int64_t width_ms) {
  int64_t q = time_ms / width_ms;
  if (time_ms % width_ms < 0) --q;
  return q * width_ms;
}

int64_t HourStart(int64_t time_ms) { return BucketStart(time_ms, kHourMs); }

int LatencyHistogram::BucketOf(int64_t value) {
  if (value < kSub) return value < 0 ? 0 : static_cast<int>(value);
  const int e = 63 - std::countl_zero(static_cast<uint64_t>(value));  // >= kSubBits
  const int sub = static_cast<int>((value >> (e - kSubBits)) & (kSub - 1));
  return kSub + (e - kSubBits) * kSub + sub;
}

int64_t LatencyHistogram::BucketLow(int index) {
  if (index < kSub) return index;
  const int k = index - kSub;
  const int e = k / kSub + kSubBits;
  return static_cast<int64_t>(kSub + k % kSub) << (e - kSubBits);
}

int64_t LatencyHistogram::BucketWidth(int index) {
  if (index < kSub) return 1;
  return int64_t{1} << ((index - kSub) / kSub);
}

void LatencyHistogram::AddToBucket(uint16_t index, uint64_t count) {
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index,
                             [](const Bucket& b, uint16_t i) { return b.index < i; });
  if (it != buckets_.end() && it->index == index) {
    it->count += count;
  } else {
    buckets_.insert(it, Bucket{.index = index, .count = count});
  }
  total_ += count;
}

void LatencyHistogram::Add(int64_t value, uint64_t count) {
  if (count == 0) return;
  AddToBucket(static_cast<uint16_t>(BucketOf(value)), count);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (buckets_.empty()) {
    buckets_ = other.buckets_;
    total_ = other.total_;
    return;
  }
  for (const Bucket& b : other.buckets_) AddToBucket(b.index, b.count);
}

int64_t LatencyHistogram::Percentile(int p) const {
  if (total_ == 0) return -1;
  uint64_t rank = (static_cast<uint64_t>(p) * total_ + 99) / 100;  // ceil(p/100 * n)
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (const Bucket& b : buckets_) {
    seen += b.count;
    if (seen >= rank) return BucketLow(b.index) + (BucketWidth(b.index) - 1) / 2;
  }
  return -1;  // unreachable: the counts add up to total_
}

std::string LatencyHistogram::Encode() const {
  std::string out;
  PutVarint(out, buckets_.size());
  uint16_t previous = 0;
  for (const Bucket& b : buckets_) {
    PutVarint(out, b.index - previous);
    PutVarint(out, b.count);
    previous = b.index;
  }
  return out;
}

std::optional<LatencyHistogram> LatencyHistogram::Decode(std::string_view bytes) {
  LatencyHistogram out;
  if (!DecodeInto(bytes, out)) return std::nullopt;
  return out;
}

bool LatencyHistogram::DecodeInto(std::string_view bytes, LatencyHistogram& out) {
  out.buckets_.clear();  // keeps the capacity
  out.total_ = 0;
  auto fail = [&out] {
    out.buckets_.clear();
    out.total_ = 0;
    return false;
  };
  size_t pos = 0;
  std::optional<uint64_t> used = GetVarint(bytes, pos);
  if (!used || *used > static_cast<uint64_t>(kBuckets)) return fail();
  uint64_t index = 0;
  for (uint64_t n = 0; n < *used; ++n) {
    std::optional<uint64_t> delta = GetVarint(bytes, pos);
    std::optional<uint64_t> count = GetVarint(bytes, pos);
    if (!delta || !count || *count == 0) return fail();
    if (n > 0 && *delta == 0) return fail();  // strictly increasing
    if (*delta >= static_cast<uint64_t>(kBuckets) - index) return fail();
    index += *delta;
    if (out.total_ + *count < out.total_) return fail();  // overflow
    out.buckets_.push_back(Bucket{.index = static_cast<uint16_t>(index), .count = *count});
    out.total_ += *count;
  }
  if (pos != bytes.size()) return fail();
  return true;
}

void HistogramAccumulator::Add(int64_t value) {
  const auto index = static_cast<size_t>(LatencyHistogram::BucketOf(value));
  if (counts_.size() <= index) counts_.resize(index + 1, 0);
  ++counts_[index];
  ++total_;
}

void HistogramAccumulator::Merge(const LatencyHistogram& histogram) {
  histogram.ForEachBucket([this](int index, uint64_t count) {
    const auto i = static_cast<size_t>(index);
    if (counts_.size() <= i) counts_.resize(i + 1, 0);
    counts_[i] += count;
    total_ += count;
  });
}

int64_t HistogramAccumulator::Percentile(int p) const {
  if (total_ == 0) return -1;
  uint64_t rank = (static_cast<uint64_t>(p) * total_ + 99) / 100;  // ceil(p/100 * n)
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const int index = static_cast<int>(i);
      return LatencyHistogram::BucketLow(index) + (LatencyHistogram::BucketWidth(index) - 1) / 2;
    }
  }
  return -1;
}

UsageRollupKey RollupKeyOf(const UsageRecord& record, int64_t width_ms) {
  return UsageRollupKey{.start_ms = BucketStart(record.time_ms, width_ms),
                        .profile_name = record.profile_name,
                        .principal = record.principal,
                        .model_id = record.model_id,
                        .serving_region = record.serving_region,
                        .operation = record.operation,
                        .tags = record.tags};
}

bool RollupKeyMatches(const UsageRollupKey& key, const UsageRecord& record, int64_t width_ms) {
  return key.start_ms == BucketStart(record.time_ms, width_ms) &&
         key.operation == record.operation && key.profile_name == record.profile_name &&
         key.principal == record.principal && key.model_id == record.model_id &&
         key.serving_region == record.serving_region && key.tags == record.tags;
}

void UsageRollup::Add(const UsageRecord& r) {
  ++requests;
  if (!r.error_code.empty()) ++errors;
  if (r.error_code == "ThrottlingException") ++throttles;
  if (r.tokens_estimated) ++estimated;
  tokens += r.tokens;
  cost_micro_usd += std::max<int64_t>(0, r.cost_micro_usd);
  latency.Add(r.latency_ms);
  if (r.ttft_ms >= 0) ttft.Add(r.ttft_ms);
}

void UsageRollup::Merge(const UsageRollup& other) {
  requests += other.requests;
  errors += other.errors;
  throttles += other.throttles;
  estimated += other.estimated;
  tokens += other.tokens;
  cost_micro_usd += other.cost_micro_usd;
  latency.Merge(other.latency);
  ttft.Merge(other.ttft);
}

UsageRecord UsageRollup::SpendRecord() const {
  UsageRecord r;
  r.time_ms = key.start_ms;
  r.profile_name = key.profile_name;
  r.principal = key.principal;
  r.tags = key.tags;
  r.cost_micro_usd = cost_micro_usd;
  return r;
}

RollupSums::Map::iterator RollupSums::Slot(UsageRollupKey key) {
  auto [it, inserted] = rollups_.try_emplace(key);
  if (inserted) it->second.key = std::move(key);
  return it;
}

void RollupSums::Add(const UsageRecord& record) {
  if (last_ == rollups_.end() || !RollupKeyMatches(last_->first, record, width_ms_)) {
    last_ = Slot(RollupKeyOf(record, width_ms_));
  }
  last_->second.Add(record);
}

void RollupSums::Merge(const UsageRollup& rollup) {
  UsageRollupKey key = rollup.key;
  key.start_ms = BucketStart(key.start_ms, width_ms_);
  last_ = Slot(std::move(key));
  last_->second.Merge(rollup);
}

void RollupSums::Clear() {
  rollups_.clear();
  last_ = rollups_.end();
}

}  // namespace bp::metering
