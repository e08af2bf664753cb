// The pieces of one runtime call, each alone (docs/performance.md): SigV4
// verification, one IAM decision, the gate's whole admission (ADR-0007 check +
// four IAM decisions), Converse body parsing, and event-stream framing.
// Logging is off (warn level) here; the whole-path benchmarks price it.

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "api/runtime/converse_wire.h"
#include "api/runtime/invoke_gate.h"
#include "bench/bench_util.h"
#include "eventstream/eventstream.h"
#include "storage/caching_store.h"

namespace bp::bench {
namespace {

http::Request SignedConverse() {
  return ValueOrDie(SharedStack().SignedRequest(RuntimeCall::kConverse, "localhost"),
                    "signing the Converse request");
}

// SigV4Authenticator::Authenticate on a header-form signed Converse request:
// parse Authorization, canonical request, SHA-256 of the body, string to
// sign, HMAC with the cached signing key, constant-time compare.
void Piece_SigV4Verify(benchmark::State& state) {
  const EndpointStack& stack = SharedStack();
  const http::Request request = SignedConverse();
  const uint64_t allocations = ThreadAllocations();
  for (auto _ : state) {
    Result<auth::Principal> principal = stack.authenticator().Authenticate(request);
    if (!principal.ok()) Die("SigV4 verification failed: " + principal.status().ToString());
    benchmark::DoNotOptimize(principal);
  }
  ReportAllocations(state, allocations);
}
BENCHMARK(Piece_SigV4Verify)->Unit(benchmark::kNanosecond);

// One IamAuthorizer decision: rd-e2e's seed consumer policy, bedrock:InvokeModel
// on the application profile ARN (allowed by the first statement).
void Piece_IamAuthorize(benchmark::State& state) {
  const EndpointStack& stack = SharedStack();
  const auth::RequestFacts facts{
      .source_ip = "127.0.0.1", .secure_transport = false, .time = SharedStack().clock().Now()};
  const auth::AuthorizationRequest question{
      .action = "bedrock:InvokeModel", .resource = stack.profile_arn(), .context = {}};
  const uint64_t allocations = ThreadAllocations();
  for (auto _ : state) {
    Status decision = stack.authorizer().Authorize(stack.principal(), facts, question);
    if (!decision.ok()) Die("IAM denied: " + decision.ToString());
    benchmark::DoNotOptimize(decision);
  }
  ReportAllocations(state, allocations);
}
BENCHMARK(Piece_IamAuthorize)->Unit(benchmark::kNanosecond);

// InvokeGate::Admit for Converse: the ADR-0007 check on the modelId, the
// snapshot lookup, and the IAM decisions on the profile and on its
// foundation model in each of the three destination regions.
void Piece_InvokeGateAdmit(benchmark::State& state) {
  const EndpointStack& stack = SharedStack();
  const api::ApiCall call{.request = SignedConverse(),
                          .params = {stack.profile_arn()},
                          .principal = stack.principal(),
                          .operation = "Converse",
                          .facts = {.source_ip = "127.0.0.1",
                                    .secure_transport = false,
                                    .time = SharedStack().clock().Now()}};
  const uint64_t allocations = ThreadAllocations();
  for (auto _ : state) {
    auto profile = stack.gate().Admit(call, stack.profile_arn(), api::runtime::InvokeKind::kInvoke);
    if (!profile.ok()) Die("the gate refused: " + profile.status().ToString());
    benchmark::DoNotOptimize(profile);
  }
  ReportAllocations(state, allocations);
}
BENCHMARK(Piece_InvokeGateAdmit)->Unit(benchmark::kNanosecond);

// ParseConverseRequest of kConverseBody (one user text turn plus
// inferenceConfig): JSON parse, validation, canonical ModelRequest.
void Piece_ParseConverseRequest(benchmark::State& state) {
  const uint64_t allocations = ThreadAllocations();
  for (auto _ : state) {
    Result<backends::ModelRequest> request = api::runtime::ParseConverseRequest(kConverseBody);
    if (!request.ok()) Die("the Converse body did not parse: " + request.status().ToString());
    benchmark::DoNotOptimize(request);
  }
  ReportAllocations(state, allocations);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kConverseBody.size()));
}
BENCHMARK(Piece_ParseConverseRequest)->Unit(benchmark::kNanosecond);

// eventstream::AppendEvent: one contentBlockDelta frame (prelude, three
// string headers, payload, two CRC-32s) appended to a reused buffer.
void Piece_EventStreamAppendEvent(benchmark::State& state) {
  constexpr std::string_view kPayload = R"({"contentBlockIndex":0,"delta":{"text":" fox"}})";
  std::string out;
  for (auto _ : state) {
    out.clear();
    eventstream::AppendEvent(out, "contentBlockDelta", kPayload);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["frame_bytes"] = static_cast<double>(out.size());
}
BENCHMARK(Piece_EventStreamAppendEvent)->Unit(benchmark::kNanosecond);

// What ConverseStream does per output token: the delta's JSON plus its frame.
void Piece_ConverseTextDeltaEvent(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    api::runtime::AppendConverseTextDelta(out, 0, " fox");
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["frame_bytes"] = static_cast<double>(out.size());
}
BENCHMARK(Piece_ConverseTextDeltaEvent)->Unit(benchmark::kNanosecond);

// The profile snapshot's update after one control-plane write, at
// state.range(0) profiles: publishing a new version of the persistent map
// (CachingProfileStore::Publish) against copying a std::map of shared
// records (what Publish did before; docs/performance.md, "Control-plane
// writes").
std::string ProfileId(int64_t i) {
  char id[16];
  std::snprintf(id, sizeof(id), "p%011lld", static_cast<long long>(i));
  return id;
}

void Piece_SnapshotPublish(benchmark::State& state) {
  storage::ProfileSnapshot::Map map;
  auto record = std::make_shared<const storage::ProfileRecord>();
  for (int64_t i = 0; i < state.range(0); ++i) map = map.Insert(ProfileId(i), record);
  int64_t next = 0;
  for (auto _ : state) {
    storage::ProfileSnapshot::Map updated = map.Insert(ProfileId(next++ % state.range(0)), record);
    benchmark::DoNotOptimize(updated);
  }
}
BENCHMARK(Piece_SnapshotPublish)->Arg(100)->Arg(18'000)->Unit(benchmark::kNanosecond);

void Piece_SnapshotCopyStdMap(benchmark::State& state) {
  std::map<std::string, std::shared_ptr<const storage::ProfileRecord>, std::less<>> map;
  auto record = std::make_shared<const storage::ProfileRecord>();
  for (int64_t i = 0; i < state.range(0); ++i) map.emplace(ProfileId(i), record);
  int64_t next = 0;
  for (auto _ : state) {
    auto copy = map;
    copy.insert_or_assign(ProfileId(next++ % state.range(0)), record);
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(Piece_SnapshotCopyStdMap)->Arg(100)->Arg(18'000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace bp::bench
