// Bedrock error answers read the way the AWS SDKs read them, their Status,
// and their retry classification.

#include "api/client/service_error.h"

#include "testing/testing.h"

namespace bp::api::client {
namespace {

using ::bp::testing::StatusIs;

http::Response Answer(unsigned status, std::string body, http::Headers headers = {}) {
  return http::Response{.status = status, .headers = std::move(headers), .body = std::move(body)};
}

TEST(ParseServiceErrorTest, TypeFromTheHeaderCutAtTheColon) {
  ServiceError e = ParseServiceError(
      Answer(400, R"({"message":"bad name"})",
             {{"x-amzn-errortype", "ValidationException:http://internal.amazon.com/coral/"},
              {"x-amzn-requestid", "rid-1"}}));
  EXPECT_EQ(e.http_status, 400u);
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message, "bad name");
  EXPECT_EQ(e.request_id, "rid-1");
}

TEST(ParseServiceErrorTest, TypeFromTheBodyAfterTheHash) {
  ServiceError code = ParseServiceError(
      Answer(404, R"({"code":"ResourceNotFoundException","Message":"no such profile"})"));
  EXPECT_EQ(code.type, "ResourceNotFoundException");
  EXPECT_EQ(code.message, "no such profile");
  ServiceError type = ParseServiceError(
      Answer(429, R"({"__type":"com.amazon.bedrock#ThrottlingException","message":"slow"})"));
  EXPECT_EQ(type.type, "ThrottlingException");
  // The header wins over the body.
  ServiceError both = ParseServiceError(
      Answer(400, R"({"__type":"A","message":"m"})", {{"x-amzn-errortype", "ConflictException"}}));
  EXPECT_EQ(both.type, "ConflictException");
}

TEST(ParseServiceErrorTest, NonJsonBodiesLeaveTheFieldsEmpty) {
  ServiceError e = ParseServiceError(Answer(502, "<html>bad gateway</html>"));
  EXPECT_EQ(e.type, "");
  EXPECT_EQ(e.message, "");
  ServiceError array = ParseServiceError(Answer(400, R"(["message"])"));
  EXPECT_EQ(array.message, "");
  ServiceError wrong_kind = ParseServiceError(Answer(400, R"({"message":5,"__type":[]})"));
  EXPECT_EQ(wrong_kind.message, "");
  EXPECT_EQ(wrong_kind.type, "");
}

TEST(ServiceErrorStatusTest, TypeAndMessageWithTheMatchingCode) {
  Status s = ServiceErrorStatus(Answer(400, R"({"message":"Value 'x' at 'name' failed"})",
                                       {{"x-amzn-errortype", "ValidationException"}}));
  EXPECT_THAT(s, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(s.message(), "ValidationException: Value 'x' at 'name' failed");
  EXPECT_TRUE(IsServiceErrorMessage(s.message()));

  EXPECT_THAT(ServiceErrorStatus(Answer(404, R"({"__type":"ResourceNotFoundException",
                                                "message":"m"})")),
              StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(ServiceErrorStatus(Answer(403, R"({"__type":"AccessDeniedException",
                                                "message":"m"})")),
              StatusIs(ErrorCode::kAccessDenied));
  EXPECT_THAT(ServiceErrorStatus(Answer(403, R"({"__type":"InvalidSignatureException",
                                                "message":"m"})")),
              StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(ServiceErrorStatus(Answer(400, R"({"__type":"TooManyTagsException",
                                                "message":"m"})")),
              StatusIs(ErrorCode::kTooManyTags));
}

TEST(ServiceErrorStatusTest, WithoutTypeOrMessageTheStatusAndBodyAreShown) {
  Status s = ServiceErrorStatus(Answer(502, "<html>bad gateway</html>"));
  EXPECT_THAT(s, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(s.message(), "HTTP 502: <html>bad gateway</html>");
  EXPECT_FALSE(IsServiceErrorMessage(s.message()));
  Status empty = ServiceErrorStatus(Answer(403, ""));
  EXPECT_THAT(empty, StatusIs(ErrorCode::kAccessDenied));
  EXPECT_EQ(empty.message(), "HTTP 403: (no body)");
  Status typed = ServiceErrorStatus(Answer(429, "", {{"x-amzn-errortype", "ThrottlingException"}}));
  EXPECT_THAT(typed, StatusIs(ErrorCode::kThrottling));
  EXPECT_EQ(typed.message(), "ThrottlingException: HTTP 429: (no body)");
  Status long_body = ServiceErrorStatus(Answer(500, std::string(1000, 'x')));
  EXPECT_EQ(long_body.message().size(), std::string("HTTP 500: ").size() + 300);
}

TEST(ErrorCodeForServiceErrorTest, UnknownTypesGoByStatus) {
  EXPECT_EQ(ErrorCodeForServiceError("ExpiredTokenException", 403), ErrorCode::kAccessDenied);
  EXPECT_EQ(ErrorCodeForServiceError("", 404), ErrorCode::kResourceNotFound);
  EXPECT_EQ(ErrorCodeForServiceError("", 429), ErrorCode::kThrottling);
  EXPECT_EQ(ErrorCodeForServiceError("", 503), ErrorCode::kServiceUnavailable);
  EXPECT_EQ(ErrorCodeForServiceError("SomethingException", 400), ErrorCode::kValidation);
  EXPECT_EQ(ErrorCodeForServiceError("ConflictException", 500), ErrorCode::kConflict);
}

TEST(IsServiceErrorMessageTest, OnlyTheTypePrefixForm) {
  EXPECT_TRUE(IsServiceErrorMessage("ModelStreamErrorException: boom"));
  EXPECT_FALSE(IsServiceErrorMessage("Exception: too short"));
  EXPECT_FALSE(IsServiceErrorMessage("cannot connect to http://x: refused"));
  EXPECT_FALSE(IsServiceErrorMessage("Some Exception: spaces"));
  EXPECT_FALSE(IsServiceErrorMessage("ValidationException without colon"));
}

TEST(ClassifyServiceErrorTest, ThrottlingTypesWhateverTheStatus) {
  EXPECT_EQ(ClassifyServiceError(Answer(400, "", {{"x-amzn-errortype", "ThrottlingException"}})),
            http::Transience::kThrottled);
  EXPECT_EQ(ClassifyServiceError(Answer(400, R"({"__type":"x#TooManyRequestsException"})")),
            http::Transience::kThrottled);
  EXPECT_EQ(ClassifyServiceError(Answer(429, R"({"__type":"ModelNotReadyException"})")),
            http::Transience::kThrottled);
  EXPECT_EQ(ClassifyServiceError(Answer(500, R"({"__type":"InternalServerException"})")),
            http::Transience::kTransient);
  EXPECT_EQ(ClassifyServiceError(Answer(503, "")), http::Transience::kTransient);
  EXPECT_EQ(ClassifyServiceError(Answer(429, "")), http::Transience::kThrottled);
  // Never other 4xx.
  EXPECT_EQ(ClassifyServiceError(Answer(400, R"({"__type":"ValidationException"})")),
            http::Transience::kPermanent);
  EXPECT_EQ(ClassifyServiceError(Answer(408, R"({"__type":"ModelTimeoutException"})")),
            http::Transience::kPermanent);
  EXPECT_EQ(ClassifyServiceError(Answer(404, "")), http::Transience::kPermanent);
}

}  // namespace
}  // namespace bp::api::client
