// Binding of `metering = { raw_retention = "30d", rollup_retention = "400d" }`:
// how long the usage ledger keeps its raw records and its hourly roll-ups
// (storage/sqlite/sqlite_ledger.h, docs/metering.md "Retention").

#include <charconv>

#include "config/binder.h"

namespace bp::config {

namespace {

constexpr std::string_view kMeteringKeys[] = {"raw_retention", "rollup_retention"};
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr int64_t kMaxRetentionMs = 36'500 * kDayMs;  // 100 years
// A month of roll-ups rebuilds the budgets at start (docs/metering.md).
constexpr int64_t kMinRollupRetentionMs = 32 * kDayMs;

// "forever" -> 0; "<n>h" / "<n>d" / "<n>w" -> ms; nullopt otherwise.
std::optional<int64_t> ParseRetention(std::string_view text) {
  if (text == "forever") return 0;
  if (text.size() < 2) return std::nullopt;
  int64_t unit = 0;
  switch (text.back()) {
    case 'h':
      unit = kHourMs;
      break;
    case 'd':
      unit = kDayMs;
      break;
    case 'w':
      unit = 7 * kDayMs;
      break;
    default:
      return std::nullopt;
  }
  const std::string_view digits = text.substr(0, text.size() - 1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 1 ||
      n > kMaxRetentionMs / unit) {
    return std::nullopt;
  }
  return n * unit;
}

// The member `key` as a retention; nullopt when absent or wrong (reported).
std::optional<int64_t> RetentionMember(const ast::Value& metering, std::string_view key,
                                       DiagnosticSink& sink) {
  const ast::Value* v = StringMember(metering.entries, key, "metering", {}, false, sink);
  if (v == nullptr) return std::nullopt;
  std::optional<int64_t> ms = ParseRetention(v->text);
  if (!ms) {
    sink.Error(v->location, ChildPath("metering", key) + ": '" + v->text +
                                "' is not a retention; expected a whole number of hours, days "
                                "or weeks up to 100 years (\"36h\", \"30d\", \"8w\") or "
                                "\"forever\"");
  }
  return ms;
}

std::string ShowRetention(int64_t ms) {
  if (ms == 0) return "forever";
  if (ms % kDayMs == 0) return std::to_string(ms / kDayMs) + "d";
  return std::to_string(ms / kHourMs) + "h";
}

}  // namespace

MeteringConfig BindMetering(const ast::Value& value, DiagnosticSink& sink) {
  MeteringConfig out;
  if (!ExpectKind(value, ast::Kind::kObject, "metering", sink)) return out;
  CheckKeys(value.entries, kMeteringKeys, "metering", sink);
  const std::optional<int64_t> raw = RetentionMember(value, "raw_retention", sink);
  const std::optional<int64_t> rollup = RetentionMember(value, "rollup_retention", sink);
  if (raw) out.raw_retention_ms = *raw;
  if (rollup) out.rollup_retention_ms = *rollup;
  const ast::Entry* raw_entry = FindSet(value.entries, "raw_retention");
  const ast::Entry* rollup_entry = FindSet(value.entries, "rollup_retention");
  if ((raw_entry != nullptr && !raw) || (rollup_entry != nullptr && !rollup)) return out;
  const SourceLocation& at = rollup_entry != nullptr ? rollup_entry->value.location
                             : raw_entry != nullptr  ? raw_entry->value.location
                                                     : value.location;
  if (rollup.has_value() && *rollup != 0 && *rollup < kMinRollupRetentionMs) {
    sink.Error(at, "metering.rollup_retention: " + ShowRetention(*rollup) +
                       " is too short; roll-ups must be kept at least 32d (serve rebuilds this "
                       "month's budget spend from them)");
    return out;
  }
  const bool raw_longer =
      out.rollup_retention_ms != 0 &&
      (out.raw_retention_ms == 0 || out.raw_retention_ms > out.rollup_retention_ms);
  if ((raw || rollup) && raw_longer) {
    sink.Error(at, "metering.rollup_retention (" + ShowRetention(out.rollup_retention_ms) +
                       (rollup ? "" : ", the default") + ") is shorter than raw_retention (" +
                       ShowRetention(out.raw_retention_ms) +
                       "); roll-ups must be kept at least as long as raw records");
  }
  return out;
}

}  // namespace bp::config
