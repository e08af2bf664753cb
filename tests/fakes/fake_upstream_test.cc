// bp-fake-upstream run as a child process: the Bedrock fake verifies
// signatures made with the project's signer and answers from the simulated
// model (whole, streamed, split at every byte); the OpenAI fake accepts what
// backends/openai's BuildChatRequest writes, in each server style, and
// refuses deviations. The request reader is also checked in-process.

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "auth/sigv4/signer.h"
#include "backends/openai/chat_answer.h"
#include "backends/openai/chat_request.h"
#include "backends/openai/chat_stream.h"
#include "core/base64.h"
#include "core/uri.h"
#include "eventstream/eventstream.h"
#include "fakes/chat_reader.h"
#include "http/test_clients.h"
#include "integration/child_process.h"
#include "json/json.h"
#include "json/writer.h"
#include "testing/testing.h"

namespace bp::fakes {
namespace {

using bp::testing::ChildProcess;
using http::testing::ParsedResponse;
using http::testing::RawClient;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kHaiku[] = "anthropic.claude-haiku-4-5-20251001-v1:0";
constexpr char kRegion[] = "eu-central-1";

// A running fake; its port from the line it prints.
class Fake {
 public:
  explicit Fake(std::vector<std::string> args) : child_(args) {
    std::optional<std::string> line = child_.ReadLine(std::chrono::seconds(10));
    if (!line) {
      ADD_FAILURE() << "no listening line; stderr: " << child_.Stderr();
      return;
    }
    std::smatch m;
    const std::regex re(R"(^bp-fake-upstream listening on http://127\.0\.0\.1:(\d+)$)");
    if (!std::regex_match(*line, m, re)) {
      ADD_FAILURE() << "unexpected first line: " << *line;
      return;
    }
    port_ = static_cast<uint16_t>(std::stoi(m[1]));
  }
  ~Fake() {
    child_.Signal(SIGTERM);
    std::optional<int> code = child_.Wait(std::chrono::seconds(10));
    EXPECT_EQ(code, std::optional<int>(0)) << child_.Stderr();
  }
  uint16_t port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  // One request on a new connection; chunks reported as they arrive.
  ParsedResponse Send(std::string_view method, std::string_view target,
                      const http::Headers& headers, std::string_view body) const {
    RawClient client;
    EXPECT_TRUE(client.Connect(port_));
    std::string raw = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
    raw += "host: " + host() + "\r\n";
    for (const http::Header& h : headers) raw += h.name + ": " + h.value + "\r\n";
    raw += "content-length: " + std::to_string(body.size()) + "\r\n\r\n";
    raw += body;
    client.Send(raw);
    std::optional<ParsedResponse> response = client.ReadResponse();
    EXPECT_TRUE(response.has_value()) << method << " " << target;
    return response.value_or(ParsedResponse{});
  }

 private:
  ChildProcess child_;
  uint16_t port_ = 0;
};

// ---- Bedrock -----------------------------------------------------------------------

struct Signing {
  std::string access_key_id = "AKID";
  std::string secret = "SECRET";
  std::optional<std::string> session_token;
  std::string region = kRegion;
  std::string service = "bedrock";
  std::chrono::seconds offset{0};  // signing time minus now
};

std::string ModelPath(std::string_view model_id, std::string_view op) {
  return "/model/" + UriEncode(model_id) + "/" + std::string(op);
}

ParsedResponse SignedCall(const Fake& fake, std::string_view path, std::string_view body,
                          const Signing& s = {}) {
  http::Headers headers = {{"host", fake.host()}, {"content-type", "application/json"}};
  auth::sigv4::Credentials credentials{s.access_key_id, s.secret, s.session_token};
  Result<auth::sigv4::SigningResult> signed_request = auth::sigv4::SignWithHeaders(
      credentials, {.method = "POST", .path = path, .query = "", .headers = headers, .body = body},
      {.region = s.region,
       .service = s.service,
       .time = std::chrono::system_clock::now() + s.offset,
       .add_content_sha256_header = true});
  EXPECT_TRUE(signed_request.ok()) << signed_request.status().message();
  http::Headers sent = {{"content-type", "application/json"}};
  for (const http::Header& h : signed_request->headers_to_add) sent.push_back(h);
  return fake.Send("POST", path, sent, body);
}

std::string UserSays(std::string_view text) {
  std::string out = R"({"messages":[{"role":"user","content":[{"text":)";
  json::AppendString(out, text);
  return out + "}]}]}";
}

json::Value ParseJson(std::string_view body) {
  Result<json::Value> v = json::Parse(body);
  EXPECT_TRUE(v.ok()) << body;
  return v.ok() ? *v : json::Value();
}

// The bare error type of x-amzn-ErrorType ("Type:http://...").
std::string ErrorType(const ParsedResponse& r) {
  const std::string* v = r.Find("x-amzn-errortype");
  if (v == nullptr) return "";
  return v->substr(0, v->find(':'));
}

std::vector<std::string> BedrockArgs(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      "bedrock",         "--listen", "127.0.0.1:0",         "--region", kRegion,
      "--access-key-id", "AKID",     "--secret-access-key", "SECRET"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

class BedrockFakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fake_ = new Fake(BedrockArgs({"--log", LogPath()})); }
  static void TearDownTestSuite() {
    delete fake_;
    fake_ = nullptr;
  }
  static std::string LogPath() {
    static bp::testing::TempDir* dir = new bp::testing::TempDir();
    return (dir->path() / "fake.log").string();
  }
  static Fake* fake_;
};
Fake* BedrockFakeTest::fake_ = nullptr;

TEST_F(BedrockFakeTest, SignedConverseGetsTheSimulatedAnswer) {
  ParsedResponse r =
      SignedCall(*fake_, ModelPath(kHaiku, "converse"), UserSays("Say: hello there"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(*r.Find("content-type"), "application/json");
  EXPECT_NE(r.Find("x-amzn-requestid"), nullptr);
  json::Value v = ParseJson(r.body);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&v, {"stopReason"})), "end_turn");
  const json::Value* content = json::Find(&v, {"output", "message", "content"});
  ASSERT_NE(content, nullptr);
  ASSERT_TRUE(content->is_array());
  EXPECT_EQ(json::StringOrEmpty(json::Find(&content->as_array()[0], {"text"})), "hello there");
  EXPECT_GT(json::AsInt64(json::Find(&v, {"usage", "inputTokens"})).value_or(0), 0);
}

TEST_F(BedrockFakeTest, ProfileIdsAndArnsResolveToTheirModel) {
  const std::string body = UserSays("Say: ok");
  for (const std::string& id :
       {std::string("eu.") + kHaiku,
        std::string("arn:aws:bedrock:eu-central-1::foundation-model/") + kHaiku,
        std::string("arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.") + kHaiku,
        std::string("arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/"
                    "abc123def456")}) {
    ParsedResponse r = SignedCall(*fake_, ModelPath(id, "converse"), body);
    EXPECT_EQ(r.status, 200u) << id << ": " << r.body;
  }
  for (const std::string& id :
       {std::string("nope.model-v1:0"), std::string("us.") + kHaiku,
        std::string("arn:aws:bedrock:us-east-1::foundation-model/") + kHaiku}) {
    ParsedResponse r = SignedCall(*fake_, ModelPath(id, "converse"), body);
    EXPECT_EQ(r.status, 400u) << id;
    EXPECT_EQ(ErrorType(r), "ValidationException") << id;
    EXPECT_THAT(r.body, HasSubstr("The provided model identifier is invalid."));
  }
}

TEST_F(BedrockFakeTest, BadSignaturesAreRefusedAsAwsDoes) {
  const std::string path = ModelPath(kHaiku, "converse");
  const std::string body = UserSays("Say: hi");
  struct Case {
    const char* what;
    Signing signing;
    unsigned status;
    const char* type;
  };
  const Case cases[] = {
      {"wrong secret", {.secret = "WRONG"}, 403, "InvalidSignatureException"},
      {"wrong region", {.region = "eu-west-1"}, 403, "InvalidSignatureException"},
      {"wrong service", {.service = "s3"}, 403, "InvalidSignatureException"},
      {"unknown key", {.access_key_id = "OTHER"}, 403, "UnrecognizedClientException"},
      {"unexpected session token", {.session_token = "TOKEN"}, 403, "UnrecognizedClientException"},
      {"15 minutes old", {.offset = std::chrono::seconds(-900)}, 403, "InvalidSignatureException"},
  };
  for (const Case& c : cases) {
    ParsedResponse r = SignedCall(*fake_, path, body, c.signing);
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
    EXPECT_EQ(ErrorType(r), c.type) << c.what;
    EXPECT_THAT(*r.Find("x-amzn-errortype"), HasSubstr(":http://internal.amazon.com/coral/"));
    json::Value v = ParseJson(r.body);
    EXPECT_FALSE(json::StringOrEmpty(json::Find(&v, {"message"})).empty()) << c.what;
  }
  ParsedResponse unsigned_call =
      fake_->Send("POST", path, {{"content-type", "application/json"}}, body);
  EXPECT_EQ(unsigned_call.status, 403u);
  EXPECT_EQ(ErrorType(unsigned_call), "MissingAuthenticationTokenException");

  ParsedResponse garbled =
      fake_->Send("POST", path, {{"authorization", "AWS4-HMAC-SHA256 Credential=AKID"}}, body);
  EXPECT_EQ(ErrorType(garbled), "IncompleteSignatureException");
}

TEST_F(BedrockFakeTest, UnknownOperationsAndBadBodies) {
  ParsedResponse r = SignedCall(*fake_, ModelPath(kHaiku, "invoke-nothing"), "{}");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(ErrorType(r), "UnknownOperationException");
  r = SignedCall(*fake_, ModelPath(kHaiku, "converse"), R"({"messages":[],"foo":1})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(ErrorType(r), "ValidationException");
  EXPECT_THAT(r.body, HasSubstr("foo"));
}

TEST_F(BedrockFakeTest, FaultTriggers) {
  const std::string path = ModelPath(kHaiku, "converse");
  struct Case {
    const char* text;
    unsigned status;
    const char* type;
  };
  for (const Case& c : {Case{"FAKE-THROTTLE now", 429, "ThrottlingException"},
                        Case{"FAKE-UNAVAILABLE", 503, "ServiceUnavailableException"},
                        Case{"FAKE-500", 500, "InternalServerException"},
                        Case{"FAKE-EXPIRED", 403, "ExpiredTokenException"}}) {
    ParsedResponse r = SignedCall(*fake_, path, UserSays(c.text));
    EXPECT_EQ(r.status, c.status) << c.text;
    EXPECT_EQ(ErrorType(r), c.type) << c.text;
  }
  ParsedResponse expired = SignedCall(*fake_, path, UserSays("FAKE-EXPIRED"));
  EXPECT_THAT(expired.body, HasSubstr("The security token included in the request is expired"));

  // The process-wide switch, then back.
  ParsedResponse set = fake_->Send("POST", "/_fake/mode", {}, R"({"fail":"unavailable"})");
  EXPECT_EQ(set.status, 200u);
  EXPECT_EQ(SignedCall(*fake_, path, UserSays("Say: x")).status, 503u);
  EXPECT_EQ(fake_->Send("POST", "/_fake/mode", {}, R"({"fail":"none"})").status, 200u);
  EXPECT_EQ(SignedCall(*fake_, path, UserSays("Say: x")).status, 200u);
  EXPECT_EQ(fake_->Send("POST", "/_fake/mode", {}, R"({"fail":"sometimes"})").status, 400u);

  // FAKE-HANG: recorded, never answered (the connection stays open).
  RawClient hung;
  ASSERT_TRUE(hung.Connect(fake_->port()));
  const std::string body = UserSays("FAKE-HANG please");
  http::Headers headers = {{"host", fake_->host()}, {"content-type", "application/json"}};
  Result<auth::sigv4::SigningResult> s = auth::sigv4::SignWithHeaders(
      {"AKID", "SECRET", std::nullopt},
      {.method = "POST", .path = path, .query = "", .headers = headers, .body = body},
      {.region = kRegion, .service = "bedrock", .time = std::chrono::system_clock::now()});
  ASSERT_TRUE(s.ok());
  std::string raw = "POST " + path + " HTTP/1.1\r\nhost: " + fake_->host() +
                    "\r\ncontent-type: application/json\r\n";
  for (const http::Header& h : s->headers_to_add) raw += h.name + ": " + h.value + "\r\n";
  raw += "content-length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  hung.Send(raw);
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    ParsedResponse log = fake_->Send("GET", "/_fake/requests", {}, "");
    seen = log.body.find("FAKE-HANG: never answered") != std::string::npos;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(seen);
  EXPECT_TRUE(hung.unread().empty());
}

TEST_F(BedrockFakeTest, RequestsAreRecordedAndLogged) {
  SignedCall(*fake_, ModelPath(kHaiku, "converse"), UserSays("Say: recorded"), {.secret = "WRONG"});
  ParsedResponse log = fake_->Send("GET", "/_fake/requests", {}, "");
  ASSERT_EQ(log.status, 200u);
  json::Value v = ParseJson(log.body);
  ASSERT_TRUE(v.is_array());
  bool found = false;
  for (const json::Value& e : v.as_array()) {
    if (json::StringOrEmpty(json::Find(&e, {"body"})).find("Say: recorded") == std::string::npos) {
      continue;
    }
    found = true;
    EXPECT_EQ(json::AsInt64(json::Find(&e, {"status"})), 403);
    EXPECT_THAT(std::string(json::StringOrEmpty(json::Find(&e, {"why"}))),
                StartsWith("InvalidSignatureException"));
    EXPECT_THAT(std::string(json::StringOrEmpty(json::Find(&e, {"headers", "authorization"}))),
                StartsWith("AWS4-HMAC-SHA256"));
  }
  EXPECT_TRUE(found);
  std::ifstream file(LogPath());
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr(" 403 InvalidSignatureException"));
  EXPECT_THAT(text.str(), HasSubstr(" 200\n"));
}

// Every frame of a ConverseStream body, decoded byte by byte.
std::vector<eventstream::Frame> Frames(std::string_view body) {
  eventstream::Decoder decoder;
  std::vector<eventstream::Frame> frames;
  for (char c : body) {
    decoder.Feed(std::string_view(&c, 1));
    for (;;) {
      Result<std::optional<eventstream::Frame>> next = decoder.Next();
      EXPECT_TRUE(next.ok()) << next.status().message();
      if (!next.ok() || !next->has_value()) break;
      frames.push_back(std::move(**next));
    }
  }
  EXPECT_TRUE(decoder.Finish().ok());
  return frames;
}

std::string StreamText(const std::vector<eventstream::Frame>& frames) {
  std::string text;
  for (const eventstream::Frame& f : frames) {
    if (f.StringHeader(":event-type") != "contentBlockDelta") continue;
    json::Value v = ParseJson(f.payload);
    text += json::StringOrEmpty(json::Find(&v, {"delta", "text"}));
  }
  return text;
}

TEST(BedrockFakeSplitTest, StreamArrivesIntactSplitAtEveryByte) {
  Fake fake(BedrockArgs({"--split-bytes", "--session-token", "TOKEN"}));
  Signing signing{.session_token = "TOKEN"};
  ParsedResponse r = SignedCall(fake, ModelPath(kHaiku, "converse-stream"),
                                UserSays("Say: split into single bytes"), signing);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(*r.Find("content-type"), "application/vnd.amazon.eventstream");
  ASSERT_GT(r.chunks.size(), 100u);
  for (const std::string& chunk : r.chunks) ASSERT_EQ(chunk.size(), 1u);
  std::vector<eventstream::Frame> frames = Frames(r.body);
  ASSERT_GE(frames.size(), 5u);
  EXPECT_EQ(frames.front().StringHeader(":event-type"), "messageStart");
  EXPECT_EQ(frames[frames.size() - 2].StringHeader(":event-type"), "messageStop");
  EXPECT_EQ(frames.back().StringHeader(":event-type"), "metadata");
  EXPECT_EQ(StreamText(frames), "split into single bytes");

  // Plain bodies too; and the session token must be the configured one.
  ParsedResponse plain =
      SignedCall(fake, ModelPath(kHaiku, "converse"), UserSays("Say: a b"), signing);
  EXPECT_EQ(plain.status, 200u);
  EXPECT_EQ(plain.chunks.size(), plain.body.size());
  ParsedResponse no_token = SignedCall(fake, ModelPath(kHaiku, "converse"), UserSays("Say: a"));
  EXPECT_EQ(ErrorType(no_token), "UnrecognizedClientException");
  ParsedResponse wrong_token = SignedCall(fake, ModelPath(kHaiku, "converse"), UserSays("Say: a"),
                                          {.session_token = "OTHER"});
  EXPECT_EQ(ErrorType(wrong_token), "UnrecognizedClientException");
}

TEST_F(BedrockFakeTest, StreamCutSendsOneDeltaThenAModelStreamError) {
  ParsedResponse r = SignedCall(*fake_, ModelPath(kHaiku, "converse-stream"),
                                UserSays("FAKE-STREAM-CUT tell me a story"));
  ASSERT_EQ(r.status, 200u);
  std::vector<eventstream::Frame> frames = Frames(r.body);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].StringHeader(":event-type"), "messageStart");
  EXPECT_EQ(frames[1].StringHeader(":event-type"), "contentBlockDelta");
  EXPECT_EQ(frames[2].StringHeader(":message-type"), "exception");
  EXPECT_EQ(frames[2].StringHeader(":exception-type"), "modelStreamErrorException");
}

// ---- OpenAI-compatible ---------------------------------------------------------------

using backends::ContentBlock;
using backends::ModelRequest;
using Kind = ContentBlock::Kind;

ModelRequest Ask(std::string_view text) {
  ModelRequest r;
  r.messages.push_back(
      {backends::Role::kUser, {ContentBlock{.kind = Kind::kText, .text = std::string(text)}}});
  return r;
}

// A request with everything BuildChatRequest writes: system, image, tools,
// a tool call and its result, limits, stop sequences, a response format.
ModelRequest Rich() {
  ModelRequest r;
  r.system = {"Be brief.", "Answer in English."};
  r.max_tokens = 200;
  r.temperature = 0.5;
  r.top_p = 0.9;
  r.top_k = 40;
  r.stop_sequences = {"STOP", "END"};
  r.tools.push_back(
      {.name = "get_weather",
       .description = "Weather for a city",
       .input_schema_json =
           R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})",
       .strict = true});
  const std::string png = Base64Encode("\x89PNG\r\n\x1a\nfakeimagebytes");
  r.messages.push_back(
      {backends::Role::kUser,
       {ContentBlock{.kind = Kind::kText, .text = "What is in Paris?"},
        ContentBlock{.kind = Kind::kImage, .text = "png", .byte_size = 22, .base64 = png}}});
  r.messages.push_back({backends::Role::kAssistant,
                        {ContentBlock{.kind = Kind::kText, .text = "Let me check."},
                         ContentBlock{.kind = Kind::kToolUse,
                                      .tool_use_id = "call_1",
                                      .tool_name = "get_weather",
                                      .input_json = R"({"city":"Paris"})"}}});
  r.messages.push_back(
      {backends::Role::kUser,
       {ContentBlock{.kind = Kind::kToolResult, .text = "sunny", .tool_use_id = "call_1"},
        ContentBlock{.kind = Kind::kText, .text = "And tomorrow?"}}});
  r.tool_choice = backends::ToolChoice::kTool;
  r.tool_choice_name = "get_weather";
  return r;
}

std::string Chat(const ModelRequest& r, std::string_view model, bool stream,
                 bool include_usage = true) {
  Result<std::string> body = backends::openai::BuildChatRequest(
      r, {.model = std::string(model), .stream = stream, .include_usage = include_usage});
  EXPECT_TRUE(body.ok()) << body.status().message();
  return body.ok() ? *body : "";
}

TEST(ChatReaderTest, ReadsBackWhatBuildChatRequestWrites) {
  ModelRequest rich = Rich();
  rich.output_format = backends::OutputFormat{
      .schema_json = R"({"type":"object","properties":{"a":{"type":"string"}}})",
      .name = "answer",
      .description = "the answer"};
  for (bool stream : {false, true}) {
    const std::string body = Chat(rich, "m", stream);
    Result<ChatRequest> read = ReadChatRequest(body, "m");
    ASSERT_TRUE(read.ok()) << read.status().message() << "\n" << body;
    EXPECT_EQ(read->stream, stream);
    EXPECT_EQ(read->include_usage, stream);
    // What the fake understood writes the same body again.
    EXPECT_EQ(Chat(read->model, "m", stream), body);
  }
  Result<ChatRequest> read = ReadChatRequest(Chat(rich, "m", false), "m");
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->model.messages.size(), 3u);
  const backends::Message& last = read->model.messages[2];
  ASSERT_EQ(last.content.size(), 2u);
  EXPECT_EQ(last.content[0].kind, Kind::kToolResult);  // before the user's text
  EXPECT_EQ(last.content[0].text, "sunny");
  EXPECT_EQ(read->model.messages[0].content[1].kind, Kind::kImage);
  EXPECT_EQ(read->model.messages[0].content[1].byte_size, 22u);
  EXPECT_EQ(read->model.tool_choice, backends::ToolChoice::kTool);
}

TEST(ChatReaderTest, RefusesDeviationsNamingTheMember) {
  const std::string good = Chat(Ask("hi"), "m", false);
  struct Case {
    std::string body;
    std::string mentions;
  };
  const Case cases[] = {
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"frequency_penalty":1})",
       "frequency_penalty"},
      {R"({"model":"m","messages":[{"role":"robot","content":"hi"}]})", "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"},{"role":"system","content":"x"}]})",
       "messages[1].role"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"c","content":"x"}]})",
       "messages[1].tool_call_id"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,AAAA"}}]}]})",
       "image_url.url"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,@@@"}}]}]})",
       "image_url.url"},
      {R"({"model":"m","messages":[{"role":"assistant","content":"a","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}]})",
       "arguments"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":"5"})",
       "max_tokens"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":"auto"})",
       "tool_choice"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}})",
       "stream_options"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}})",
       "response_format.type"},
  };
  for (const Case& c : cases) {
    Result<ChatRequest> read = ReadChatRequest(c.body, "m");
    ASSERT_FALSE(read.ok()) << c.body;
    EXPECT_EQ(read.status().code(), ErrorCode::kValidation) << c.body;
    EXPECT_THAT(read.status().message(), HasSubstr(c.mentions)) << c.body;
  }
  Result<ChatRequest> wrong_model = ReadChatRequest(good, "other");
  ASSERT_FALSE(wrong_model.ok());
  EXPECT_EQ(wrong_model.status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(wrong_model.status().message(), "The model `m` does not exist.");
}

std::vector<std::string> OpenAiArgs(std::string_view style, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      "openai", "--listen",  "127.0.0.1:0", "--model",     "qwen3",           "--answer-as",
      kHaiku,   "--api-key", "KEY",         "--sse-style", std::string(style)};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

ParsedResponse PostChat(const Fake& fake, std::string_view body, std::string_view key = "KEY") {
  http::Headers headers = {{"content-type", "application/json"}};
  if (!key.empty()) headers.push_back({"authorization", "Bearer " + std::string(key)});
  return fake.Send("POST", "/v1/chat/completions", headers, body);
}

// The answer as the endpoint's OpenAI backend would understand it.
backends::ModelResponse Understood(const ParsedResponse& r, const ModelRequest& request,
                                   bool stream) {
  backends::ResponseCollector sink;
  backends::openai::AnswerContext context = backends::openai::MakeAnswerContext(request);
  if (stream) {
    backends::openai::ChatStreamTranslator translator(context, sink);
    translator.Feed(r.body);
    translator.Finish();
  } else {
    Result<backends::openai::ChatAnswer> answer =
        backends::openai::DecodeChatCompletion(r.body, context);
    EXPECT_TRUE(answer.ok()) << answer.status().message();
    if (answer.ok()) backends::openai::EmitAnswer(std::move(answer).value(), sink);
  }
  EXPECT_TRUE(sink.done());
  EXPECT_TRUE(sink.status().ok()) << sink.status().message() << "\n" << r.body;
  return sink.response();
}

std::string TextOf(const backends::ModelResponse& response) {
  std::string text;
  for (const ContentBlock& b : response.content) {
    if (b.kind == Kind::kText) text += b.text;
  }
  return text;
}

class OpenAiFakeTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OpenAiFakeTest, AnswersBuildChatRequestPlainAndStreamed) {
  Fake fake(OpenAiArgs(GetParam()));
  const ModelRequest say = Ask("Say: hello from the fake");
  for (bool stream : {false, true}) {
    ParsedResponse r = PostChat(fake, Chat(say, "qwen3", stream));
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_THAT(*r.Find("content-type"),
                StartsWith(stream ? "text/event-stream" : "application/json"));
    if (stream) {
      EXPECT_THAT(r.body, HasSubstr("data: [DONE]\n\n"));
      EXPECT_THAT(r.body, HasSubstr("chat.completion.chunk"));
    }
    backends::ModelResponse answer = Understood(r, say, stream);
    EXPECT_EQ(TextOf(answer), "hello from the fake") << r.body;
    EXPECT_EQ(answer.stop_reason, backends::StopReason::kEndTurn);
    EXPECT_FALSE(answer.usage.estimated) << r.body;  // the server's usage arrived
  }

  // Tools: a forced call comes back as a tool call the backend understands.
  ModelRequest tools = Ask("What is the weather in Paris?");
  tools.tools = Rich().tools;
  tools.tool_choice = backends::ToolChoice::kTool;
  tools.tool_choice_name = "get_weather";
  for (bool stream : {false, true}) {
    ParsedResponse r = PostChat(fake, Chat(tools, "qwen3", stream));
    ASSERT_EQ(r.status, 200u) << r.body;
    backends::ModelResponse answer = Understood(r, tools, stream);
    EXPECT_EQ(answer.stop_reason, backends::StopReason::kToolUse) << r.body;
    ASSERT_FALSE(answer.content.empty());
    EXPECT_EQ(answer.content.back().kind, Kind::kToolUse) << r.body;
    EXPECT_EQ(answer.content.back().tool_name, "get_weather");
    EXPECT_EQ(answer.content.back().input_json, R"({"city":"Paris"})");
  }
  // The whole conversation (image, tool call and result) reaches the model.
  ModelRequest rich = Rich();
  for (bool stream : {false, true}) {
    ParsedResponse r = PostChat(fake, Chat(rich, "qwen3", stream));
    ASSERT_EQ(r.status, 200u) << r.body;
    backends::ModelResponse answer = Understood(r, rich, stream);
    EXPECT_THAT(TextOf(answer), HasSubstr("get_weather tool returned")) << r.body;
  }

  // Models, stream cut, triggers.
  ParsedResponse models = fake.Send("GET", "/v1/models", {{"authorization", "Bearer KEY"}}, "");
  EXPECT_EQ(models.status, 200u);
  EXPECT_THAT(models.body, HasSubstr(R"("id":"qwen3")"));
  ParsedResponse cut = PostChat(fake, Chat(Ask("FAKE-STREAM-CUT go on"), "qwen3", true));
  EXPECT_EQ(cut.status, 200u);
  EXPECT_THAT(cut.body, HasSubstr(R"(data: {"error":{"message":)"));
  EXPECT_THAT(cut.body, ::testing::Not(HasSubstr("[DONE]")));
  ParsedResponse throttled = PostChat(fake, Chat(Ask("FAKE-THROTTLE"), "qwen3", false));
  EXPECT_EQ(throttled.status, 429u);
  EXPECT_THAT(throttled.body, HasSubstr("rate_limit_error"));
  EXPECT_EQ(PostChat(fake, Chat(Ask("FAKE-UNAVAILABLE"), "qwen3", false)).status, 503u);
  EXPECT_EQ(PostChat(fake, Chat(Ask("FAKE-500"), "qwen3", false)).status, 500u);
}

TEST_P(OpenAiFakeTest, RefusesDeviations) {
  Fake fake(OpenAiArgs(GetParam()));
  ParsedResponse r = PostChat(fake, Chat(Ask("hi"), "qwen3", false), "");
  EXPECT_EQ(r.status, 401u);
  EXPECT_THAT(r.body, HasSubstr("invalid_request_error"));
  EXPECT_EQ(PostChat(fake, Chat(Ask("hi"), "qwen3", false), "WRONG").status, 401u);

  r = PostChat(fake, Chat(Ask("hi"), "llama3", false));
  EXPECT_EQ(r.status, 404u);
  json::Value v = ParseJson(r.body);
  EXPECT_EQ(json::StringOrEmpty(json::Find(&v, {"type"})), "NotFoundError");
  EXPECT_EQ(json::StringOrEmpty(json::Find(&v, {"message"})), "The model `llama3` does not exist.");

  for (
      const std::string& body :
      {std::string(R"({"model":"qwen3","messages":[{"role":"user","content":"hi"}],"seed":1})"),
       std::string(R"({"model":"qwen3","messages":[{"role":"developer","content":"hi"}]})"),
       std::string(
           R"({"model":"qwen3","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"x","content":"r"}]})")}) {
    r = PostChat(fake, body);
    EXPECT_EQ(r.status, 400u) << body;
    v = ParseJson(r.body);
    EXPECT_EQ(json::StringOrEmpty(json::Find(&v, {"error", "type"})), "invalid_request_error");
  }
  r = fake.Send("POST", "/v1/chat/completions",
                {{"content-type", "text/plain"}, {"authorization", "Bearer KEY"}},
                Chat(Ask("hi"), "qwen3", false));
  EXPECT_EQ(r.status, 400u);
}

INSTANTIATE_TEST_SUITE_P(Styles, OpenAiFakeTest, ::testing::Values("vllm", "llama", "ollama"));

TEST(OpenAiFakeUsageTest, NoUsageMeansNoneAndStopSequencesAreNamedByVllm) {
  Fake fake(OpenAiArgs("vllm", {"--no-usage", "--split-bytes"}));
  const ModelRequest say = Ask("Say: hello");
  ParsedResponse r = PostChat(fake, Chat(say, "qwen3", true));
  ASSERT_EQ(r.status, 200u);
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("usage")));
  EXPECT_EQ(r.chunks.size(), r.body.size());
  EXPECT_TRUE(Understood(r, say, true).usage.estimated);

  ModelRequest stop = Ask("Say: one two STOP three");
  stop.stop_sequences = {"STOP"};
  r = PostChat(fake, Chat(stop, "qwen3", false));
  ASSERT_EQ(r.status, 200u);
  EXPECT_THAT(r.body, HasSubstr(R"("finish_reason":"stop","stop_reason":"STOP")"));
  backends::ModelResponse answer = Understood(r, stop, false);
  EXPECT_EQ(answer.stop_reason, backends::StopReason::kStopSequence);
  EXPECT_EQ(answer.stop_sequence, "STOP");
}

}  // namespace
}  // namespace bp::fakes
