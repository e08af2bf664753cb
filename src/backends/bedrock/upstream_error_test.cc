#include "backends/bedrock/upstream_error.h"

#include <string>

#include <gtest/gtest.h>

namespace bp::backends::bedrock {
namespace {

TEST(UpstreamErrorStatus, MapsNamesThenStatuses) {
  struct Case {
    int status;
    std::string type;
    ErrorCode code;
  };
  const Case cases[] = {
      {429, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
       ErrorCode::kThrottling},
      {503, "ServiceUnavailableException", ErrorCode::kServiceUnavailable},
      {500, "InternalServerException", ErrorCode::kInternal},
      {408, "ModelTimeoutException", ErrorCode::kModelTimeout},
      {429, "ModelNotReadyException", ErrorCode::kModelNotReady},
      {424, "ModelErrorException", ErrorCode::kModelError},
      {400, "com.amazon.bedrock#ValidationException", ErrorCode::kValidation},
      {400, "ServiceQuotaExceededException", ErrorCode::kServiceQuotaExceeded},
      {403, "AccessDeniedException", ErrorCode::kServiceUnavailable},
      {403, "UnrecognizedClientException", ErrorCode::kServiceUnavailable},
      {403, "ExpiredTokenException", ErrorCode::kServiceUnavailable},
      {404, "ResourceNotFoundException", ErrorCode::kServiceUnavailable},
      {429, "", ErrorCode::kThrottling},
      {503, "", ErrorCode::kServiceUnavailable},
      {500, "", ErrorCode::kInternal},
      {502, "", ErrorCode::kServiceUnavailable},
      {504, "SomethingNew", ErrorCode::kServiceUnavailable},
      {400, "", ErrorCode::kValidation},
      {409, "", ErrorCode::kModelError},
      {418, "SomethingNew", ErrorCode::kModelError},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type + " " + std::to_string(c.status));
    const Status s =
        UpstreamErrorStatus(c.status, c.type, R"({"message":"It failed."})", "eu-west-3");
    EXPECT_EQ(s.code(), c.code);
    EXPECT_NE(s.message().find("It failed."), std::string::npos) << s.message();
    if (c.code == ErrorCode::kValidation) {
      EXPECT_EQ(s.message(), "It failed.");  // Bedrock's own words, for the caller
    } else {
      EXPECT_EQ(s.message().rfind("Amazon Bedrock in eu-west-3", 0), 0u) << s.message();
    }
  }
}

TEST(UpstreamErrorStatus, MessagesAndBodies) {
  EXPECT_EQ(UpstreamErrorStatus(400, "", R"({"Message":"Capital M"})", "r").message(), "Capital M");
  const Status from_type = UpstreamErrorStatus(0, "", R"({"__type":"ThrottlingException"})", "r");
  EXPECT_EQ(from_type.code(), ErrorCode::kThrottling);
  EXPECT_EQ(from_type.message(), "Amazon Bedrock in r answered ThrottlingException");
  EXPECT_EQ(UpstreamErrorStatus(502, "", "<html>Bad\ngateway</html>", "r").message(),
            "Amazon Bedrock in r: <html>Bad gateway</html>");
  const Status credentials = UpstreamErrorStatus(
      403, "ExpiredTokenException",
      R"({"message":"The security token included in the request is expired"})", "r");
  EXPECT_NE(credentials.message().find("refused this endpoint's AWS credentials"),
            std::string::npos);
  const Status model = UpstreamErrorStatus(404, "ResourceNotFoundException", "{}", "r");
  EXPECT_NE(model.message().find("does not serve the model"), std::string::npos);
  const Status long_one =
      UpstreamErrorStatus(500, "", R"({"message":")" + std::string(5000, 'x') + "\x01\"}", "r");
  EXPECT_LT(long_one.message().size(), kMaxErrorMessageBytes + 64);
  const Status control = UpstreamErrorStatus(400, "", "{\"message\":\"a\\u0000b\\tc\"}", "r");
  EXPECT_EQ(control.message(), "a b c");
}

TEST(StreamExceptionStatus, LowerCamelNames) {
  EXPECT_EQ(StreamExceptionStatus("throttlingException", R"({"message":"slow"})", "r").code(),
            ErrorCode::kThrottling);
  EXPECT_EQ(StreamExceptionStatus("modelStreamErrorException", "{}", "r").code(),
            ErrorCode::kModelStreamError);
  EXPECT_EQ(StreamExceptionStatus("somethingElse", "{}", "r").code(), ErrorCode::kModelStreamError);
}

TEST(IsCredentialError, NamesAndMessages) {
  EXPECT_TRUE(IsCredentialError(403, "ExpiredTokenException", "{}"));
  EXPECT_TRUE(IsCredentialError(403, "UnrecognizedClientException:http://internal", "{}"));
  EXPECT_TRUE(IsCredentialError(403, "InvalidSignatureException", "{}"));
  EXPECT_TRUE(IsCredentialError(
      400, "", R"({"message":"The security token included in the request is expired"})"));
  EXPECT_FALSE(IsCredentialError(403, "AccessDeniedException", R"({"message":"not allowed"})"));
  EXPECT_FALSE(IsCredentialError(429, "ThrottlingException", "{}"));
}

}  // namespace
}  // namespace bp::backends::bedrock
