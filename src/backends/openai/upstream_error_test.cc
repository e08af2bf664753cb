#include "backends/openai/upstream_error.h"

#include <string>

#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::backends::openai {
namespace {

using ::bp::testing::StatusIs;

TEST(UpstreamErrorStatusTest, CodesByHttpStatus) {
  struct Case {
    int http;
    const char* body;
    ErrorCode code;
    const char* says;
  };
  const Case cases[] = {
      // llama-server's context overflow: the caller's to fix, message kept.
      {400,
       R"({"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error","n_prompt_tokens":9000,"n_ctx":4096}})",
       ErrorCode::kValidation,
       "The OpenAI-compatible server at eu-west-1 refused the request (HTTP 400): the request "
       "exceeds the available context size, try increasing it"},
      // vLLM's (older, top-level) shape.
      {400,
       R"({"object":"error","message":"This model's maximum context length is 4096 tokens.","type":"BadRequestError","param":null,"code":400})",
       ErrorCode::kValidation, "maximum context length is 4096 tokens"},
      {422, R"({"detail":"Field required: messages"})", ErrorCode::kValidation,
       "(HTTP 422): Field required: messages"},
      {401, R"({"error":{"message":"Invalid API Key","type":"authentication_error","code":401}})",
       ErrorCode::kServiceUnavailable, "credentials (check the region's API key) (HTTP 401)"},
      {404, R"({"error":"model \"llama3\" not found, try pulling it first"})",
       ErrorCode::kServiceUnavailable, "model \"llama3\" not found"},
      {408, "timeout", ErrorCode::kModelTimeout, "timed out (HTTP 408): timeout"},
      {429,
       R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})",
       ErrorCode::kThrottling, "is throttling requests (HTTP 429): Rate limit reached"},
      {503, R"({"error":{"code":503,"message":"Loading model","type":"unavailable_error"}})",
       ErrorCode::kServiceUnavailable, "failed (HTTP 503): Loading model"},
      {502, "<html><body>Bad Gateway</body></html>\r\n", ErrorCode::kServiceUnavailable,
       "(HTTP 502): <html><body>Bad Gateway</body></html>"},
      {500, "", ErrorCode::kServiceUnavailable, "(HTTP 500): (no message)"},
      {302, "moved", ErrorCode::kModelError, "answered an error (HTTP 302): moved"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    const Status s = UpstreamErrorStatus(c.http, c.body, "eu-west-1");
    EXPECT_THAT(s, StatusIs(c.code));
    EXPECT_NE(s.message().find(c.says), std::string::npos) << s.message();
  }
}

TEST(UpstreamErrorStatusTest, MessagesAreBoundedPrintableUtf8) {
  const std::string huge(1 << 20, 'x');
  const Status big = UpstreamErrorStatus(500, huge, "r");
  EXPECT_LT(big.message().size(), kMaxErrorMessageBytes + 200);
  const Status odd = UpstreamErrorStatus(400, "bad\x01\nline \xff\xfe", "r");
  EXPECT_EQ(odd.message().find('\x01'), std::string::npos);
  EXPECT_EQ(odd.message().find('\n'), std::string::npos);
  EXPECT_NE(odd.message().find("bad  line \xEF\xBF\xBD\xEF\xBF\xBD"), std::string::npos)
      << odd.message();
  // A multi-byte character at the cut is not split.
  std::string accents;
  while (accents.size() < 3000) accents += "\xC3\xA9";
  const Status cut = UpstreamErrorStatus(500, "x" + accents, "r");
  EXPECT_NE(cut.message().find("\xC3\xA9..."), std::string::npos);
}

TEST(EmbeddedErrorStatusTest, CodeOrTypeDecides) {
  auto status = [](std::string_view text) {
    Result<json::Value> doc = json::Parse(text);
    EXPECT_OK(doc);
    EXPECT_TRUE(IsErrorDocument(*doc));
    return EmbeddedErrorStatus(*doc, "eu-west-3");
  };
  EXPECT_THAT(status(R"({"error":{"code":429,"message":"busy"}})"),
              StatusIs(ErrorCode::kThrottling));
  EXPECT_THAT(status(R"({"error":{"message":"ctx","type":"exceed_context_size_error"}})"),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(status(R"({"error":{"message":"boom"}})"), StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(status(R"({"error":"plain"})"), StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(status(R"({"error":{"code":429,"message":"busy"}})").message(),
            "The OpenAI-compatible server at eu-west-3 is throttling requests (error code 429): "
            "busy");
  Result<json::Value> fine = json::Parse(R"({"error":null,"choices":[]})");
  ASSERT_OK(fine);
  EXPECT_FALSE(IsErrorDocument(*fine));
}

}  // namespace
}  // namespace bp::backends::openai
