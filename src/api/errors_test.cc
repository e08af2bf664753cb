#include "api/errors.h"

#include "api/router.h"
#include "testing/testing.h"

namespace bp::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

json::Object Body(const http::Response& r) {
  auto doc = json::Parse(r.body);
  EXPECT_TRUE(doc.ok() && doc->is_object()) << r.body;
  return doc.ok() && doc->is_object() ? doc->get_object() : json::Object{};
}

std::string Type(const http::Response& r) {
  const std::string* v = http::FindHeader(r.headers, "x-amzn-errortype");
  return v == nullptr ? "" : *v;
}

TEST(ErrorsTest, TableMatchesTheSpec) {
  struct Row {
    ErrorCode code;
    unsigned status;
    const char* type;
  };
  const Row rows[] = {
      {ErrorCode::kValidation, 400, "ValidationException"},
      {ErrorCode::kConflict, 400, "ConflictException"},
      {ErrorCode::kServiceQuotaExceeded, 400, "ServiceQuotaExceededException"},
      {ErrorCode::kTooManyTags, 400, "TooManyTagsException"},
      {ErrorCode::kResourceInUse, 400, "ResourceInUseException"},
      {ErrorCode::kAccessDenied, 403, "AccessDeniedException"},
      {ErrorCode::kResourceNotFound, 404, "ResourceNotFoundException"},
      {ErrorCode::kThrottling, 429, "ThrottlingException"},
      {ErrorCode::kModelNotReady, 429, "ModelNotReadyException"},
      {ErrorCode::kMissingAuthenticationToken, 403, "MissingAuthenticationTokenException"},
      {ErrorCode::kIncompleteSignature, 400, "IncompleteSignatureException"},
      {ErrorCode::kUnrecognizedClient, 403, "UnrecognizedClientException"},
      {ErrorCode::kInvalidSignature, 403, "InvalidSignatureException"},
      {ErrorCode::kUnknownOperation, 404, "UnknownOperationException"},
      {ErrorCode::kPayloadTooLarge, 413, "ValidationException"},
      {ErrorCode::kNotImplemented, 501, "NotImplementedException"},
      {ErrorCode::kModelTimeout, 408, "ModelTimeoutException"},
      {ErrorCode::kModelError, 424, "ModelErrorException"},
      {ErrorCode::kModelStreamError, 424, "ModelStreamErrorException"},
      {ErrorCode::kInternal, 500, "InternalServerException"},
      {ErrorCode::kServiceUnavailable, 503, "ServiceUnavailableException"},
      {ErrorCode::kIo, 500, "InternalServerException"},
  };
  // Every enumerator (they are dense from kValidation to kIo) has a row here.
  EXPECT_EQ(std::size(rows), static_cast<size_t>(ErrorCode::kIo) + 1);
  for (const Row& row : rows) {
    ErrorWire wire = WireFor(row.code);
    EXPECT_EQ(wire.http_status, row.status) << ErrorCodeName(row.code);
    EXPECT_EQ(wire.type, row.type) << ErrorCodeName(row.code);
    http::Response r = ErrorResponse(Status(row.code, "m"), "rid");
    EXPECT_EQ(r.status, row.status);
    EXPECT_EQ(Type(r), row.type);
    const std::string* ct = http::FindHeader(r.headers, "content-type");
    ASSERT_NE(ct, nullptr);
    EXPECT_EQ(*ct, "application/json");
  }
}

TEST(ErrorsTest, ClientFaultsCarryTheirMessage) {
  http::Response r = ErrorResponse(ValidationError("Value 'x' at 'name' failed"));
  EXPECT_EQ(Body(r).at("message").as_string(), "Value 'x' at 'name' failed");
  EXPECT_EQ(Body(r).size(), 1u);
}

TEST(ErrorsTest, HiddenServerFaultsDoNotLeak) {
  for (ErrorCode code : {ErrorCode::kIo, ErrorCode::kInternal}) {
    http::Response r = ErrorResponse(
        Status(code, "sqlite3_step: INSERT INTO profiles failed at /srv/x.db"), "r-9");
    EXPECT_THAT(r.body, Not(HasSubstr("sqlite")));
    EXPECT_THAT(r.body, Not(HasSubstr("/srv")));
    EXPECT_THAT(std::string(Body(r).at("message").as_string()), HasSubstr("r-9"));
  }
  // Other server faults are not hidden: their text is meant for the caller.
  http::Response r = ErrorResponse(Status(ErrorCode::kServiceUnavailable, "eu-west-1 is down"));
  EXPECT_EQ(Body(r).at("message").as_string(), "eu-west-1 is down");
}

TEST(ErrorsTest, ExtraMembersAndTooManyTags) {
  json::Object extra;
  extra["originalStatusCode"] = 500;
  extra["message"] = "ignored";
  http::Response r = ErrorResponse(Status(ErrorCode::kModelError, "upstream"), "", extra);
  json::Object body = Body(r);
  EXPECT_EQ(body.at("message").as_string(), "upstream");
  EXPECT_EQ(body.at("originalStatusCode").as_int64(), 500);

  http::Response t = TooManyTagsResponse(Status(ErrorCode::kTooManyTags, "too many"), "arn:x");
  EXPECT_EQ(t.status, 400u);
  EXPECT_EQ(Type(t), "TooManyTagsException");
  EXPECT_EQ(Body(t).at("resourceName").as_string(), "arn:x");
  EXPECT_FALSE(
      Body(TooManyTagsResponse(Status(ErrorCode::kTooManyTags, "x"), "")).contains("resourceName"));
}

TEST(ErrorsTest, MessagesAreAlwaysValidUtf8) {
  EXPECT_EQ(ToValidUtf8("plain"), "plain");
  EXPECT_EQ(ToValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  const std::string kReplacement = "\xEF\xBF\xBD";
  EXPECT_EQ(ToValidUtf8("a\xAA"
                        "b"),
            "a" + kReplacement + "b");
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), kReplacement + kReplacement);                     // overlong
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);  // surrogate
  EXPECT_EQ(ToValidUtf8("\xE2\x82"), kReplacement + kReplacement);                     // truncated
  http::Response r = ErrorResponse(ValidationError("Value 'APPL\xAA' is bad"));
  EXPECT_TRUE(json::Parse(r.body).ok()) << r.body;
}

TEST(ErrorsTest, MethodNotAllowed) {
  http::Response r = MethodNotAllowedResponse("PATCH", "/inference-profiles", {"GET", "POST"});
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(Type(r), "UnknownOperationException");
  const std::string* allow = http::FindHeader(r.headers, "allow");
  ASSERT_NE(allow, nullptr);
  EXPECT_EQ(*allow, "GET, POST");
}

}  // namespace
}  // namespace bp::api
