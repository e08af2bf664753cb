#include "api/access_log.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "api/log_format.h"
#include "json/writer.h"

namespace bp::api {

namespace {
std::string_view OrDash(std::string_view s) { return s.empty() ? std::string_view("-") : s; }

// Micro-USD as an exact decimal number of USD ("0.000123", "12", "0").
void AppendMicroUsd(std::string& out, int64_t micro) {
  if (micro < 0) micro = 0;  // never negative (UsageRecord), but never print "-0.x" either
  json::AppendInt(out, micro / 1'000'000);
  int64_t frac = micro % 1'000'000;
  if (frac == 0) return;
  char digits[6];
  for (int i = 5; i >= 0; --i, frac /= 10) digits[i] = static_cast<char>('0' + frac % 10);
  size_t n = 6;
  while (digits[n - 1] == '0') --n;
  out += '.';
  out.append(digits, n);
}

// A text-format field value: one token, whatever the name holds.
void AppendToken(std::string& out, std::string_view s) {
  if (s.empty()) {
    out += '-';
    return;
  }
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out += (u <= 0x20 || u == 0x7f) ? '_' : c;
  }
}

// The JSON line is written by hand (json/writer.h): a boost::json tree would
// cost an allocation per member on every request.
class Members {
 public:
  explicit Members(std::string& out) : out_(out) {}
  // Keys are this file's own ASCII literals: written as they are, unescaped.
  void Key(std::string_view key) {
    out_ += first_ ? "{\"" : ",\"";
    first_ = false;
    out_ += key;
    out_ += "\":";
  }
  void String(std::string_view key, std::string_view value) {  // "" is null
    Key(key);
    if (value.empty()) {
      out_ += "null";
    } else {
      json::AppendString(out_, value);
    }
  }
  void Int(std::string_view key, int64_t value) {
    Key(key);
    json::AppendInt(out_, value);
  }
  void Bool(std::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
  }
  void Pairs(std::string_view key, const auto& pairs) {  // {"k":"v",...}
    Key(key);
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : pairs) {
      if (!first) out_ += ',';
      first = false;
      json::AppendString(out_, k);
      out_ += ':';
      json::AppendString(out_, v);
    }
    out_ += '}';
  }
  void Close() { out_ += first_ ? "{}" : "}"; }

 private:
  std::string& out_;
  bool first_ = true;
};

void AddUsage(Members& line, const AccessUsage& u) {
  line.String("profile", u.profile_name);
  line.String("profile_arn", u.profile_arn);
  line.String("model", u.model_id);
  line.String("source_region", u.source_region);
  line.Int("attempts", u.attempts);
  line.String("error_code", u.error_code);
  line.Bool("cut_short", u.cut_short);
  line.Int("input_tokens", u.input_tokens);
  line.Int("output_tokens", u.output_tokens);
  line.Int("cache_read_tokens", u.cache_read_tokens);
  line.Int("cache_write_tokens", u.cache_write_tokens);
  line.Bool("tokens_estimated", u.tokens_estimated);
  if (u.ttft_ms >= 0) {
    line.Int("ttft_ms", u.ttft_ms);
  } else {
    line.String("ttft_ms", "");
  }
  line.String("service_tier", u.service_tier);
  line.String("price_version", u.price_version);
  line.Pairs("request_metadata", u.request_metadata);
  line.Pairs("tags", u.tags);
}

int64_t MicrosBetween(std::chrono::steady_clock::time_point a,
                      std::chrono::steady_clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::microseconds>(b - a).count();
}

}  // namespace

std::string_view ServedRegion(const http::Headers& headers) {
  for (const http::Header& h : headers) {
    if (h.name == kServedRegionHeader) return h.value;
  }
  return {};
}

bool AccessLogOn() { return AccessLogger().should_log(spdlog::level::info); }

std::string AccessJson(const AccessEntry& entry, unsigned status, int64_t latency_us,
                       std::string_view region, const AccessUsage* usage) {
  std::string out;
  out.reserve(usage == nullptr ? 256 : 768);
  Members line(out);
  line.String("type", "access");
  line.String("request_id", entry.request_id);
  line.String("principal", entry.principal);
  line.String("method", entry.method);
  line.String("path", entry.path);
  line.String("operation", entry.operation);
  line.Int("status", status);
  line.Int("latency_us", latency_us);
  line.String("region", region.empty() && usage != nullptr ? usage->serving_region : region);
  if (usage != nullptr) {
    AddUsage(line, *usage);
    line.Key("cost_usd");  // an exact decimal number
    AppendMicroUsd(out, usage->cost_micro_usd);
  }
  line.Close();
  return out;
}

std::string AccessText(const AccessEntry& entry, unsigned status, int64_t latency_us,
                       std::string_view region, const AccessUsage* usage) {
  if (region.empty() && usage != nullptr) region = usage->serving_region;
  std::string out;
  out.reserve(usage == nullptr ? 160 : 320);
  for (std::string_view field : {std::string_view(entry.request_id),
                                 std::string_view(entry.principal), std::string_view(entry.method),
                                 std::string_view(entry.path), std::string_view(entry.operation)}) {
    out += OrDash(field);
    out += ' ';
  }
  json::AppendInt(out, status);
  out += ' ';
  json::AppendInt(out, latency_us);
  out += "us ";
  out += OrDash(region);
  if (usage == nullptr) return out;
  const AccessUsage& u = *usage;
  out += " profile=";
  AppendToken(out, u.profile_name);
  out += " model=";
  AppendToken(out, u.model_id);
  out += " attempts=";
  json::AppendInt(out, u.attempts);
  out += " tokens_in=";
  json::AppendInt(out, u.input_tokens);
  out += " tokens_out=";
  json::AppendInt(out, u.output_tokens);
  out += " cache_read=";
  json::AppendInt(out, u.cache_read_tokens);
  out += " cache_write=";
  json::AppendInt(out, u.cache_write_tokens);
  out += " ttft_ms=";
  if (u.ttft_ms >= 0) {
    json::AppendInt(out, u.ttft_ms);
  } else {
    out += '-';
  }
  out += " cost_usd=";
  AppendMicroUsd(out, u.cost_micro_usd);
  out += " error=";
  AppendToken(out, u.error_code);
  return out;
}

void LogAccess(const AccessEntry& entry, unsigned status, std::chrono::steady_clock::time_point end,
               std::string_view region, const AccessUsage* usage) {
  spdlog::logger& logger = AccessLogger();
  if (!logger.should_log(spdlog::level::info)) return;
  const int64_t micros = MicrosBetween(entry.start, end);
  if (CurrentLogFormat() == LogFormat::kJson) {
    logger.info("{}", AccessJson(entry, status, micros, region, usage));
    return;
  }
  logger.info("{}", AccessText(entry, status, micros, region, usage));
}

LoggedStream::LoggedStream(std::shared_ptr<http::ResponseStream> inner, AccessEntry entry,
                           const Clock& clock, bool await_usage)
    : inner_(std::move(inner)),
      entry_(std::move(entry)),
      clock_(clock),
      await_usage_(await_usage) {}

LoggedStream::~LoggedStream() { LogOnce(); }

void LoggedStream::Respond(http::Response&& response) {
  if (status_ == 0) {
    status_ = response.status;
    region_ = ServedRegion(response.headers);
  }
  inner_->Respond(std::move(response));
  Complete();
}

void LoggedStream::StartStream(unsigned status, http::Headers&& headers) {
  if (status_ == 0) {
    status_ = status;
    region_ = ServedRegion(headers);
  }
  inner_->StartStream(status, std::move(headers));
}

void LoggedStream::Write(std::string&& chunk) { inner_->Write(std::move(chunk)); }

void LoggedStream::Finish() {
  inner_->Finish();
  Complete();
}

void LoggedStream::Attach(AccessUsage&& usage) {
  if (logged_ || usage_) return;
  usage_ = std::move(usage);
  if (end_) LogOnce();
}

void LoggedStream::Complete() {
  if (!end_) end_ = clock_.SteadyNow();
  if (!await_usage_ || usage_) LogOnce();
}

void LoggedStream::LogOnce() {
  if (logged_) return;
  logged_ = true;
  LogAccess(entry_, status_, end_ ? *end_ : clock_.SteadyNow(), region_,
            usage_ ? &*usage_ : nullptr);
}

}  // namespace bp::api
