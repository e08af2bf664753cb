// bp_sign_request: prints one SigV4-signed runtime request, the one the
// in-process benchmarks send (EndpointStack::SignedRequest: the shipped
// consumer rd-e2e calling rd-haiku-45 by its ARN with kConverseBody), for
// scripts/bench-load to replay with wrk and h2load. AWS accepts a signed
// request again and again within its 5-minute clock-skew window, so one
// signature serves a whole load run (sign again per run).
//
// Usage: bp_sign_request HOST:PORT [converse|converse-stream]
// Prints, on stdout:
//   POST <target>
//   <name>: <value>          one line per header to send (lower-case names)
//   <empty line>
//   <body>                   no trailing newline
// content-length is neither printed nor signed: the load generator frames
// the body itself. Exit status 2 on a bad argument, 1 when signing fails.

#include <iostream>
#include <string>
#include <string_view>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "bench/endpoint_stack.h"

namespace {

int Usage() {
  std::cerr << "usage: bp_sign_request HOST:PORT [converse|converse-stream]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using bp::bench::RuntimeCall;
  if (argc < 2 || argc > 3) return Usage();
  const std::string_view host = argv[1];
  if (host.empty() || host.find_first_of(" \r\n") != std::string_view::npos) return Usage();
  RuntimeCall which = RuntimeCall::kConverse;
  if (argc == 3) {
    const std::string_view op = argv[2];
    if (op == "converse-stream") {
      which = RuntimeCall::kConverseStream;
    } else if (op != "converse") {
      return Usage();
    }
  }
  // stdout carries the request: whatever the wiring logs goes to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("bp_sign_request"));
  spdlog::set_level(spdlog::level::warn);
  auto stack = bp::bench::EndpointStack::Create({});
  if (!stack.ok()) {
    std::cerr << "bp_sign_request: " << stack.status().ToString() << "\n";
    return 1;
  }
  auto request = (*stack)->SignedRequest(which, host, /*with_content_length=*/false);
  if (!request.ok()) {
    std::cerr << "bp_sign_request: " << request.status().ToString() << "\n";
    return 1;
  }
  std::cout << request->method << " " << request->target << "\n";
  for (const bp::http::Header& h : request->headers) std::cout << h.name << ": " << h.value << "\n";
  std::cout << "\n" << request->body << std::flush;
  return std::cout ? 0 : 1;
}
