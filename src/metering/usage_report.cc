#include "metering/usage_report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "json/json.h"

namespace bp::metering {
namespace {

constexpr std::string_view kNone = "-";
constexpr std::string_view kEstimatedNote =
    "p50/p99: estimated from hourly roll-up histograms (within 3.2 %; exact below 16 ms)";

// The value of `d` in a record or a roll-up key (the same field names);
// metadata only in a record (roll-ups keep none).
template <typename Keyed>
std::string ValueOfKeyed(const Dimension& d, const Keyed& x) {
  auto or_none = [](const std::string& s) { return s.empty() ? std::string(kNone) : s; };
  switch (d.kind) {
    case Dimension::Kind::kProfile:
      return or_none(x.profile_name);
    case Dimension::Kind::kPrincipal:
      return or_none(x.principal);
    case Dimension::Kind::kModel:
      return or_none(x.model_id);
    case Dimension::Kind::kRegion:
      return or_none(x.serving_region);
    case Dimension::Kind::kOperation:
      return std::string(OperationName(x.operation));
    case Dimension::Kind::kTag: {
      auto it = x.tags.find(d.key);
      return it == x.tags.end() ? std::string(kNone) : it->second;
    }
    case Dimension::Kind::kMetadata:
      if constexpr (std::is_same_v<Keyed, UsageRecord>) {
        for (const auto& [key, value] : x.request_metadata) {
          if (key == d.key) return value;
        }
      }
      return std::string(kNone);
  }
  return std::string(kNone);
}

// Nearest-rank percentile of sorted `v` (p in 0..100); -1 when empty.
int64_t Percentile(const std::vector<int64_t>& v, int p) {
  if (v.empty()) return -1;
  size_t rank = (static_cast<size_t>(p) * v.size() + 99) / 100;  // ceil(p/100 * n)
  if (rank == 0) rank = 1;
  return v[rank - 1];
}

std::string Iso8601(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The figures of a group as table cells, after its keys.
std::vector<std::string> Figures(const UsageGroup& g) {
  auto ms = [](int64_t v) { return v < 0 ? std::string(kNone) : std::to_string(v); };
  return {std::to_string(g.requests),
          std::to_string(g.errors),
          std::to_string(g.throttles),
          std::to_string(g.tokens.input),
          std::to_string(g.tokens.output),
          std::to_string(g.tokens.cache_read),
          std::to_string(g.tokens.cache_write()),
          ms(g.latency_p50_ms),
          ms(g.latency_p99_ms),
          ms(g.ttft_p50_ms),
          ms(g.ttft_p99_ms),
          FormatUsd(g.cost_micro_usd)};
}

const std::vector<std::string>& FigureNames() {
  static const std::vector<std::string> names = {
      "requests",    "errors", "throttles", "input",       "output",      "cache_read",
      "cache_write", "p50_ms", "p99_ms",    "ttft_p50_ms", "ttft_p99_ms", "cost_usd"};
  return names;
}

json::Object GroupJson(const UsageReport& report, const UsageGroup& g) {
  json::Object o;
  if (!report.dimensions.empty() && !g.keys.empty()) {
    json::Object keys;
    for (size_t i = 0; i < report.dimensions.size(); ++i) {
      keys[report.dimensions[i].Name()] = g.keys[i];
    }
    o["keys"] = std::move(keys);
  }
  o["requests"] = g.requests;
  o["errors"] = g.errors;
  o["throttles"] = g.throttles;
  o["estimated"] = g.estimated;
  o["input_tokens"] = g.tokens.input;
  o["output_tokens"] = g.tokens.output;
  o["cache_read_tokens"] = g.tokens.cache_read;
  o["cache_write_tokens"] = g.tokens.cache_write();
  o["cache_write_5m_tokens"] = g.tokens.cache_write_5m;
  o["cache_write_1h_tokens"] = g.tokens.cache_write_1h;
  auto ms = [](int64_t v) { return v < 0 ? json::Value(nullptr) : json::Value(v); };
  o["latency_p50_ms"] = ms(g.latency_p50_ms);
  o["latency_p99_ms"] = ms(g.latency_p99_ms);
  o["ttft_p50_ms"] = ms(g.ttft_p50_ms);
  o["ttft_p99_ms"] = ms(g.ttft_p99_ms);
  o["cost_micro_usd"] = g.cost_micro_usd;
  o["cost_usd"] = FormatUsd(g.cost_micro_usd);
  return o;
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string DimensionValue(const Dimension& d, const UsageRecord& record) {
  return ValueOfKeyed(d, record);
}

std::string DimensionValue(const Dimension& d, const UsageRollupKey& key) {
  return ValueOfKeyed(d, key);
}

std::string Dimension::Name() const {
  switch (kind) {
    case Kind::kProfile:
      return "profile";
    case Kind::kPrincipal:
      return "principal";
    case Kind::kModel:
      return "model";
    case Kind::kRegion:
      return "region";
    case Kind::kOperation:
      return "operation";
    case Kind::kTag:
      return "tag:" + key;
    case Kind::kMetadata:
      return "metadata:" + key;
  }
  return "profile";
}

Result<Dimension> ParseDimension(std::string_view text) {
  static constexpr std::pair<std::string_view, Dimension::Kind> kPlain[] = {
      {"profile", Dimension::Kind::kProfile},     {"principal", Dimension::Kind::kPrincipal},
      {"model", Dimension::Kind::kModel},         {"region", Dimension::Kind::kRegion},
      {"operation", Dimension::Kind::kOperation},
  };
  for (const auto& [name, kind] : kPlain) {
    if (text == name) return Dimension{.kind = kind};
  }
  for (auto [prefix, kind] :
       {std::pair{std::string_view("tag:"), Dimension::Kind::kTag},
        std::pair{std::string_view("metadata:"), Dimension::Kind::kMetadata}}) {
    if (text.starts_with(prefix)) {
      std::string_view key = text.substr(prefix.size());
      if (key.empty()) {
        return ValidationError("--by " + std::string(text) + ": name the key (" +
                               std::string(prefix) + "KEY)");
      }
      return Dimension{.kind = kind, .key = std::string(key)};
    }
  }
  return ValidationError("--by " + std::string(text) +
                         ": expected profile, principal, model, region, operation, tag:KEY or "
                         "metadata:KEY");
}

UsageAggregator::UsageAggregator(std::vector<Dimension> dimensions)
    : dimensions_(std::move(dimensions)) {}

void UsageAggregator::AddTo(Acc& acc, const UsageRecord& r) {
  UsageGroup& g = acc.group;
  ++g.requests;
  if (!r.error_code.empty()) ++g.errors;
  if (r.error_code == "ThrottlingException") ++g.throttles;
  if (r.tokens_estimated) ++g.estimated;
  g.tokens.input += r.tokens.input;
  g.tokens.output += r.tokens.output;
  g.tokens.cache_read += r.tokens.cache_read;
  g.tokens.cache_write_5m += r.tokens.cache_write_5m;
  g.tokens.cache_write_1h += r.tokens.cache_write_1h;
  g.cost_micro_usd += std::max<int64_t>(0, r.cost_micro_usd);
  acc.latencies.push_back(r.latency_ms);
  if (r.ttft_ms >= 0) acc.ttfts.push_back(r.ttft_ms);
}

void UsageAggregator::AddTo(Acc& acc, const UsageRollup& r) {
  UsageGroup& g = acc.group;
  g.requests += r.requests;
  g.errors += r.errors;
  g.throttles += r.throttles;
  g.estimated += r.estimated;
  g.tokens.input += r.tokens.input;
  g.tokens.output += r.tokens.output;
  g.tokens.cache_read += r.tokens.cache_read;
  g.tokens.cache_write_5m += r.tokens.cache_write_5m;
  g.tokens.cache_write_1h += r.tokens.cache_write_1h;
  g.cost_micro_usd += r.cost_micro_usd;
  acc.latency_histogram.Merge(r.latency);
  acc.ttft_histogram.Merge(r.ttft);
  acc.estimated = true;
}

void UsageAggregator::Close(Acc& acc) {
  if (acc.estimated) {
    // Raw records of the edge hours join the roll-ups' histograms, so the
    // group's percentiles are over all its calls.
    for (int64_t v : acc.latencies) acc.latency_histogram.Add(v);
    for (int64_t v : acc.ttfts) acc.ttft_histogram.Add(v);
    acc.group.latency_p50_ms = std::max<int64_t>(0, acc.latency_histogram.Percentile(50));
    acc.group.latency_p99_ms = std::max<int64_t>(0, acc.latency_histogram.Percentile(99));
    acc.group.ttft_p50_ms = acc.ttft_histogram.Percentile(50);
    acc.group.ttft_p99_ms = acc.ttft_histogram.Percentile(99);
    return;
  }
  std::sort(acc.latencies.begin(), acc.latencies.end());
  std::sort(acc.ttfts.begin(), acc.ttfts.end());
  acc.group.latency_p50_ms = Percentile(acc.latencies, 50);
  acc.group.latency_p99_ms = Percentile(acc.latencies, 99);
  acc.group.ttft_p50_ms = Percentile(acc.ttfts, 50);
  acc.group.ttft_p99_ms = Percentile(acc.ttfts, 99);
}

void UsageAggregator::Add(const UsageRecord& record) {
  AddTo(total_, record);
  if (dimensions_.empty()) return;
  std::vector<std::string> keys;
  keys.reserve(dimensions_.size());
  for (const Dimension& d : dimensions_) keys.push_back(DimensionValue(d, record));
  Acc& acc = groups_[keys];
  if (acc.group.keys.empty()) acc.group.keys = std::move(keys);
  AddTo(acc, record);
}

void UsageAggregator::AddRollup(const UsageRollup& rollup) {
  AddTo(total_, rollup);
  if (dimensions_.empty()) return;
  std::vector<std::string> keys;
  keys.reserve(dimensions_.size());
  for (const Dimension& d : dimensions_) keys.push_back(DimensionValue(d, rollup.key));
  Acc& acc = groups_[keys];
  if (acc.group.keys.empty()) acc.group.keys = std::move(keys);
  AddTo(acc, rollup);
}

UsageReport UsageAggregator::Finish(int64_t from_ms, int64_t to_ms) && {
  UsageReport report{.dimensions = std::move(dimensions_), .from_ms = from_ms, .to_ms = to_ms};
  for (auto& [keys, acc] : groups_) {
    Close(acc);
    report.groups.push_back(std::move(acc.group));
  }
  std::sort(report.groups.begin(), report.groups.end(),
            [](const UsageGroup& a, const UsageGroup& b) {
              return std::tie(b.cost_micro_usd, b.requests, a.keys) <
                     std::tie(a.cost_micro_usd, a.requests, b.keys);
            });
  report.percentiles_estimated = total_.estimated;
  Close(total_);
  report.total = std::move(total_.group);
  return report;
}

Result<int64_t> ParseDurationMs(std::string_view text) {
  auto bad = [&] {
    return ValidationError("'" + std::string(text) +
                           "' is not a duration: use a number and a unit, s, m, h, d or w "
                           "(\"24h\", \"90d\")");
  };
  if (text.size() < 2) return bad();
  int64_t unit_ms = 0;
  switch (text.back()) {
    case 's':
      unit_ms = 1000;
      break;
    case 'm':
      unit_ms = 60'000;
      break;
    case 'h':
      unit_ms = 3'600'000;
      break;
    case 'd':
      unit_ms = 86'400'000;
      break;
    case 'w':
      unit_ms = 7 * 86'400'000LL;
      break;
    default:
      return bad();
  }
  int64_t n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return bad();
    n = n * 10 + (c - '0');
    if (n > 100'000'000) return bad();  // ~270,000 years of days: far enough
  }
  if (n == 0) return bad();
  return n * unit_ms;
}

std::string FormatUsd(int64_t micro_usd) {
  const bool negative = micro_usd < 0;
  const uint64_t v =
      negative ? 0 - static_cast<uint64_t>(micro_usd) : static_cast<uint64_t>(micro_usd);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%llu.%06llu", negative ? "-" : "",
                static_cast<unsigned long long>(v / 1'000'000),
                static_cast<unsigned long long>(v % 1'000'000));
  return buf;
}

std::string RenderTable(const UsageReport& report) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (const Dimension& d : report.dimensions) header.push_back(d.Name());
  for (const std::string& f : FigureNames()) header.push_back(f);
  rows.push_back(header);
  for (const UsageGroup& g : report.groups) {
    std::vector<std::string> row = g.keys;
    for (std::string& f : Figures(g)) row.push_back(std::move(f));
    rows.push_back(std::move(row));
  }
  std::vector<std::string> total(report.dimensions.size(), "");
  if (!total.empty()) total[0] = "TOTAL";
  for (std::string& f : Figures(report.total)) total.push_back(std::move(f));
  rows.push_back(std::move(total));
  const size_t dims = report.dimensions.size();
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out = "usage from " + Iso8601(report.from_ms) + " to " + Iso8601(report.to_ms) + "\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < rows[r].size(); ++i) {
      const std::string& cell = rows[r][i];
      const std::string pad(width[i] - cell.size(), ' ');
      if (i > 0) line += "  ";
      line += i < dims ? cell + pad : pad + cell;  // keys left, figures right
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  if (report.total.estimated > 0) {
    out += std::to_string(report.total.estimated) +
           " call(s) counted with local token estimates (the upstream reported no usage)\n";
  }
  if (report.percentiles_estimated) out += std::string(kEstimatedNote) + "\n";
  return out;
}

std::string RenderJson(const UsageReport& report) {
  json::Object root;
  root["from"] = Iso8601(report.from_ms);
  root["to"] = Iso8601(report.to_ms);
  json::Array by;
  for (const Dimension& d : report.dimensions) by.push_back(json::Value(d.Name()));
  root["by"] = std::move(by);
  json::Array groups;
  for (const UsageGroup& g : report.groups) groups.push_back(GroupJson(report, g));
  root["groups"] = std::move(groups);
  root["total"] = GroupJson(report, report.total);
  root["percentiles"] = report.percentiles_estimated ? "estimated" : "exact";
  root["raw_from"] =
      report.raw_from_ms > 0 ? json::Value(Iso8601(report.raw_from_ms)) : json::Value(nullptr);
  json::Array notes;
  for (const std::string& note : report.notes) notes.push_back(json::Value(note));
  root["notes"] = std::move(notes);
  return json::Serialize(json::Value(std::move(root))) + "\n";
}

std::string RenderCsv(const UsageReport& report) {
  std::string out;
  std::vector<std::string> header;
  for (const Dimension& d : report.dimensions) header.push_back(d.Name());
  for (const std::string& f : FigureNames()) header.push_back(f);
  header.push_back("estimated");
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + CsvField(cells[i]);
    out += "\r\n";
  };
  line(header);
  for (const UsageGroup& g : report.groups) {
    std::vector<std::string> row = g.keys;
    for (std::string& f : Figures(g)) row.push_back(f == kNone ? "" : std::move(f));
    row.push_back(std::to_string(g.estimated));
    line(row);
  }
  std::vector<std::string> total(report.dimensions.size(), "");
  if (!total.empty()) total[0] = "TOTAL";
  for (std::string& f : Figures(report.total)) total.push_back(f == kNone ? "" : std::move(f));
  total.push_back(std::to_string(report.total.estimated));
  line(total);
  return out;
}

}  // namespace bp::metering

namespace bp::metering {
namespace {

// "2026-01-01T00:00:00Z" (Iso8601's form) -> ms since the epoch.
std::optional<int64_t> ParseIso8601Seconds(std::string_view s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z') {
    return std::nullopt;
  }
  auto number = [&s](size_t at, size_t len) -> std::optional<int> {
    int v = 0;
    for (char c : s.substr(at, len)) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  auto y = number(0, 4), mo = number(5, 2), d = number(8, 2);
  auto h = number(11, 2), mi = number(14, 2), se = number(17, 2);
  if (!y || !mo || !d || !h || !mi || !se || *h > 23 || *mi > 59 || *se > 59) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(*y),
                                        std::chrono::month(static_cast<unsigned>(*mo)),
                                        std::chrono::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) return std::nullopt;
  const int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return ((days * 24 + *h) * 60 + *mi) * 60'000 + int64_t{*se} * 1000;
}

Result<int64_t> RequiredInt(const json::Object& o, std::string_view key, const std::string& path) {
  BP_ASSIGN_OR_RETURN(std::optional<int64_t> v, json::OptionalInt(o, key, path));
  if (!v) return ValidationError(path + "." + std::string(key) + " is required");
  return *v;
}

// A figure RenderJson writes as null when there is none (-1).
Result<int64_t> MillisOrNone(const json::Object& o, std::string_view key, const std::string& path) {
  auto it = o.find(key);
  if (it != o.end() && it->value().is_null()) return int64_t{-1};
  BP_ASSIGN_OR_RETURN(int64_t v, RequiredInt(o, key, path));
  if (v < 0) return ValidationError(path + "." + std::string(key) + ": expected null or >= 0");
  return v;
}

Result<UsageGroup> ParseGroup(const json::Value& value, const std::vector<Dimension>& dimensions,
                              bool with_keys, const std::string& path) {
  BP_ASSIGN_OR_RETURN(const json::Object* o, json::RequireObject(value, path));
  UsageGroup g;
  if (with_keys) {
    auto keys = o->find("keys");
    if (keys == o->end()) return ValidationError(path + ".keys is required");
    BP_ASSIGN_OR_RETURN(const json::Object* k, json::RequireObject(keys->value(), path + ".keys"));
    for (const Dimension& d : dimensions) {
      BP_ASSIGN_OR_RETURN(std::string key, json::RequiredString(*k, d.Name(), path + ".keys"));
      g.keys.push_back(std::move(key));
    }
  }
  BP_ASSIGN_OR_RETURN(g.requests, RequiredInt(*o, "requests", path));
  BP_ASSIGN_OR_RETURN(g.errors, RequiredInt(*o, "errors", path));
  BP_ASSIGN_OR_RETURN(g.throttles, RequiredInt(*o, "throttles", path));
  BP_ASSIGN_OR_RETURN(std::optional<int64_t> estimated, json::OptionalInt(*o, "estimated", path));
  g.estimated = estimated.value_or(0);
  BP_ASSIGN_OR_RETURN(g.tokens.input, RequiredInt(*o, "input_tokens", path));
  BP_ASSIGN_OR_RETURN(g.tokens.output, RequiredInt(*o, "output_tokens", path));
  BP_ASSIGN_OR_RETURN(g.tokens.cache_read, RequiredInt(*o, "cache_read_tokens", path));
  BP_ASSIGN_OR_RETURN(g.tokens.cache_write_5m, RequiredInt(*o, "cache_write_5m_tokens", path));
  BP_ASSIGN_OR_RETURN(g.tokens.cache_write_1h, RequiredInt(*o, "cache_write_1h_tokens", path));
  BP_ASSIGN_OR_RETURN(int64_t cache_write, RequiredInt(*o, "cache_write_tokens", path));
  if (cache_write != g.tokens.cache_write()) {
    return ValidationError(path +
                           ".cache_write_tokens: expected the sum of the 5m and 1h cache writes");
  }
  BP_ASSIGN_OR_RETURN(g.latency_p50_ms, MillisOrNone(*o, "latency_p50_ms", path));
  BP_ASSIGN_OR_RETURN(g.latency_p99_ms, MillisOrNone(*o, "latency_p99_ms", path));
  BP_ASSIGN_OR_RETURN(g.ttft_p50_ms, MillisOrNone(*o, "ttft_p50_ms", path));
  BP_ASSIGN_OR_RETURN(g.ttft_p99_ms, MillisOrNone(*o, "ttft_p99_ms", path));
  BP_ASSIGN_OR_RETURN(g.cost_micro_usd, RequiredInt(*o, "cost_micro_usd", path));
  BP_ASSIGN_OR_RETURN(std::string cost_usd, json::RequiredString(*o, "cost_usd", path));
  if (cost_usd != FormatUsd(g.cost_micro_usd)) {
    return ValidationError(path + ".cost_usd: '" + cost_usd + "' does not match cost_micro_usd");
  }
  return g;
}

}  // namespace

Result<UsageReport> ParseUsageReportJson(std::string_view text) {
  BP_ASSIGN_OR_RETURN(json::Value doc, json::Parse(text));
  BP_ASSIGN_OR_RETURN(const json::Object* root, json::RequireObject(doc, "$"));
  UsageReport report;
  for (auto [key, out] : {std::pair{std::string_view("from"), &report.from_ms},
                          std::pair{std::string_view("to"), &report.to_ms}}) {
    BP_ASSIGN_OR_RETURN(std::string t, json::RequiredString(*root, key, "$"));
    std::optional<int64_t> ms = ParseIso8601Seconds(t);
    if (!ms || *ms < 0) {
      return ValidationError("$." + std::string(key) + ": '" + t +
                             "' is not a UTC time of the form 2026-01-01T00:00:00Z, from 1970 on");
    }
    *out = *ms;
  }
  BP_ASSIGN_OR_RETURN(std::vector<std::string> by, json::RequiredStringArray(*root, "by", "$"));
  for (size_t i = 0; i < by.size(); ++i) {
    Result<Dimension> d = ParseDimension(by[i]);
    if (!d.ok()) return ValidationError("$.by[" + std::to_string(i) + "]: " + d.status().message());
    report.dimensions.push_back(std::move(d).value());
  }
  BP_ASSIGN_OR_RETURN(const json::Array* groups, json::OptionalArray(*root, "groups", "$"));
  if (groups == nullptr) return ValidationError("$.groups is required");
  for (size_t i = 0; i < groups->size(); ++i) {
    BP_ASSIGN_OR_RETURN(UsageGroup g,
                        ParseGroup((*groups)[i], report.dimensions, !report.dimensions.empty(),
                                   "$.groups[" + std::to_string(i) + "]"));
    report.groups.push_back(std::move(g));
  }
  auto total = root->find("total");
  if (total == root->end()) return ValidationError("$.total is required");
  BP_ASSIGN_OR_RETURN(report.total,
                      ParseGroup(total->value(), report.dimensions, false, "$.total"));
  BP_ASSIGN_OR_RETURN(std::string percentiles, json::RequiredString(*root, "percentiles", "$"));
  if (percentiles != "exact" && percentiles != "estimated") {
    return ValidationError("$.percentiles: expected \"exact\" or \"estimated\", not '" +
                           percentiles + "'");
  }
  report.percentiles_estimated = percentiles == "estimated";
  auto raw_from = root->find("raw_from");
  if (raw_from == root->end()) return ValidationError("$.raw_from is required");
  if (!raw_from->value().is_null()) {
    BP_ASSIGN_OR_RETURN(std::string t, json::RequiredString(*root, "raw_from", "$"));
    std::optional<int64_t> ms = ParseIso8601Seconds(t);
    if (!ms || *ms <= 0) {
      return ValidationError("$.raw_from: '" + t +
                             "' is not null or a UTC time of the form 2026-01-01T00:00:00Z");
    }
    report.raw_from_ms = *ms;
  }
  BP_ASSIGN_OR_RETURN(report.notes, json::RequiredStringArray(*root, "notes", "$"));
  return report;
}

}  // namespace bp::metering
