// `usage [--by DIM]... [--since DURATION | --from T --to T] [--json | --csv]
// [--state DIR]`: the usage ledger of a state directory (metering's report),
// read while `serve` runs or after it stopped.
#include <chrono>
#include <iostream>

#include "auth/iam/values.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "core/clock.h"
#include "metering/usage_report.h"
#include "server/serve.h"
#include "storage/sqlite/sqlite_ledger.h"

namespace bp::cli {

namespace {

struct UsageArgs {
  std::vector<std::string> by;
  std::string since;
  std::string from;
  std::string to;
  bool json = false;
  bool csv = false;
  std::string state = server::ServeOptions().state_dir.string();
};

int Fail(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return 1;
}

// "2026-12-01", "2026-12-01T10:00:00Z", ... -> ms since the epoch.
Result<int64_t> ParseTimeMs(std::string_view flag, const std::string& text) {
  std::optional<int64_t> micros = auth::iam::ParseTimestampMicros(text);
  if (!micros) {
    return ValidationError(std::string(flag) + " '" + text +
                           "' is not a time: use ISO 8601, e.g. 2026-12-01 or "
                           "2026-12-01T10:00:00Z");
  }
  return *micros / 1000;
}

int RunUsage(const UsageArgs& args) {
  std::vector<metering::Dimension> dimensions;
  for (const std::string& text : args.by) {
    Result<metering::Dimension> d = metering::ParseDimension(text);
    if (!d.ok()) return Fail(d.status().message());
    dimensions.push_back(*d);
  }
  if (args.json && args.csv) return Fail("--json and --csv exclude each other");
  if (!args.since.empty() && (!args.from.empty() || !args.to.empty())) {
    return Fail("--since excludes --from and --to");
  }
  SystemClock clock;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
  int64_t from_ms = 0;
  int64_t to_ms = now_ms + 1;
  if (!args.from.empty() || !args.to.empty()) {
    if (!args.from.empty()) {
      Result<int64_t> t = ParseTimeMs("--from", args.from);
      if (!t.ok()) return Fail(t.status().message());
      from_ms = *t;
    }
    if (!args.to.empty()) {
      Result<int64_t> t = ParseTimeMs("--to", args.to);
      if (!t.ok()) return Fail(t.status().message());
      to_ms = *t;
    }
    if (to_ms <= from_ms) return Fail("--to must be later than --from");
  } else {
    Result<int64_t> since = metering::ParseDurationMs(args.since.empty() ? "24h" : args.since);
    if (!since.ok()) return Fail("--since " + since.status().message());
    from_ms = now_ms - *since;
  }
  Result<metering::UsageReport> report =
      storage::sqlite::QueryUsage(args.state, dimensions, from_ms, to_ms);
  if (!report.ok() && report.status().code() != ErrorCode::kResourceNotFound) {
    return Fail(report.status().message());
  }
  if (!report.ok()) {
    std::cerr << "note: no usage ledger in " << args.state
              << " yet (serve writes one there on its first call)\n";
    report = metering::UsageAggregator(std::move(dimensions)).Finish(from_ms, to_ms);
  }
  // What the ledger no longer holds for this window (retention): never
  // silent, and never mixed into --json / --csv output on stdout.
  for (const std::string& note : report->notes) std::cerr << "note: " << note << "\n";
  if (args.json) {
    std::cout << metering::RenderJson(*report);
  } else if (args.csv) {
    std::cout << metering::RenderCsv(*report);
  } else {
    std::cout << metering::RenderTable(*report);
  }
  return 0;
}

}  // namespace

void AddUsageCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<UsageArgs>();
  CLI::App* cmd = app.add_subcommand(
      "usage",
      "Requests, errors, throttles, tokens (input, output, cache read, cache write),\n"
      "latency and time-to-first-token percentiles, and cost of the runtime calls in\n"
      "the usage ledger of a state directory (works while serve runs), grouped by\n"
      "any mix of dimensions; a TOTAL row last. Default window: the last 24 hours.");
  cmd->add_option("--by", args->by,
                  "group by profile, principal, model, region, operation, tag:KEY (the "
                  "profile's tag) or metadata:KEY (the caller's requestMetadata); repeat for a "
                  "cross table");
  cmd->add_option("--since", args->since, "window ending now: 30m, 24h, 7d, 90d, 2w");
  cmd->add_option("--from", args->from, "window start (ISO 8601: 2026-12-01, 2026-12-01T10:00Z)");
  cmd->add_option("--to", args->to, "window end, exclusive (default: now)");
  cmd->add_flag("--json", args->json, "one JSON document");
  cmd->add_flag("--csv", args->csv, "CSV (RFC 4180)");
  cmd->add_option("--state", args->state, "state directory serve writes to")->capture_default_str();
  SetHelpFooter(cmd, {.examples = "bedrock-profiles usage --by profile --since 7d\n"
                                  "bedrock-profiles usage --by tag:team --by profile --since 30d\n"
                                  "bedrock-profiles usage --by metadata:run --json"});
  cmd->callback([args, exit_code] { *exit_code = RunUsage(*args); });
}

}  // namespace bp::cli
