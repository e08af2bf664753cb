// `invoke NAME PROMPT`: a small client for people. Resolves NAME to a profile
// ARN, calls Converse (or ConverseStream with --stream) on the endpoint,
// prints the answer as it arrives, then one summary line on stderr with the
// usage and the serving region (x-bedrock-profiles-region).
//
// Failures print one line on stderr and exit 1: the service's own errors as
// "<Type>Exception: <message>", everything else as "error: <message>".

#include <chrono>
#include <iostream>
#include <iterator>
#include <map>

#include "api/client/bedrock_client.h"
#include "api/client/endpoint.h"
#include "api/client/service_error.h"
#include "auth/credentials/credentials.h"
#include "cli/client_setup.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/help.h"
#include "cli/profile_arn.h"
#include "core/arn.h"
#include "core/clock.h"
#include "core/uri.h"
#include "eventstream/eventstream.h"
#include "http/client.h"
#include "http/message.h"
#include "json/json.h"
#include "planner/output.h"

namespace bp::cli {
namespace {

namespace creds = auth::credentials;
using Steady = std::chrono::steady_clock;

struct InvokeArgs {
  std::string name;
  std::string prompt;
  std::string endpoint;
  std::string config;
  std::string principal;
  std::string system;
  std::string region;
  int64_t max_tokens = 0;  // 0: not given
  bool stream = false;
  bool json = false;
  bool allow_remote_principal = false;
};

namespace client = api::client;

// An error the service sent inside a stream, printed as "<Type>: <message>"
// like the errors it answers with (client::ServiceErrorStatus).
Status InStreamError(std::string_view type, std::string_view message) {
  return Status(client::ErrorCodeForServiceError(type, 0),
                std::string(type) + ": " + std::string(message));
}

void PrintFailure(const Status& status) {
  std::cerr << (client::IsServiceErrorMessage(status.message()) ? "" : "error: ")
            << status.message() << "\n";
}

// The endpoint per BRIEF.md (client::ResolveEndpoint), with a hint for the
// local endpoint when the URL is malformed.
Result<http::Endpoint> ResolveEndpoint(const InvokeArgs& args, const creds::EnvLookup& env,
                                       std::string_view region, client::Plane plane) {
  auto resolved = client::ResolveEndpoint(plane, args.endpoint, region, env);
  if (!resolved.ok()) {
    return ValidationError(resolved.status().message() +
                           "; for the local endpoint pass --endpoint http://127.0.0.1:8700");
  }
  BP_RETURN_IF_ERROR(CheckPrincipalEndpoint(args.principal, args.allow_remote_principal,
                                            resolved->endpoint, resolved->origin));
  return std::move(resolved).value().endpoint;
}

bool IsApplicationId(std::string_view s) {
  return s.size() == 12 &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string_view::npos;
}

// What the call names as modelId, and how the summary calls it.
struct ModelRef {
  std::string model_id;
  std::string label;
};

// A configured name (its ARN: profile_arn.h); an application-profile ARN or
// id (as is, labelled with the configured name when it is one of ours); a raw
// model id (as is: the endpoint answers ADR-0007's refusal); anything else is
// an unknown name.
Result<ModelRef> ResolveName(
    const std::string& name, const config::Config& cfg,
    const std::function<Result<std::string>(const config::ProfileConfig&)>& lookup) {
  if (const config::ProfileConfig* p = cfg.FindProfile(name)) {
    BP_ASSIGN_OR_RETURN(std::string arn, lookup(*p));
    return ModelRef{arn, name};
  }
  bool is_arn = name.rfind("arn:", 0) == 0;
  if (is_arn || IsApplicationId(name)) {
    for (const config::ProfileConfig& p : cfg.profiles) {
      if (p.id &&
          (name == *p.id || name == ApplicationProfileArn(cfg.region, cfg.account_id, *p.id))) {
        return ModelRef{name, p.name};
      }
    }
    return ModelRef{name, is_arn ? name.substr(name.rfind('/') + 1) : name};
  }
  if (name.find_first_of(".:") != std::string::npos) return ModelRef{name, name};
  return Status(ErrorCode::kValidation,
                planner::NotConfiguredError(cfg, name).message() +
                    " (or pass an application inference profile ARN or id)");
}

std::string ConverseBody(const InvokeArgs& args) {
  json::Object text{{"text", args.prompt}};
  json::Object body{
      {"messages", json::Array{json::Object{{"role", "user"}, {"content", json::Array{text}}}}}};
  if (!args.system.empty()) {
    body["system"] = json::Array{json::Object{{"text", args.system}}};
  }
  if (args.max_tokens > 0) {
    body["inferenceConfig"] = json::Object{{"maxTokens", args.max_tokens}};
  }
  return json::Serialize(body);
}

// What the summary line reports.
struct Summary {
  std::string label;
  std::string region = "region unknown";
  std::optional<int64_t> input_tokens;
  std::optional<int64_t> output_tokens;
  std::string stop_reason;
  Steady::time_point start = Steady::now();

  void TakeRegion(const http::Response& head) {
    const std::string* r = http::FindHeader(head.headers, "x-bedrock-profiles-region");
    if (r != nullptr && !r->empty()) region = *r;
  }
  void TakeUsage(const json::Value* usage) {
    input_tokens = json::AsInt64(json::Find(usage, {"inputTokens"}));
    output_tokens = json::AsInt64(json::Find(usage, {"outputTokens"}));
  }
  void Print() const {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start);
    auto count = [](const std::optional<int64_t>& n) { return n ? std::to_string(*n) : "?"; };
    std::cerr << label << " \u00b7 " << region << " \u00b7 " << count(input_tokens) << " in / "
              << count(output_tokens) << " out tokens \u00b7 "
              << (stop_reason.empty() ? "no stop reason" : stop_reason) << " \u00b7 " << ms.count()
              << " ms\n";
  }
};

std::string ToolUseText(const std::string& name, const std::string& input_json) {
  return "[tool_use " + name + " " + (input_json.empty() ? "{}" : input_json) + "]";
}

Status PrintConverse(const http::Response& r, bool json_out, Summary& summary) {
  auto parsed = json::Parse(r.body);
  if (!parsed.ok())
    return ValidationError("malformed Converse answer: " + parsed.status().message());
  summary.TakeRegion(r);
  summary.TakeUsage(json::Find(&*parsed, {"usage"}));
  summary.stop_reason = json::StringOrEmpty(json::Find(&*parsed, {"stopReason"}));
  if (json_out) {
    std::cout << r.body << "\n";
    return Status::Ok();
  }
  const json::Value* content = json::Find(&*parsed, {"output", "message", "content"});
  if (content == nullptr || !content->is_array()) {
    return ValidationError("the Converse answer has no output.message.content");
  }
  for (const json::Value& block : content->get_array()) {
    if (const json::Value* text = json::Find(&block, {"text"}); text && text->is_string()) {
      std::cout << std::string_view(text->get_string());
    } else if (const json::Value* tool = json::Find(&block, {"toolUse"})) {
      const json::Value* input = json::Find(tool, {"input"});
      std::cout << ToolUseText(std::string(json::StringOrEmpty(json::Find(tool, {"name"}))),
                               input ? json::Serialize(*input) : "");
    }
  }
  std::cout << "\n";
  return Status::Ok();
}

// Decodes a ConverseStream answer as it arrives and prints it live.
class StreamPrinter final {
 public:
  StreamPrinter(bool json_out, Summary& summary) : json_out_(json_out), summary_(summary) {}

  // Only successful answers arrive here (BedrockClient::Stream returns the
  // others as errors); one that is not an event stream is still refused.
  Status OnHead(const http::Response& head) {
    head_ = head;
    summary_.TakeRegion(head);
    const std::string* type = http::FindHeader(head.headers, "content-type");
    failed_ =
        type == nullptr || type->find("application/vnd.amazon.eventstream") == std::string::npos;
    return Status::Ok();
  }

  Status OnBody(std::string_view piece) {
    if (failed_) {
      if (head_.body.size() < 64 * 1024) head_.body.append(piece);
      return Status::Ok();
    }
    decoder_.Feed(piece);
    while (true) {
      auto frame = decoder_.Next();
      if (!frame.ok()) return std::move(frame).status().Annotate("malformed event stream");
      if (!frame->has_value()) return Status::Ok();
      BP_RETURN_IF_ERROR(OnFrame(**frame));
    }
  }

  // After the body ended: a wrong content type, a truncated stream, or OK.
  Status Finish() {
    if (failed_) {
      return ValidationError("expected an event stream, got content-type '" +
                             std::string(ContentType()) + "'");
    }
    Status done = decoder_.Finish();
    return done.ok() ? done : std::move(done).Annotate("the event stream ended early");
  }

  // Ends the text on stdout with a newline (after a failure, only if some
  // text was shown).
  void EndOutput(bool success) {
    if (!json_out_ && (success || printed_)) std::cout << "\n" << std::flush;
  }

 private:
  void Print(std::string_view text) {
    std::cout << text << std::flush;  // live: one flush per delta
    printed_ = true;
  }

  std::string_view ContentType() const {
    const std::string* t = http::FindHeader(head_.headers, "content-type");
    return t ? std::string_view(*t) : "none";
  }

  Status OnFrame(const eventstream::Frame& frame) {
    std::string_view kind = frame.StringHeader(":message-type");
    if (kind == "error") {
      return InStreamError(frame.StringHeader(":error-code"), frame.StringHeader(":error-message"));
    }
    std::string_view type =
        frame.StringHeader(kind == "exception" ? ":exception-type" : ":event-type");
    auto payload = json::Parse(frame.payload.empty() ? "{}" : frame.payload);
    if (!payload.ok()) {
      return ValidationError("malformed " + std::string(type) +
                             " event: " + payload.status().message());
    }
    if (json_out_) {
      std::cout << json::Serialize(json::Object{{type, *payload}}) << "\n" << std::flush;
    }
    if (kind == "exception") {
      std::string name(type);
      if (!name.empty()) name[0] = static_cast<char>(std::toupper(name[0]));
      return InStreamError(name, json::StringOrEmpty(json::Find(&*payload, {"message"})));
    }
    OnEvent(type, &*payload);
    return Status::Ok();
  }

  void OnEvent(std::string_view type, const json::Value* p) {
    int64_t index = json::AsInt64(json::Find(p, {"contentBlockIndex"})).value_or(0);
    if (type == "contentBlockStart") {
      if (const json::Value* tool = json::Find(p, {"start", "toolUse"})) {
        tools_[index] = {std::string(json::StringOrEmpty(json::Find(tool, {"name"}))), ""};
      }
    } else if (type == "contentBlockDelta") {
      std::string_view text = json::StringOrEmpty(json::Find(p, {"delta", "text"}));
      if (!text.empty() && !json_out_) Print(text);
      if (const json::Value* input = json::Find(p, {"delta", "toolUse", "input"});
          tools_.count(index)) {
        tools_[index].second += json::StringOrEmpty(input);
      }
    } else if (type == "contentBlockStop" && tools_.count(index)) {
      if (!json_out_) Print(ToolUseText(tools_[index].first, tools_[index].second));
      tools_.erase(index);
    } else if (type == "messageStop") {
      summary_.stop_reason = json::StringOrEmpty(json::Find(p, {"stopReason"}));
    } else if (type == "metadata") {
      summary_.TakeUsage(json::Find(p, {"usage"}));
    }
  }

  const bool json_out_;
  Summary& summary_;
  http::Response head_;
  bool failed_ = false;
  bool printed_ = false;
  eventstream::Decoder decoder_;
  std::map<int64_t, std::pair<std::string, std::string>> tools_;  // index -> (name, input)
};

// Converse has no side effect but its cost: retried like the AWS SDKs do.
Status Converse(const client::BedrockClient& runtime, const ModelRef& model,
                const InvokeArgs& args) {
  Summary summary{.label = model.label};
  client::Call call{.method = "POST",
                    .path = "/model/" + UriEncode(model.model_id) +
                            (args.stream ? "/converse-stream" : "/converse"),
                    .query = "",
                    .body = ConverseBody(args),
                    .idempotency = http::Idempotency::kIdempotent};
  if (!args.stream) {
    BP_ASSIGN_OR_RETURN(http::Response r, runtime.Send(call));
    if (r.status != 200) return client::ServiceErrorStatus(r);
    BP_RETURN_IF_ERROR(PrintConverse(r, args.json, summary));
    summary.Print();
    return Status::Ok();
  }
  StreamPrinter printer(args.json, summary);
  http::ResponseCallbacks callbacks{
      .on_head = [&](const http::Response& head) { return printer.OnHead(head); },
      .on_body = [&](std::string_view piece) { return printer.OnBody(piece); }};
  auto sent = runtime.Stream(call, callbacks);
  Status status = sent.ok() ? printer.Finish() : sent.status();
  printer.EndOutput(status.ok());
  if (!status.ok()) return status;
  summary.Print();
  return Status::Ok();
}

Status Invoke(const InvokeArgs& args, const config::Config& cfg) {
  creds::EnvLookup env = creds::ProcessEnv();
  SystemClock clock;
  std::string region = args.region.empty() ? cfg.region : args.region;
  BP_ASSIGN_OR_RETURN(creds::Credentials credentials,
                      ResolveCredentials(args.principal, cfg, env, "rd-e2e"));
  client::BedrockClientOptions options{.region = region, .http = client::HttpOptionsFromEnv(env)};
  auto lookup = [&](const config::ProfileConfig& profile) -> Result<std::string> {
    BP_ASSIGN_OR_RETURN(http::Endpoint control,
                        ResolveEndpoint(args, env, region, client::Plane::kControl));
    return ConfiguredProfileArn(profile, cfg,
                                client::BedrockClient(control, credentials, options, clock));
  };
  Result<ModelRef> model = ResolveName(args.name, cfg, lookup);
  if (!model.ok() && model.status().code() == ErrorCode::kAccessDenied) {
    // The lookup was denied: the runtime still says what this caller may do
    // with the name (its ARN when they may invoke it, else the denial of the
    // invoke itself), which is the answer that matters.
    std::cerr << "note: " << model.status().message() << "\n"
              << "note: asking the runtime about '" << args.name << "' directly:\n";
    model = ModelRef{args.name, args.name};
  }
  if (!model.ok()) return model.status();
  BP_ASSIGN_OR_RETURN(http::Endpoint endpoint,
                      ResolveEndpoint(args, env, region, client::Plane::kRuntime));
  return Converse(client::BedrockClient(endpoint, credentials, options, clock), *model, args);
}

// PROMPT "-" is read from standard input, whole (trailing newlines dropped).
Result<std::string> ReadPrompt(const std::string& prompt) {
  if (prompt != "-") return prompt;
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (std::cin.bad()) return Status(ErrorCode::kValidation, "cannot read the prompt from stdin");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return Status(ErrorCode::kValidation, "the prompt read from stdin is empty");
  return text;
}

int RunInvoke(InvokeArgs args) {
  Result<std::string> prompt = ReadPrompt(args.prompt);
  if (!prompt.ok()) {
    PrintFailure(prompt.status());
    return 1;
  }
  args.prompt = std::move(*prompt);
  std::optional<LoadedConfig> loaded = LoadConfigOrReport(args.config);
  if (!loaded) return 1;  // already reported
  Status status = Invoke(args, loaded->config);
  if (status.ok()) return 0;
  PrintFailure(status);
  return 1;
}

}  // namespace

void AddInvokeCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<InvokeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "invoke",
      "Send PROMPT to the profile NAME through Converse and print the answer as it arrives,\n"
      "then (on stderr) the token usage, stop reason, latency and the region that served it.");
  cmd->add_option("NAME", args->name,
                  "profile name from the config (rd-haiku-45), or an application inference "
                  "profile ARN or id")
      ->required();
  cmd->add_option("PROMPT", args->prompt, "the user message; - reads it from standard input")
      ->required();
  cmd->add_flag("--stream", args->stream, "use ConverseStream and print text as it is generated");
  cmd->add_option("--endpoint", args->endpoint,
                  "endpoint URL; default: AWS_ENDPOINT_URL_BEDROCK_RUNTIME, "
                  "AWS_ENDPOINT_URL_BEDROCK, AWS_ENDPOINT_URL, else AWS in the region");
  cmd->add_option("--config", args->config, "config file (.hcl or .json)");
  cmd->add_option("--principal", args->principal,
                  "sign with this config principal's keys (local endpoint) instead of the AWS "
                  "credential chain");
  cmd->add_flag("--allow-remote-principal", args->allow_remote_principal,
                "allow --principal's keys to go to a non-loopback endpoint");
  cmd->add_option("--system", args->system, "system prompt");
  cmd->add_option("--max-tokens", args->max_tokens, "inferenceConfig.maxTokens")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}));
  cmd->add_option("--region", args->region, "signing region (default: the config's region)");
  cmd->add_flag("--json", args->json,
                "print the Converse response JSON (with --stream: one JSON line per event)");
  SetHelpFooter(
      cmd,
      {.examples = "bedrock-profiles invoke rd-haiku-45 \"Say: hello\" --stream \\\n"
                   "    --endpoint http://127.0.0.1:8700 --principal rd-e2e\n"
                   "git diff | bedrock-profiles invoke rd-haiku-45 - --endpoint "
                   "http://127.0.0.1:8700 \\\n"
                   "    --principal rd-e2e --system \"Review this change.\"",
       .notes = "Credentials without --principal: AWS_BEARER_TOKEN_BEDROCK, AWS_ACCESS_KEY_ID/\n"
                "AWS_SECRET_ACCESS_KEY, then ~/.aws/credentials and ~/.aws/config (AWS_PROFILE).",
       .exit_status = "1 on any other error (the service's errors are printed as\n"
                      "'<Type>Exception: <message>')"});
  cmd->callback([args, exit_code] { *exit_code = RunInvoke(*args); });
}

}  // namespace bp::cli
