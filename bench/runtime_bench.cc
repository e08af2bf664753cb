// The whole request path: in process through ApiHandler::Handle, and over a
// real loopback socket through http::Server, against the baseline of a plain
// loopback round trip with a trivial server (docs/performance.md).
//
// Arg log:0 runs with logging off (warn level); log:1 at serve's default info
// level, which writes the access-log line and one line per IAM decision
// (bench_util.h: to /dev/null, one write(2) per line, like stderr).

#include <memory>
#include <string>
#include <thread>

#include <benchmark/benchmark.h>

#include "api/fake_response_stream.h"
#include "bench/bench_util.h"
#include "bench/loopback.h"
#include "eventstream/eventstream.h"
#include "http/server.h"

namespace bp::bench {
namespace {

// ---- in process --------------------------------------------------------------

// The number of event-stream frames in `body`; dies when it does not decode.
size_t CountFramesOrDie(const std::string& body) {
  eventstream::Decoder decoder;
  decoder.Feed(body);
  size_t frames = 0;
  for (;;) {
    auto next = decoder.Next();
    if (!next.ok()) Die("ConverseStream body does not decode: " + next.status().ToString());
    if (!next->has_value()) break;
    ++frames;
  }
  CheckOk(decoder.Finish(), "ConverseStream body");
  return frames;
}

// One signed call through ApiHandler::Handle with a FakeResponseStream,
// running the stream's manual loop until the answer is complete. Includes
// copying the request template (what the HTTP layer would have built).
void InProcessCall(benchmark::State& state, RuntimeCall which) {
  ScopedLogLevel log(state.range(0) != 0);
  EndpointStack& stack = SharedStack();
  const http::Request request =
      ValueOrDie(stack.SignedRequest(which, "localhost"), "signing the request");
  std::shared_ptr<api::testing::FakeResponseStream> last;
  const uint64_t allocations = ThreadAllocations();
  for (auto _ : state) {
    http::Request copy = request;
    auto stream = std::make_shared<api::testing::FakeResponseStream>();
    stack.handler().Handle(std::move(copy), stream);
    static_cast<api::testing::ManualLoop&>(stream->loop()).RunAll();
    if (stream->response.status != 200 || !stream->finished || stream->answers != 1) {
      Die("in-process call answered " + std::to_string(stream->response.status) + ": " +
          stream->response.body);
    }
    last = std::move(stream);  // frees the previous call's stream, as dropping it would
  }
  ReportAllocations(state, allocations);
  if (last == nullptr) return;
  state.counters["resp_bytes"] = static_cast<double>(last->response.body.size());
  if (which == RuntimeCall::kConverseStream) {
    state.counters["frames"] = static_cast<double>(CountFramesOrDie(last->response.body));
  }
}

void InProcess_Converse(benchmark::State& state) { InProcessCall(state, RuntimeCall::kConverse); }
void InProcess_ConverseStream(benchmark::State& state) {
  InProcessCall(state, RuntimeCall::kConverseStream);
}
BENCHMARK(InProcess_Converse)->ArgName("log")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(InProcess_ConverseStream)->ArgName("log")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// ---- over loopback -------------------------------------------------------------

// Sends `wire` and reads the answer; anything but 200 ends the run.
void RoundTripOrDie(LoopbackClient& client, std::string_view wire) {
  Result<unsigned> status = client.RoundTrip(wire);
  if (!status.ok()) Die("loopback round trip: " + status.status().ToString());
  if (*status != 200) {
    Die("loopback round trip answered " + std::to_string(*status) + ": " + client.body());
  }
}

// The timed loop of a loopback benchmark: wall time per call (the benchmark's
// Time), the client thread's CPU (its CPU column) and the CPU of every other
// thread of the process, i.e. the server's (counter server_cpu_us).
void TimedRoundTrips(benchmark::State& state, LoopbackClient& client, std::string_view wire) {
  RoundTripOrDie(client, wire);  // warm-up: connection accepted, caches hot
  const double process_start = ProcessCpuSeconds();
  const double thread_start = ThreadCpuSeconds();
  for (auto _ : state) RoundTripOrDie(client, wire);
  const double server_cpu =
      (ProcessCpuSeconds() - process_start) - (ThreadCpuSeconds() - thread_start);
  state.counters["server_cpu_us"] =
      benchmark::Counter(server_cpu * 1e6, benchmark::Counter::kAvgIterations);
  state.counters["req_bytes"] = static_cast<double>(wire.size());
}

// The BRIEF's yardstick: a minimal keep-alive HTTP/1.1 exchange with a
// trivial blocking server thread (fixed 2-byte answer). `converse_sized`
// sends the signed Converse request's bytes instead of a tiny GET, so the
// only difference left to Loopback_Converse is the endpoint's work.
void Baseline(benchmark::State& state, bool converse_sized) {
  BaselineServer server;
  CheckOk(server.Start(), "starting the baseline server");
  LoopbackClient client;
  CheckOk(client.Connect(server.port()), "connecting to the baseline server");
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  const std::string wire =
      converse_sized ? SerializeRequest(ValueOrDie(
                           SharedStack().SignedRequest(RuntimeCall::kConverse, host), "signing"))
                     : "GET / HTTP/1.1\r\nhost: " + host + "\r\n\r\n";
  TimedRoundTrips(state, client, wire);
  client.Close();
  server.Join();
}

void Baseline_LoopbackRoundTrip(benchmark::State& state) { Baseline(state, false); }
void Baseline_LoopbackRoundTrip_ConverseBytes(benchmark::State& state) { Baseline(state, true); }
BENCHMARK(Baseline_LoopbackRoundTrip)->Unit(benchmark::kMicrosecond);
BENCHMARK(Baseline_LoopbackRoundTrip_ConverseBytes)->Unit(benchmark::kMicrosecond);

// The real http::Server (one event-loop thread) on 127.0.0.1:0 serving the
// endpoint's handler; this thread sends signed Converse requests over one
// keep-alive HTTP/1.1 connection.
void Loopback_Converse(benchmark::State& state) {
  ScopedLogLevel log(state.range(0) != 0);
  EndpointStack& stack = SharedStack();
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 1;
  std::unique_ptr<http::Server> server =
      http::Server::Create(options, stack.handler(), stack.clock(), stack.random());
  CheckOk(server->Listen(), "listening");
  std::thread loop([&server] { server->Run(/*handle_signals=*/false); });

  LoopbackClient client;
  CheckOk(client.Connect(server->port()), "connecting to the endpoint");
  const std::string wire = SerializeRequest(ValueOrDie(
      stack.SignedRequest(RuntimeCall::kConverse, "127.0.0.1:" + std::to_string(server->port())),
      "signing"));
  TimedRoundTrips(state, client, wire);
  client.Close();
  server->Shutdown();
  loop.join();
}
BENCHMARK(Loopback_Converse)->ArgName("log")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace bp::bench
