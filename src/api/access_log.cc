#include "api/access_log.h"

#include <charconv>
#include <utility>

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "api/log_format.h"
#include "core/utf8.h"
#include "json/json.h"

namespace bp::api {

namespace {
std::string_view OrDash(std::string_view s) { return s.empty() ? std::string_view("-") : s; }

json::Value OrNull(std::string_view s) {
  if (s.empty()) return nullptr;
  return json::Value(ToValidUtf8(s));
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

// Micro-USD as an exact decimal number of USD ("0.000123", "12", "0").
void AppendMicroUsd(std::string& out, int64_t micro) {
  if (micro < 0) micro = 0;  // never negative (UsageRecord), but never print "-0.x" either
  AppendInt(out, micro / 1'000'000);
  int64_t frac = micro % 1'000'000;
  if (frac == 0) return;
  char digits[7] = {'0', '0', '0', '0', '0', '0', '\0'};
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

json::Object PairsObject(const auto& pairs) {
  json::Object out;
  for (const auto& [key, value] : pairs) out[ToValidUtf8(key)] = ToValidUtf8(value);
  return out;
}

void AddUsage(json::Object& line, const AccessUsage& u) {
  line["profile"] = OrNull(u.profile_name);
  line["profile_arn"] = OrNull(u.profile_arn);
  line["model"] = OrNull(u.model_id);
  line["source_region"] = OrNull(u.source_region);
  line["attempts"] = u.attempts;
  line["error_code"] = OrNull(u.error_code);
  line["cut_short"] = u.cut_short;
  line["input_tokens"] = u.input_tokens;
  line["output_tokens"] = u.output_tokens;
  line["cache_read_tokens"] = u.cache_read_tokens;
  line["cache_write_tokens"] = u.cache_write_tokens;
  if (u.ttft_ms >= 0) {
    line["ttft_ms"] = u.ttft_ms;
  } else {
    line["ttft_ms"] = nullptr;
  }
  line["service_tier"] = OrNull(u.service_tier);
  line["price_version"] = OrNull(u.price_version);
  line["request_metadata"] = PairsObject(u.request_metadata);
  line["tags"] = PairsObject(u.tags);
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
  json::Object line;
  line["type"] = "access";
  line["request_id"] = OrNull(entry.request_id);
  line["principal"] = OrNull(entry.principal);
  line["method"] = OrNull(entry.method);
  line["path"] = OrNull(entry.path);
  line["operation"] = OrNull(entry.operation);
  line["status"] = status;
  line["latency_us"] = latency_us;
  line["region"] = OrNull(region.empty() && usage != nullptr ? usage->serving_region : region);
  if (usage == nullptr) return boost::json::serialize(line);
  AddUsage(line, *usage);
  // The cost as an exact decimal number, which boost::json (doubles) cannot print.
  std::string out = boost::json::serialize(line);
  out.pop_back();
  out += R"(,"cost_usd":)";
  AppendMicroUsd(out, usage->cost_micro_usd);
  out += '}';
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
  AppendInt(out, status);
  out += ' ';
  AppendInt(out, latency_us);
  out += "us ";
  out += OrDash(region);
  if (usage == nullptr) return out;
  const AccessUsage& u = *usage;
  out += " profile=";
  AppendToken(out, u.profile_name);
  out += " model=";
  AppendToken(out, u.model_id);
  out += " attempts=";
  AppendInt(out, u.attempts);
  out += " tokens_in=";
  AppendInt(out, u.input_tokens);
  out += " tokens_out=";
  AppendInt(out, u.output_tokens);
  out += " cache_read=";
  AppendInt(out, u.cache_read_tokens);
  out += " cache_write=";
  AppendInt(out, u.cache_write_tokens);
  out += " ttft_ms=";
  if (u.ttft_ms >= 0) {
    AppendInt(out, u.ttft_ms);
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
