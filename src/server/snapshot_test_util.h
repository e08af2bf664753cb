#pragma once
// Test-only helpers for the bp_server snapshot and reload tests (header-only;
// never linked into the product): compact configs, a store, the fixed
// environment of snapshots, SigV4-signed runtime requests, and a log capture.

#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "api/control/control_service.h"
#include "auth/sigv4/signer.h"
#include "catalog/catalog.h"
#include "config/load.h"
#include "core/uri.h"
#include "server/runtime_snapshot.h"
#include "storage/caching_store.h"
#include "storage/memory/memory_profile_store.h"
#include "testing/testing.h"

namespace bp::server::testing {

// A principal allowed everything, as an HCL `principals` entry.
inline std::string Principal(std::string_view name, std::string_view key,
                             std::string_view policy_action = "bedrock:*") {
  std::string n(name);
  return "  " + n + " = {\n    arn = \"arn:aws:iam::123456789012:role/" + n +
         "\"\n    access_key_id = \"" + std::string(key) + "\"\n    secret_access_key = \"" + n +
         "-secret\"\n    policy = <<-EOT\n      { \"Version\": \"2012-10-17\", \"Statement\": "
         "[ { \"Effect\": \"Allow\", \"Action\": \"" +
         std::string(policy_action) + "\", \"Resource\": \"*\" } ] }\n    EOT\n  }\n";
}

// One profile (rd-haiku-45, id acwt9yee9wzo) over the three EU regions,
// each answering with the simulated model; `region_extra` is spliced into
// eu-central-1's block (e.g. "faults = { outage = true }"), `routing` is the
// routing block's body.
inline std::string ConfigText(const std::string& principals, const std::string& region_extra = "",
                              const std::string& routing = "", const std::string& head = "") {
  return head +
         "account_id = \"123456789012\"\nregion = \"eu-central-1\"\n"
         "default_tags = { Environment = \"rd\" }\n"
         "inference_profiles = {\n  rd-haiku-45 = {\n    model_arn = "
         "\"arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
         "eu.anthropic.claude-haiku-4-5-20251001-v1:0\"\n    id = \"acwt9yee9wzo\"\n  }\n}\n"
         "regions = {\n"
         "  eu-central-1 = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 5 } " +
         region_extra +
         " }\n"
         "  eu-west-1 = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 5 } }\n"
         "  eu-west-3 = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 5 } }\n"
         "}\n" +
         (routing.empty() ? "" : "routing = { " + routing + " }\n") + "principals = {\n" +
         principals + "}\n";
}

inline constexpr char kHaikuPath[] = "/model/acwt9yee9wzo";

// The store, catalog, clock and random every snapshot of a test shares.
class SnapshotFixture : public ::testing::Test {
 protected:
  SnapshotFixture() {
    Result<catalog::Catalog> builtin = catalog::Catalog::Builtin();
    EXPECT_OK(builtin);
    if (builtin.ok()) catalog_ = std::move(builtin).value();
    Result<std::unique_ptr<storage::CachingProfileStore>> store =
        storage::CachingProfileStore::Create(memory_);
    EXPECT_OK(store);
    if (store.ok()) store_ = std::move(store).value();
    environment_.emplace(SnapshotEnvironment{.store = *store_,
                                             .catalog = catalog_,
                                             .clock = clock_,
                                             .random = random_,
                                             .handler_options = {}});
  }

  // `text` loaded as "test.hcl"; a test failure (and nullptr) on any error.
  std::shared_ptr<const config::Config> Load(const std::string& text) {
    config::LoadResult loaded = config::LoadText(text, "test.hcl", catalog_, NoEnv());
    for (const std::string& line : config::FormatDiagnostics(loaded)) ADD_FAILURE() << line;
    if (!loaded.config) return nullptr;
    return std::make_shared<const config::Config>(std::move(*loaded.config));
  }

  // Writes the configured profiles into the store (serve's start does this).
  void Bootstrap(const config::Config& cfg) {
    api::control::ControlService control(
        {.account_id = cfg.account_id, .region = cfg.region, .default_tags = cfg.default_tags},
        *store_, catalog_, clock_, random_);
    EXPECT_OK(control.Reconcile(cfg));
  }

  std::shared_ptr<const RuntimeSnapshot> Build(std::shared_ptr<const config::Config> cfg,
                                               const RuntimeSnapshot* previous = nullptr) {
    Result<std::shared_ptr<const RuntimeSnapshot>> built =
        RuntimeSnapshot::Build(std::move(cfg), *environment_, previous);
    EXPECT_OK(built);
    return built.ok() ? std::move(built).value() : nullptr;
  }

  // A Converse (or ConverseStream) of rd-haiku-45 signed by `name`'s keys
  // (as Principal() writes them) at the fake clock's time.
  http::Request Signed(std::string_view name, std::string_view key, bool stream = false) {
    http::Request request;
    request.method = "POST";
    request.target = std::string(kHaikuPath) + (stream ? "/converse-stream" : "/converse");
    request.body = R"({"messages":[{"role":"user","content":[{"text":"Say: one two three"}]}]})";
    request.headers = {{"host", "127.0.0.1:8700"}, {"content-type", "application/json"}};
    request.remote_address = "127.0.0.1";
    request.request_id = "req-" + std::string(name);
    auth::sigv4::Credentials credentials{.access_key_id = std::string(key),
                                         .secret_access_key = std::string(name) + "-secret"};
    Result<auth::sigv4::SigningResult> signed_headers = auth::sigv4::SignWithHeaders(
        credentials,
        {.method = request.method,
         .path = request.path(),
         .query = request.query(),
         .headers = request.headers,
         .body = request.body,
         .payload_hash = std::nullopt},
        {.region = "eu-central-1", .service = "bedrock", .time = clock_.Now()});
    EXPECT_OK(signed_headers);
    if (signed_headers.ok()) {
      for (http::Header& h : signed_headers->headers_to_add) request.headers.push_back(h);
    }
    return request;
  }

  static config::EnvLookup NoEnv() {
    return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  }

  bp::testing::FakeClock clock_;
  bp::testing::SeededRandom random_{301};
  catalog::Catalog catalog_;
  storage::MemoryProfileStore memory_;
  std::unique_ptr<storage::CachingProfileStore> store_;
  std::optional<SnapshotEnvironment> environment_;
};

// Routes spdlog's default logger into a string while alive ("[level] text"
// lines). Read text() only when no other thread logs.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_level(spdlog::level::info);
    logger->set_pattern("[%l] %v");
    spdlog::set_default_logger(std::move(logger));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace bp::server::testing
