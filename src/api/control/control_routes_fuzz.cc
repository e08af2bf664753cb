// libFuzzer target over the control plane as a client reaches it: ApiHandler
// routing, the wire parsers and ControlService over a MemoryProfileStore.
//
// Input: byte 0 picks the operation; the rest is the request body (POST) or
// what follows the route's path (GET/DELETE: a raw path segment or query).
// Invariants checked on every input: exactly one answer; a JSON object body;
// an x-amzn-errortype header on every error; never a 5xx (bad input is the
// client's fault, and the memory store cannot fail).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "api/control/control_routes.h"
#include "api/control/control_service.h"
#include "api/fake_response_stream.h"
#include "api/router.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "catalog/catalog.h"
#include "json/json.h"
#include "storage/memory/memory_profile_store.h"

namespace {

using bp::api::testing::FakeResponseStream;

class FixedClock final : public bp::Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));
  }
  std::chrono::steady_clock::time_point SteadyNow() const override { return {}; }
};

class CountingRandom final : public bp::Random {
 public:
  uint64_t Next() override {
    return state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
  }

 private:
  uint64_t state_ = 301;
};

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bp::catalog::Catalog* catalog = [] {
    spdlog::set_level(spdlog::level::off);
    return new bp::catalog::Catalog(bp::catalog::Catalog::Builtin().value());
  }();
  if (size == 0) return 0;
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  bp::storage::MemoryProfileStore store;
  FixedClock clock;
  CountingRandom random;
  bp::api::control::ControlService control(
      {.account_id = "123456789012", .region = "eu-central-1", .default_tags = {{"Env", "rd"}}},
      store, *catalog, clock, random);
  bp::config::Config config;
  config.account_id = "123456789012";
  config.region = "eu-central-1";
  config.profiles.push_back({.name = "rd-haiku-45",
                             .model_arn =
                                 "arn:aws:bedrock:eu-central-1:123456789012:"
                                 "inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0",
                             .id = "acwt9yee9wzo"});
  Check(control.Reconcile(config).ok());
  bp::auth::AnonymousAuthenticator auth;
  bp::api::ApiHandler handler(auth, clock);
  bp::auth::AllowAllAuthorizer authorizer;
  Check(bp::api::control::RegisterControlRoutes(handler, control, authorizer).ok());

  struct Op {
    const char* method;
    const char* prefix;
    bool body;
  };
  static constexpr Op kOps[] = {
      {"POST", "/inference-profiles", true},  {"GET", "/inference-profiles?", false},
      {"GET", "/inference-profiles/", false}, {"DELETE", "/inference-profiles/", false},
      {"POST", "/tagResource", true},         {"POST", "/untagResource", true},
      {"POST", "/listTagsForResource", true}, {"GET", "/foundation-models?", false},
      {"GET", "/foundation-models/", false},
  };
  const auto& op = kOps[data[0] % (sizeof(kOps) / sizeof(kOps[0]))];
  for (int round = 0; round < 2; ++round) {  // twice: replays, duplicates, deletes
    bp::http::Request request;
    request.method = op.method;
    request.target = op.body ? op.prefix : op.prefix + rest;
    if (op.body) request.body = rest;
    request.request_id = "fuzz";
    auto stream = std::make_shared<FakeResponseStream>();
    handler.Handle(std::move(request), stream);
    Check(stream->answers == 1);
    Check(stream->response.status < 500);
    auto body = bp::json::Parse(stream->response.body);
    Check(body.ok() && body->is_object());
    if (stream->response.status >= 400) Check(!stream->Header("x-amzn-errortype").empty());
  }
  return 0;
}
