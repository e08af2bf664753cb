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
  // The stream columns: bedrock-api.md §4.3. ConverseStream has no
  // modelTimeoutException; a code outside a union is internalServerException
  // with a hidden message.
  constexpr std::string_view kIse = "internalServerException";
  constexpr Message kShown = Message::kShown;
  constexpr Message kHidden = Message::kHidden;
  struct Row {
    ErrorCode code;
    unsigned status;
    std::string_view type;
    Message message;
    std::string_view converse;
    std::string_view invoke;
    Message stream_message;
  };
  const Row rows[] = {
      {ErrorCode::kValidation, 400, "ValidationException", kShown, "validationException",
       "validationException", kShown},
      {ErrorCode::kConflict, 400, "ConflictException", kShown, kIse, kIse, kHidden},
      {ErrorCode::kServiceQuotaExceeded, 400, "ServiceQuotaExceededException", kShown, kIse, kIse,
       kHidden},
      {ErrorCode::kTooManyTags, 400, "TooManyTagsException", kShown, kIse, kIse, kHidden},
      {ErrorCode::kResourceInUse, 400, "ResourceInUseException", kShown, kIse, kIse, kHidden},
      {ErrorCode::kAccessDenied, 403, "AccessDeniedException", kShown, kIse, kIse, kHidden},
      {ErrorCode::kResourceNotFound, 404, "ResourceNotFoundException", kShown, kIse, kIse, kHidden},
      {ErrorCode::kThrottling, 429, "ThrottlingException", kShown, "throttlingException",
       "throttlingException", kShown},
      {ErrorCode::kModelNotReady, 429, "ModelNotReadyException", kShown, "throttlingException",
       "throttlingException", kShown},
      {ErrorCode::kMissingAuthenticationToken, 403, "MissingAuthenticationTokenException", kShown,
       kIse, kIse, kHidden},
      {ErrorCode::kIncompleteSignature, 400, "IncompleteSignatureException", kShown, kIse, kIse,
       kHidden},
      {ErrorCode::kUnrecognizedClient, 403, "UnrecognizedClientException", kShown, kIse, kIse,
       kHidden},
      {ErrorCode::kInvalidSignature, 403, "InvalidSignatureException", kShown, kIse, kIse, kHidden},
      {ErrorCode::kUnknownOperation, 404, "UnknownOperationException", kShown, kIse, kIse, kHidden},
      {ErrorCode::kPayloadTooLarge, 413, "ValidationException", kShown, kIse, kIse, kHidden},
      {ErrorCode::kNotImplemented, 501, "NotImplementedException", kShown, kIse, kIse, kHidden},
      {ErrorCode::kModelTimeout, 408, "ModelTimeoutException", kShown, kIse,
       "modelTimeoutException", kShown},
      {ErrorCode::kModelError, 424, "ModelErrorException", kShown, "modelStreamErrorException",
       "modelStreamErrorException", kShown},
      {ErrorCode::kModelStreamError, 424, "ModelStreamErrorException", kShown,
       "modelStreamErrorException", "modelStreamErrorException", kShown},
      {ErrorCode::kInternal, 500, "InternalServerException", kHidden, kIse, kIse, kHidden},
      {ErrorCode::kServiceUnavailable, 503, "ServiceUnavailableException", kShown,
       "serviceUnavailableException", "serviceUnavailableException", kShown},
      {ErrorCode::kIo, 500, "InternalServerException", kHidden, kIse, kIse, kHidden},
  };
  // Every enumerator (they are dense from kValidation to kIo) has a row here.
  EXPECT_EQ(std::size(rows), static_cast<size_t>(ErrorCode::kIo) + 1);
  for (const Row& row : rows) {
    SCOPED_TRACE(ErrorCodeName(row.code));
    ErrorWire wire = WireFor(row.code);
    EXPECT_EQ(wire.http_status, row.status);
    EXPECT_EQ(wire.type, row.type);
    EXPECT_EQ(wire.message, row.message);
    EXPECT_EQ(wire.StreamException(StreamApi::kConverse), row.converse);
    EXPECT_EQ(wire.StreamException(StreamApi::kInvoke), row.invoke);
    EXPECT_EQ(wire.stream.message, row.stream_message);
    http::Response r = ErrorResponse(Status(row.code, "m"), "rid");
    EXPECT_EQ(r.status, row.status);
    EXPECT_EQ(Type(r), row.type);
    EXPECT_EQ(Body(r).at("message").as_string() == "m", row.message == kShown);
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
