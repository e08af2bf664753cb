#pragma once
// The runtime operations of bedrock-api.md §3: InvokeModel,
// InvokeModelWithResponseStream, Converse, ConverseStream and CountTokens.
// Each call: the gate (ADR-0007 + authorization) -> parse and validate the
// body once -> pick a region (routing::Router) -> start the region's backend
// -> answer as JSON, or as an event stream written token by token.
//
// Failover: a retryable failure (throttling, unavailable, timeout, internal,
// model not ready) before the first byte reaches the caller is retried in
// another of the profile's regions, up to the router's max_attempts. For the
// non-streaming operations nothing is sent before the model finishes, so a
// mid-answer fault is retried too. An attempt that produces no first token
// within Options::first_token_timeout is abandoned the same way. After a
// stream's first byte a failure becomes a modelled exception event and the
// body ends cleanly.
//
// Guardrails (docs/runtime.md "Guardrails"): a call naming one (Converse's
// guardrailConfig, InvokeModel's X-Amzn-Bedrock-Guardrail* headers) is
// admitted by InvokeGate::AdmitGuardrail, then its input is checked before
// any model call: when blocked, the answer is the guardrail's input message
// with stopReason guardrail_intervened and the model is not called. The
// model's answer is checked whole before it is sent (non-streaming calls and
// ConverseStream's sync mode, InvokeModelWithResponseStream always); in
// ConverseStream's async mode the text is sent as produced and checked at
// the end of each text block: when blocked, the stream ends there with one
// more text block holding the output message and guardrail_intervened.
//
// Every answer carries the serving region in the `x-bedrock-profiles-region`
// header (also in the access log); InvokeModel adds Bedrock's
// X-Amzn-Bedrock-{Input,Output}-Token-Count and -Invocation-Latency headers.
// A service tier the call asked for is echoed: Converse's `serviceTier`
// (response and the stream's metadata event), InvokeModel's
// X-Amzn-Bedrock-Service-Tier response header.
//
// Thread-safety: register before serving; then calls run on any loop thread
// at once. Each call lives on the loop of its connection. Public header of
// bp_api_runtime (with invoke_gate.h).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/router.h"
#include "api/runtime/invoke_gate.h"
#include "backends/backend.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "metering/budgets.h"
#include "metering/prices.h"
#include "metering/quotas.h"
#include "metering/usage_record.h"
#include "routing/router.h"

namespace bp::api::runtime {

// region -> the backend answering there. Backends are not owned.
using BackendMap = std::map<std::string, backends::ModelBackend*, std::less<>>;

enum class RuntimeApi : uint8_t { kInvoke, kInvokeStream, kConverse, kConverseStream };

class RuntimeService final {
 public:
  struct Options {
    // Upper bound on maxTokens / max_tokens (Claude 4.x on Bedrock: 64000).
    int32_t max_output_tokens = 64'000;
    // An attempt whose first token has not come within this is abandoned
    // as ModelTimeout and retried in another region (0: wait forever).
    std::chrono::milliseconds first_token_timeout{0};
    // The service tiers each region offers; a region not listed offers
    // default, priority and flex. A call asking for a tier (serviceTier,
    // X-Amzn-Bedrock-Service-Tier) is routed only to regions offering it,
    // and is a ValidationException when none of its profile's regions does.
    std::map<std::string, std::vector<backends::ServiceTier>, std::less<>> region_service_tiers;
    // The endpoint's own region (usage records' source_region).
    std::string source_region;
    // The output quotas and budgets reserve for a call that sets no
    // maxTokens / max_tokens (config quotas.default_max_tokens).
    int64_t default_max_tokens = 1024;
  };
  // Everything must outlive the service.
  struct Dependencies {
    const InvokeGate& gate;
    const catalog::Catalog& catalog;
    routing::Router& router;
    const BackendMap& backends;
    const Clock& clock;
    Random& random;
    // Where each call's usage record goes (null: nothing is metered). One
    // record per call whatever its outcome (docs/metering.md).
    metering::UsageSink* usage = nullptr;
    // What a call's tokens cost (null: records carry no cost).
    const metering::PriceTable* prices = nullptr;
    // RPM / TPM / TPD limits (null: none). Checked once the gate admitted the
    // profile and the body parsed, before any model work: the call reserves
    // its input estimate (the first region's backend CountInputTokens) plus
    // its maxTokens (else Options::default_max_tokens), and settles to the
    // tokens it actually produced when it ends. Over a limit:
    // ThrottlingException naming the limit and when it frees.
    const metering::Quotas* quotas = nullptr;
    // Monthly USD budgets (null: none), checked before the quotas: the call
    // reserves its worst-case cost (the reserved tokens at the dearest of
    // the profile's models, its input priced as a 1-hour cache write when
    // that is dearer) and settles to its cost when it ends. Exhausted:
    // ServiceQuotaExceededException naming the budget.
    const metering::Budgets* budgets = nullptr;
  };

  RuntimeService(Options options, Dependencies deps);

  // Registers the five routes of §3 and ApplyGuardrail on `handler`.
  Status RegisterRoutes(ApiHandler& handler) const;

  // One call of `api` (the route handlers; public for tests).
  void Serve(RuntimeApi api, ApiCall&& call, std::shared_ptr<http::ResponseStream> stream) const;
  Result<http::Response> CountTokens(const ApiCall& call) const;
  // POST /guardrail/{id}/version/{v}/apply (guardrail_wire.h): the gate's
  // AdmitGuardrail (bedrock:ApplyGuardrail; an unknown guardrail is
  // ResourceNotFoundException), then the body's text checked.
  Result<http::Response> ApplyGuardrail(const ApiCall& call) const;

 private:
  class Call;
  friend class Call;

  // CountTokens' answer; `resolved` (may be null) gets the profile once admitted.
  Result<http::Response> CountTokensAnswer(const ApiCall& call,
                                           InvokeGate::Profile* resolved) const;

  // What a call reserves: input as the first served region's backend
  // counts it, output its maxTokens (else default_max_tokens).
  metering::TokenCounts ReservedTokens(backends::ModelRequest& request,
                                       const storage::ProfileRecord& profile) const;
  // The budgets' reservation of `reserved` (see Dependencies::budgets).
  int64_t WorstCaseCost(const backends::ModelRequest& request,
                        const storage::ProfileRecord& profile,
                        const metering::TokenCounts& reserved) const;

  const Options options_;
  const Dependencies deps_;
};

}  // namespace bp::api::runtime
