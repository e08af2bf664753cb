// `usage [--by DIM]... [--since DURATION | --from T --to T] [--json | --csv]
// [--state DIR | --endpoint URL]`: the usage report (metering's) of a state
// directory's ledger, read while `serve` runs or after it stopped, or of a
// running endpoint through GET /usage (IAM action bedrock-profiles:GetUsage).
#include <chrono>
#include <iostream>

#include "api/client/usage_client.h"
#include "auth/iam/values.h"
#include "cli/client_setup.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
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
  std::string config;  // --endpoint: the config naming --principal and the region to sign for
  ClientFlags client;  // endpoint empty: read --state
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

struct Window {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// --since, or --from/--to; the last 24 hours by default.
Result<Window> ResolveWindow(const UsageArgs& args) {
  if (!args.since.empty() && (!args.from.empty() || !args.to.empty())) {
    return ValidationError("--since excludes --from and --to");
  }
  SystemClock clock;
  const int64_t now_ms = ToUnixMillis(clock.Now());
  Window w{.from_ms = 0, .to_ms = now_ms + 1};
  if (!args.from.empty() || !args.to.empty()) {
    if (!args.from.empty()) {
      BP_ASSIGN_OR_RETURN(w.from_ms, ParseTimeMs("--from", args.from));
    }
    if (!args.to.empty()) {
      BP_ASSIGN_OR_RETURN(w.to_ms, ParseTimeMs("--to", args.to));
    }
    if (w.to_ms <= w.from_ms) return ValidationError("--to must be later than --from");
    return w;
  }
  Result<int64_t> since = metering::ParseDurationMs(args.since.empty() ? "24h" : args.since);
  if (!since.ok()) return ValidationError("--since " + since.status().message());
  w.from_ms = now_ms - *since;
  return w;
}

// The ledger of the state directory (serve may be writing it meanwhile).
Result<metering::UsageReport> StateReport(const UsageArgs& args,
                                          std::vector<metering::Dimension> dimensions,
                                          const Window& w) {
  Result<metering::UsageReport> report =
      storage::sqlite::QueryUsage(args.state, dimensions, w.from_ms, w.to_ms);
  if (report.ok() || report.status().code() != ErrorCode::kResourceNotFound) return report;
  std::cerr << "note: no usage ledger in " << args.state
            << " yet (serve writes one there on its first call)\n";
  return metering::UsageAggregator(std::move(dimensions)).Finish(w.from_ms, w.to_ms);
}

// GET /usage of a running endpoint (api/usage_route.h), signed like every
// client command; the report comes back as JSON and is rendered here, so
// each format prints what --state prints for the same ledger.
Result<metering::UsageReport> EndpointReport(const UsageArgs& args,
                                             const std::vector<metering::Dimension>& dimensions,
                                             const Window& w) {
  std::optional<LoadedConfig> loaded = LoadConfigOrReport(args.config);
  if (!loaded) return ValidationError("the configuration has errors (shown above)");
  SystemClock clock;
  BP_ASSIGN_OR_RETURN(std::unique_ptr<api::client::BedrockClient> client,
                      MakeControlClient(args.client, loaded->config, clock));
  api::client::UsageReportRequest request{.by = {}, .from_ms = w.from_ms, .to_ms = w.to_ms};
  for (const metering::Dimension& d : dimensions) request.by.push_back(d.Name());
  BP_ASSIGN_OR_RETURN(std::string body, api::client::FetchUsageReport(*client, request));
  Result<metering::UsageReport> report = metering::ParseUsageReportJson(body);
  if (!report.ok()) {
    return Status(ErrorCode::kServiceUnavailable,
                  "the answer of " + client->Describe() +
                      " to GET /usage is not a usage report: " + report.status().message());
  }
  return report;
}

int RunUsage(const UsageArgs& args) {
  std::vector<metering::Dimension> dimensions;
  for (const std::string& text : args.by) {
    Result<metering::Dimension> d = metering::ParseDimension(text);
    if (!d.ok()) return Fail(d.status().message());
    dimensions.push_back(*d);
  }
  if (args.json && args.csv) return Fail("--json and --csv exclude each other");
  Result<Window> window = ResolveWindow(args);
  if (!window.ok()) return Fail(window.status().message());
  Result<metering::UsageReport> report = args.client.endpoint.empty()
                                             ? StateReport(args, std::move(dimensions), *window)
                                             : EndpointReport(args, dimensions, *window);
  if (!report.ok()) return Fail(report.status().message());
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
      "the usage ledger of a state directory (works while serve runs), or of a running\n"
      "endpoint with --endpoint, grouped by any mix of dimensions; a TOTAL row last.\n"
      "Default window: the last 24 hours.");
  cmd->add_option("--by", args->by,
                  "group by profile, principal, model, region, operation, tag:KEY (the "
                  "profile's tag) or metadata:KEY (the caller's requestMetadata); repeat for a "
                  "cross table");
  cmd->add_option("--since", args->since, "window ending now: 30m, 24h, 7d, 90d, 2w");
  cmd->add_option("--from", args->from, "window start (ISO 8601: 2026-12-01, 2026-12-01T10:00Z)");
  cmd->add_option("--to", args->to, "window end, exclusive (default: now)");
  cmd->add_flag("--json", args->json, "one JSON document");
  cmd->add_flag("--csv", args->csv, "CSV (RFC 4180)");
  CLI::Option* state =
      cmd->add_option("--state", args->state, "state directory serve writes to (the default)")
          ->capture_default_str();
  CLI::Option* endpoint = cmd->add_option(
      "--endpoint", args->client.endpoint,
      "read the report of a running bedrock-profiles endpoint instead (GET /usage, signed; the "
      "caller needs IAM action bedrock-profiles:GetUsage)");
  endpoint->excludes(state);
  cmd->add_option("--principal", args->client.principal,
                  "with --endpoint: sign with this config principal's keys (the local endpoint) "
                  "instead of the AWS credential chain")
      ->needs(endpoint);
  cmd->add_flag("--allow-remote-principal", args->client.allow_remote_principal,
                "allow --principal's keys to go to a non-loopback endpoint")
      ->needs(endpoint);
  cmd->add_option("--config", args->config,
                  "with --endpoint: the config naming the principals and the region to sign for")
      ->needs(endpoint);
  SetHelpFooter(cmd,
                {.examples = "bedrock-profiles usage --by profile --since 7d\n"
                             "bedrock-profiles usage --by tag:team --by profile --since 30d\n"
                             "bedrock-profiles usage --by metadata:run --json\n"
                             "bedrock-profiles usage --by profile --since 7d --endpoint "
                             "http://127.0.0.1:8700 --principal platform-admin",
                 .notes = "With --endpoint the endpoint reads its own ledger and the report is "
                          "rendered here: every\nformat prints what --state prints for the same "
                          "ledger. A caller without\nbedrock-profiles:GetUsage gets "
                          "AccessDeniedException (exit 1)."});
  cmd->callback([args, exit_code] { *exit_code = RunUsage(*args); });
}

}  // namespace bp::cli
