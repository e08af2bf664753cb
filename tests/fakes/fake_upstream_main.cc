// bp-fake-upstream: the two upstreams the endpoint proxies to (Amazon
// Bedrock, an OpenAI-compatible server), on loopback, for integration and
// SDK tests. README.md next to this file has the flags, checks and triggers.
//
//   bp-fake-upstream bedrock --listen 127.0.0.1:0 --region R --access-key-id K
//       --secret-access-key S [--session-token T] [--profile ARN=MODEL]...
//       [--split-bytes] [--log FILE]
//   bp-fake-upstream openai --listen 127.0.0.1:0 --model NAME [--answer-as MODEL_ID]
//       [--api-key KEY] [--sse-style vllm|llama|ollama] [--no-usage] [--split-bytes]
//       [--log FILE]
//
// Prints "bp-fake-upstream listening on http://HOST:PORT" once listening,
// serves until SIGTERM/SIGINT, exits 0.

#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/clock.h"
#include "fakes/bedrock_fake.h"
#include "fakes/fake_common.h"
#include "fakes/openai_fake.h"
#include "http/server.h"

namespace bp::fakes {
namespace {

struct Listen {
  std::string host;
  uint16_t port = 0;
};

Result<Listen> ParseListen(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return ValidationError("--listen: expected HOST:PORT");
  Listen out;
  out.host = text.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host != "127.0.0.1" && out.host != "::1" && out.host != "localhost") {
    return ValidationError("--listen: loopback only (127.0.0.1, ::1, localhost)");
  }
  try {
    const int port = std::stoi(text.substr(colon + 1));
    if (port < 0 || port > 65535) return ValidationError("--listen: port out of range");
    out.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    return ValidationError("--listen: the port is not a number");
  }
  return out;
}

int Serve(const Listen& listen, http::Handler& handler, HeldStreams& held) {
  SystemClock clock;
  SystemRandom random;
  http::ServerOptions options;
  options.host = listen.host;
  options.port = listen.port;
  options.threads = 1;
  // A hung request (FAKE-HANG) must not hold the exit up for long.
  options.drain_timeout = std::chrono::milliseconds(500);
  std::unique_ptr<http::Server> server = http::Server::Create(options, handler, clock, random);
  Status listening = server->Listen();
  if (!listening.ok()) {
    std::cerr << "bp-fake-upstream: " << listening.message() << "\n";
    return 1;
  }
  server->CatchSignals();
  const std::string host =
      listen.host.find(':') != std::string::npos ? "[" + listen.host + "]" : listen.host;
  std::printf("bp-fake-upstream listening on http://%s:%u\n", host.c_str(),
              static_cast<unsigned>(server->port()));
  std::fflush(stdout);
  server->Run(/*handle_signals=*/true);
  held.Release();
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"Fake Bedrock and OpenAI-compatible upstreams for tests", "bp-fake-upstream"};
  app.require_subcommand(1);

  std::string listen_text = "127.0.0.1:0";
  std::string log_path;
  bool split_bytes = false;

  BedrockFakeOptions bedrock;
  std::string session_token;
  std::vector<std::string> profiles;
  CLI::App* bedrock_cmd = app.add_subcommand("bedrock", "Fake Amazon Bedrock runtime");
  bedrock_cmd->add_option("--listen", listen_text, "HOST:PORT (port 0: any free one)");
  bedrock_cmd->add_option("--region", bedrock.region, "region signatures must name")->required();
  bedrock_cmd->add_option("--access-key-id", bedrock.credentials.access_key_id)->required();
  bedrock_cmd->add_option("--secret-access-key", bedrock.credentials.secret_access_key)->required();
  bedrock_cmd->add_option("--session-token", session_token,
                          "x-amz-security-token required to equal this");
  bedrock_cmd->add_option("--profile", profiles,
                          "APPLICATION_PROFILE_ARN=FOUNDATION_MODEL_ID (repeatable)");
  bedrock_cmd->add_flag("--split-bytes", split_bytes, "write bodies one byte at a time");
  bedrock_cmd->add_option("--tokens-per-second", bedrock.tokens_per_second,
                          "pace of the answers (0, the default: all at once)");
  bedrock_cmd->add_option("--log", log_path, "append one line per request");

  OpenAiFakeOptions openai;
  std::string api_key;
  std::string style = "vllm";
  CLI::App* openai_cmd = app.add_subcommand("openai", "Fake OpenAI-compatible chat server");
  openai_cmd->add_option("--listen", listen_text, "HOST:PORT (port 0: any free one)");
  openai_cmd->add_option("--model", openai.model, "the one model served")->required();
  openai_cmd->add_option("--answer-as", openai.answer_as,
                         "model id the simulated model answers as (default: --model)");
  openai_cmd->add_option("--api-key", api_key, "Bearer token required when set");
  openai_cmd->add_option("--sse-style", style, "vllm, llama or ollama")
      ->check(CLI::IsMember({"vllm", "llama", "ollama"}));
  openai_cmd->add_flag("--no-usage", openai.no_usage, "never send usage");
  openai_cmd->add_flag("--split-bytes", split_bytes, "write bodies one byte at a time");
  openai_cmd->add_option("--log", log_path, "append one line per request");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  Result<Listen> listen = ParseListen(listen_text);
  if (!listen.ok()) {
    std::cerr << "bp-fake-upstream: " << listen.status().message() << "\n";
    return 2;
  }
  SystemClock clock;
  RequestLog log;
  if (Status opened = log.Open(log_path); !opened.ok()) {
    std::cerr << "bp-fake-upstream: " << opened.message() << "\n";
    return 2;
  }
  HeldStreams held;

  if (bedrock_cmd->parsed()) {
    if (!session_token.empty()) bedrock.credentials.session_token = session_token;
    bedrock.split_bytes = split_bytes;
    for (const std::string& p : profiles) {
      const size_t eq = p.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == p.size()) {
        std::cerr << "bp-fake-upstream: --profile: expected ARN=MODEL_ID, got " << p << "\n";
        return 2;
      }
      bedrock.profiles.emplace(p.substr(0, eq), p.substr(eq + 1));
    }
    Result<std::unique_ptr<BedrockFake>> fake =
        BedrockFake::Create(std::move(bedrock), clock, log, held);
    if (!fake.ok()) {
      std::cerr << "bp-fake-upstream: " << fake.status().message() << "\n";
      return 2;
    }
    return Serve(*listen, **fake, held);
  }
  if (!api_key.empty()) openai.api_key = api_key;
  openai.style = *SseStyleFromName(style);
  openai.split_bytes = split_bytes;
  OpenAiFake fake(std::move(openai), clock, log, held);
  return Serve(*listen, fake, held);
}

}  // namespace
}  // namespace bp::fakes

int main(int argc, char** argv) {
  try {
    return bp::fakes::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "bp-fake-upstream: " << e.what() << "\n";
    return 1;
  }
}
