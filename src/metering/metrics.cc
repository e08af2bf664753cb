#include "metering/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace bp::metering {

namespace {

constexpr size_t kShards = 16;
constexpr std::string_view kProvider = "aws.bedrock";
constexpr std::string_view kStatusClasses[] = {"2xx", "4xx", "5xx", "cancelled"};
constexpr uint8_t kCancelled = 3;
constexpr std::string_view kTokenTypes[] = {"input", "output", "cache_read", "cache_write"};

uint8_t StatusClassIndex(const UsageRecord& r) {
  if (r.status == 0 || (r.cut_short && r.error_code.empty())) return kCancelled;
  if (r.status < 400) return 0;
  if (r.status < 500) return 1;
  return 2;
}

// Key layout: profile | model << 16 | region << 32 | operation << 48 | class << 56.
uint64_t MakeKey(uint64_t profile, uint64_t model, uint64_t region, uint64_t op, uint64_t cls) {
  return profile | model << 16 | region << 32 | op << 48 | cls << 56;
}
uint16_t KeyProfile(uint64_t key) { return static_cast<uint16_t>(key); }
uint16_t KeyModel(uint64_t key) { return static_cast<uint16_t>(key >> 16); }
uint16_t KeyRegion(uint64_t key) { return static_cast<uint16_t>(key >> 32); }
uint8_t KeyOperation(uint64_t key) { return static_cast<uint8_t>(key >> 48); }
uint8_t KeyClass(uint64_t key) { return static_cast<uint8_t>(key >> 56); }
uint64_t OverflowKey(uint64_t key) { return key & ~uint64_t{0xFFFF'FFFF'FFFF}; }

uint64_t NonNegative(int64_t v) { return v > 0 ? static_cast<uint64_t>(v) : 0; }

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsLabelName(std::string_view name) {
  if (name.starts_with("__")) return false;
  return IsMetricName(name) && name.find(':') == std::string_view::npos;
}

void AppendDouble(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ec == std::errc() ? end : buf);
  }
}

void AppendUint(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// Micro-USD as an exact decimal number of USD ("1.000002", "0").
void AppendMicroUsd(std::string& out, uint64_t micro) {
  AppendUint(out, micro / 1'000'000);
  uint64_t frac = micro % 1'000'000;
  if (frac == 0) return;
  std::string digits = std::to_string(frac);
  digits.insert(0, 6 - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  out += '.';
  out += digits;
}

void AppendEscapedValue(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendLabel(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty() && out.back() != '{') out += ',';
  out += name;
  out += "=\"";
  AppendEscapedValue(out, value);
  out += '"';
}

void AppendHeader(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// `name{labels[,extra]} ` (no braces when both are empty).
void AppendSeriesStart(std::string& out, std::string_view name, std::string_view labels,
                       std::string_view extra = {}) {
  out += name;
  if (!labels.empty() || !extra.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extra.empty()) out += ',';
    out += extra;
    out += '}';
  }
  out += ' ';
}

}  // namespace

std::string_view StatusClass(const UsageRecord& record) {
  return kStatusClasses[StatusClassIndex(record)];
}

template <size_t N>
struct Histogram {
  std::array<std::atomic<uint64_t>, N + 1> buckets{};  // per bucket (not cumulative); [N]: +Inf
  std::atomic<uint64_t> sum{0};                        // in the recorded integer unit

  // `value` in the recorded unit, `scale` the unit in the buckets' unit.
  void Observe(uint64_t value, double scale, const std::array<double, N>& bounds) {
    double v = static_cast<double>(value) / scale;
    size_t i = 0;
    while (i < N && v > bounds[i]) ++i;
    buckets[i].fetch_add(1, std::memory_order_relaxed);
    sum.fetch_add(value, std::memory_order_relaxed);
  }

  uint64_t Total() const {
    uint64_t total = 0;
    for (const auto& b : buckets) total += b.load(std::memory_order_relaxed);
    return total;
  }

  void Render(std::string& out, std::string_view name, std::string_view labels, double scale,
              const std::array<double, N>& bounds) const {
    std::string bucket_name = std::string(name) + "_bucket";
    uint64_t cumulative = 0;
    std::string le;
    for (size_t i = 0; i <= N; ++i) {
      cumulative += buckets[i].load(std::memory_order_relaxed);
      le = "le=\"";
      if (i < N) {
        AppendDouble(le, bounds[i]);
      } else {
        le += "+Inf";
      }
      le += '"';
      AppendSeriesStart(out, bucket_name, labels, le);
      AppendUint(out, cumulative);
      out += '\n';
    }
    AppendSeriesStart(out, std::string(name) + "_sum", labels);
    AppendDouble(out, static_cast<double>(sum.load(std::memory_order_relaxed)) / scale);
    out += '\n';
    AppendSeriesStart(out, std::string(name) + "_count", labels);
    AppendUint(out, cumulative);
    out += '\n';
  }
};

struct Metrics::Series {
  explicit Series(size_t codes) : errors(new std::atomic<uint64_t>[codes]) {
    for (size_t i = 0; i < codes; ++i) errors[i].store(0, std::memory_order_relaxed);
  }
  std::atomic<uint64_t> requests{0};
  std::array<std::atomic<uint64_t>, 4> tokens{};  // kTokenTypes order
  std::atomic<uint64_t> cost_micro_usd{0};
  std::unique_ptr<std::atomic<uint64_t>[]> errors;  // per error_codes_ entry
  Histogram<kDurationBuckets.size()> duration;      // ms
  Histogram<kTimeToFirstTokenBuckets.size()> ttft;  // ms
  Histogram<kTokenBuckets.size()> input_tokens;     // input + cache read + cache write
  Histogram<kTokenBuckets.size()> output_tokens;
};

struct Metrics::Shard {
  std::mutex mu;
  std::unordered_map<uint64_t, std::unique_ptr<Series>> series;
};

struct Metrics::Callback {
  std::string name;
  std::string help;
  MetricType type;
  SampleSource source;
};

uint16_t Metrics::LabelTable::Find(std::string_view name) const {
  auto it = index.find(name);
  return it == index.end() ? 0 : it->second;
}

void Metrics::LabelTable::Add(const std::string& name) {
  if (name.empty() || names.size() > kMaxLabelValues || index.contains(name)) return;
  index.emplace(name, static_cast<uint16_t>(names.size()));
  names.push_back(name);
}

Metrics::Metrics(MetricsOptions options)
    : options_(std::move(options)), shards_(new Shard[kShards]) {
  for (const std::string& code : options_.error_codes) {
    if (code.empty() || code == "other" || code_index_.contains(code)) continue;
    code_index_.emplace(code, static_cast<uint16_t>(error_codes_.size()));
    error_codes_.push_back(code);
  }
  error_codes_.push_back("other");
}

Metrics::~Metrics() = default;

Metrics::SeriesNames Metrics::LabelsFor(std::string_view profile, std::string_view model,
                                        std::string_view region) const {
  std::shared_lock lock(labels_mu_);
  return {.profile = profiles_.names[profiles_.Find(profile)],
          .model = models_.names[models_.Find(model)],
          .region = regions_.names[regions_.Find(region)]};
}

void Metrics::Allow(const AllowedLabels& allowed) {
  std::unique_lock lock(labels_mu_);
  for (const std::string& p : allowed.profiles) profiles_.Add(p);
  for (const std::string& m : allowed.models) models_.Add(m);
  for (const std::string& r : allowed.regions) regions_.Add(r);
}

Metrics::Series& Metrics::SeriesFor(uint64_t key) {
  Shard& shard = shards_[std::hash<uint64_t>{}(key) % kShards];
  {
    std::lock_guard lock(shard.mu);
    auto it = shard.series.find(key);
    if (it != shard.series.end()) return *it->second;
    bool fits = series_count_.fetch_add(1, std::memory_order_relaxed) < options_.max_series;
    if (fits || key == OverflowKey(key)) {
      if (!fits) series_count_.fetch_sub(1, std::memory_order_relaxed);
      auto created = std::make_unique<Series>(error_codes_.size());
      Series& s = *created;
      shard.series.emplace(key, std::move(created));
      return s;
    }
    series_count_.fetch_sub(1, std::memory_order_relaxed);
  }
  overflow_.fetch_add(1, std::memory_order_relaxed);
  return SeriesFor(OverflowKey(key));
}

void Metrics::Record(const UsageRecord& record) { Observe(record); }

void Metrics::Observe(const UsageRecord& r) {
  uint64_t profile = 0;
  uint64_t model = 0;
  uint64_t region = 0;
  {
    std::shared_lock lock(labels_mu_);
    profile = profiles_.Find(r.profile_name);
    model = models_.Find(r.model_id);
    region = regions_.Find(r.serving_region);
  }
  uint8_t cls = StatusClassIndex(r);
  Series& s = SeriesFor(MakeKey(profile, model, region, static_cast<uint8_t>(r.operation), cls));
  constexpr auto kRelaxed = std::memory_order_relaxed;
  s.requests.fetch_add(1, kRelaxed);
  const uint64_t input = NonNegative(r.tokens.input);
  const uint64_t output = NonNegative(r.tokens.output);
  const uint64_t cache_read = NonNegative(r.tokens.cache_read);
  const uint64_t cache_write = NonNegative(r.tokens.cache_write());
  s.tokens[0].fetch_add(input, kRelaxed);
  s.tokens[1].fetch_add(output, kRelaxed);
  s.tokens[2].fetch_add(cache_read, kRelaxed);
  s.tokens[3].fetch_add(cache_write, kRelaxed);
  s.cost_micro_usd.fetch_add(NonNegative(r.cost_micro_usd), kRelaxed);
  if (!r.error_code.empty()) {
    auto it = code_index_.find(r.error_code);
    size_t code = it != code_index_.end() ? it->second : error_codes_.size() - 1;
    s.errors[code].fetch_add(1, kRelaxed);
  }
  s.duration.Observe(NonNegative(r.latency_ms), 1000.0, kDurationBuckets);
  if (r.ttft_ms >= 0) {
    s.ttft.Observe(NonNegative(r.ttft_ms), 1000.0, kTimeToFirstTokenBuckets);
  }
  bool any_tokens = input + output + cache_read + cache_write > 0;
  if (r.operation != Operation::kCountTokens && (cls == 0 || any_tokens)) {
    s.input_tokens.Observe(input + cache_read + cache_write, 1.0, kTokenBuckets);
    s.output_tokens.Observe(output, 1.0, kTokenBuckets);
  }
}

Status Metrics::AddCallback(std::string name, std::string help, MetricType type,
                            SampleSource source) {
  if (!IsMetricName(name)) return InternalError("metric name '" + name + "' is not valid");
  if (type == MetricType::kCounter && !name.ends_with("_total")) {
    return InternalError("counter '" + name + "' must end in _total");
  }
  if (name.starts_with("gen_ai_") ||
      (name.starts_with("bedrock_profiles_") &&
       (name.starts_with("bedrock_profiles_requests") ||
        name.starts_with("bedrock_profiles_tokens") || name.starts_with("bedrock_profiles_cost") ||
        name.starts_with("bedrock_profiles_errors") ||
        name.starts_with("bedrock_profiles_metrics_")))) {
    return InternalError("metric name '" + name + "' is reserved for the built-in families");
  }
  std::lock_guard lock(callbacks_mu_);
  for (const Callback& c : callbacks_) {
    if (c.name == name) return InternalError("metric '" + name + "' is already registered");
  }
  callbacks_.push_back(Callback{std::move(name), std::move(help), type, std::move(source)});
  return Status::Ok();
}

std::string Metrics::RenderText() const {
  struct Row {
    const Series* series;
    std::string labels;      // profile, model, operation, region, status_class
    std::string gen_ai;      // the gen_ai_* families' labels
    bool generation = true;  // not CountTokens
  };
  std::vector<Row> rows;
  {
    std::shared_lock labels_lock(labels_mu_);
    for (size_t i = 0; i < kShards; ++i) {
      std::lock_guard lock(shards_[i].mu);
      for (const auto& [key, series] : shards_[i].series) {
        const std::string& profile = profiles_.names[KeyProfile(key)];
        const std::string& model = models_.names[KeyModel(key)];
        const std::string& region = regions_.names[KeyRegion(key)];
        auto op = static_cast<Operation>(KeyOperation(key));
        std::string_view op_name = OperationName(op);
        std::string_view cls = kStatusClasses[KeyClass(key)];
        Row row{.series = series.get(), .generation = op != Operation::kCountTokens};
        AppendLabel(row.labels, "profile", profile);
        AppendLabel(row.labels, "model", model);
        AppendLabel(row.labels, "operation", op_name);
        AppendLabel(row.labels, "region", region);
        AppendLabel(row.labels, "status_class", cls);
        AppendLabel(row.gen_ai, "gen_ai_operation_name", "chat");
        AppendLabel(row.gen_ai, "gen_ai_provider_name", kProvider);
        AppendLabel(row.gen_ai, "gen_ai_request_model", model);
        AppendLabel(row.gen_ai, "profile", profile);
        AppendLabel(row.gen_ai, "operation", op_name);
        AppendLabel(row.gen_ai, "region", region);
        AppendLabel(row.gen_ai, "status_class", cls);
        rows.push_back(std::move(row));
      }
    }
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return a.labels < b.labels; });
  constexpr auto kRelaxed = std::memory_order_relaxed;

  std::string out;
  out.reserve(4096 + rows.size() * 4096);
  AppendHeader(out, "bedrock_profiles_requests_total",
               "Runtime calls, by profile, model, operation, serving region and status class.",
               "counter");
  for (const Row& row : rows) {
    AppendSeriesStart(out, "bedrock_profiles_requests_total", row.labels);
    AppendUint(out, row.series->requests.load(kRelaxed));
    out += '\n';
  }
  AppendHeader(out, "bedrock_profiles_tokens_total",
               "Tokens as Bedrock reports them, by type (input excludes cache reads and writes).",
               "counter");
  for (const Row& row : rows) {
    for (size_t t = 0; t < std::size(kTokenTypes); ++t) {
      std::string type = "type=\"" + std::string(kTokenTypes[t]) + "\"";
      AppendSeriesStart(out, "bedrock_profiles_tokens_total", row.labels, type);
      AppendUint(out, row.series->tokens[t].load(kRelaxed));
      out += '\n';
    }
  }
  AppendHeader(out, "bedrock_profiles_cost_usd_total",
               "Cost of the calls in US dollars, as priced when each call was metered.", "counter");
  for (const Row& row : rows) {
    AppendSeriesStart(out, "bedrock_profiles_cost_usd_total", row.labels);
    AppendMicroUsd(out, row.series->cost_micro_usd.load(kRelaxed));
    out += '\n';
  }
  AppendHeader(out, "bedrock_profiles_errors_total",
               "Calls that ended with an error, by error code (unknown codes: other).", "counter");
  for (const Row& row : rows) {
    for (size_t c = 0; c < error_codes_.size(); ++c) {
      uint64_t n = row.series->errors[c].load(kRelaxed);
      if (n == 0) continue;
      AppendSeriesStart(out, "bedrock_profiles_errors_total", row.labels,
                        "code=\"" + error_codes_[c] + "\"");
      AppendUint(out, n);
      out += '\n';
    }
  }
  AppendHeader(out, "gen_ai_client_token_usage",
               "Tokens per call (input includes cache reads and writes), OpenTelemetry "
               "gen_ai.client.token.usage.",
               "histogram");
  for (const Row& row : rows) {
    if (!row.generation) continue;
    if (row.series->input_tokens.Total() > 0) {
      row.series->input_tokens.Render(out, "gen_ai_client_token_usage",
                                      row.gen_ai + ",gen_ai_token_type=\"input\"", 1.0,
                                      kTokenBuckets);
    }
    if (row.series->output_tokens.Total() > 0) {
      row.series->output_tokens.Render(out, "gen_ai_client_token_usage",
                                       row.gen_ai + ",gen_ai_token_type=\"output\"", 1.0,
                                       kTokenBuckets);
    }
  }
  AppendHeader(out, "gen_ai_server_request_duration_seconds",
               "Arrival to the last byte, OpenTelemetry gen_ai.server.request.duration.",
               "histogram");
  for (const Row& row : rows) {
    if (!row.generation || row.series->duration.Total() == 0) continue;
    row.series->duration.Render(out, "gen_ai_server_request_duration_seconds", row.gen_ai, 1000.0,
                                kDurationBuckets);
  }
  AppendHeader(out, "gen_ai_server_time_to_first_token_seconds",
               "Arrival to the first token, OpenTelemetry gen_ai.server.time_to_first_token.",
               "histogram");
  for (const Row& row : rows) {
    if (!row.generation || row.series->ttft.Total() == 0) continue;
    row.series->ttft.Render(out, "gen_ai_server_time_to_first_token_seconds", row.gen_ai, 1000.0,
                            kTimeToFirstTokenBuckets);
  }
  AppendHeader(out, "bedrock_profiles_metrics_overflow_total",
               "Calls counted under profile, model and region \"-\" because the series cap was "
               "reached.",
               "counter");
  out += "bedrock_profiles_metrics_overflow_total ";
  AppendUint(out, overflow_.load(kRelaxed));
  out += '\n';

  std::lock_guard lock(callbacks_mu_);
  for (const Callback& c : callbacks_) {
    std::vector<Sample> samples = c.source ? c.source() : std::vector<Sample>{};
    AppendHeader(out, c.name, c.help, c.type == MetricType::kCounter ? "counter" : "gauge");
    for (const Sample& sample : samples) {
      std::string labels;
      bool valid = true;
      for (const auto& [name, value] : sample.labels) {
        valid = valid && IsLabelName(name);
        AppendLabel(labels, name, value);
      }
      if (!valid) continue;
      AppendSeriesStart(out, c.name, labels);
      AppendDouble(out, sample.value);
      out += '\n';
    }
  }
  return out;
}

}  // namespace bp::metering
