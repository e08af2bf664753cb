#include "api/control/control_routes.h"

#include <algorithm>

#include "api/control/control_test_fixture.h"
#include "api/fake_response_stream.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "core/uri.h"
#include "json/json.h"

namespace bp::api::control {
namespace {

using ::bp::api::testing::FakeResponseStream;
using ::bp::api::testing::MakeRequest;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Reply {
  unsigned status = 0;
  std::string error_type;
  std::string content_type;
  json::Object body;
  std::string raw;

  std::string Message() const {
    const json::Value* m = body.if_contains("message");
    return m != nullptr && m->is_string() ? std::string(m->get_string()) : "";
  }
};

class ControlRoutesTest : public ControlServiceFixture {
 protected:
  ControlRoutesTest() : handler_(auth_, clock_) {
    EXPECT_OK(RegisterControlRoutes(handler_, control_, authorizer_));
  }

  Reply Call(std::string method, std::string target, std::string body = "") {
    auto stream = std::make_shared<FakeResponseStream>();
    handler_.Handle(MakeRequest(std::move(method), std::move(target), std::move(body)), stream);
    EXPECT_EQ(stream->answers, 1);
    Reply reply{.status = stream->response.status,
                .error_type = stream->Header("x-amzn-errortype"),
                .content_type = stream->Header("content-type"),
                .raw = stream->response.body};
    auto doc = json::Parse(stream->response.body);
    EXPECT_TRUE(doc.ok() && doc->is_object()) << stream->response.body;
    if (doc.ok() && doc->is_object()) reply.body = doc->get_object();
    EXPECT_EQ(reply.content_type, "application/json");
    return reply;
  }

  // Creates a profile over the wire and returns its ARN.
  std::string Create(const std::string& name, const std::string& extra = "") {
    Reply r = Call("POST", "/inference-profiles",
                   R"({"inferenceProfileName":")" + name + R"(","modelSource":{"copyFrom":")" +
                       kHaikuSystemArn + "\"}" + extra + "}");
    EXPECT_EQ(r.status, 201u) << r.raw;
    const json::Value* arn = r.body.if_contains("inferenceProfileArn");
    return arn != nullptr && arn->is_string() ? std::string(arn->get_string()) : "";
  }

  auth::AnonymousAuthenticator auth_;
  auth::AllowAllAuthorizer authorizer_;
  ApiHandler handler_;
};

TEST_F(ControlRoutesTest, CreateAnswers201WithArnAndStatus) {
  Reply r = Call("POST", "/inference-profiles",
                 R"({"inferenceProfileName":"rd-x","description":"For research",)"
                 R"("clientRequestToken":"0b8c6c1e-9d7a-4f55-8a1e-3c2b1a0f9e8d",)"
                 R"("modelSource":{"copyFrom":")" +
                     std::string(kHaikuSystemArn) + R"("},"tags":[{"key":"team","value":"ml"}]})");
  ASSERT_EQ(r.status, 201u) << r.raw;
  EXPECT_EQ(r.body.size(), 2u);
  EXPECT_THAT(std::string(r.body.at("inferenceProfileArn").as_string()), StartsWith(kAppArnPrefix));
  EXPECT_EQ(r.body.at("status").as_string(), "ACTIVE");
}

TEST_F(ControlRoutesTest, MalformedCreateRequestsAreValidationErrorsNamingTheMember) {
  struct Case {
    std::string body;
    std::string says;
  };
  const std::string source =
      R"("modelSource":{"copyFrom":")" + std::string(kHaikuSystemArn) + "\"}";
  const Case cases[] = {
      {"", "empty"},
      {"{", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({"inferenceProfileName":5,)" + source + "}", "'inferenceProfileName'"},
      {R"({"inferenceProfileName":"a","bogus":1,)" + source + "}", "'bogus'"},
      {R"({)" + source + "}", "Value null at 'inferenceProfileName'"},
      {R"({"inferenceProfileName":"a"})", "Value null at 'modelSource'"},
      {R"({"inferenceProfileName":"a","modelSource":{}})", "exactly one member"},
      {R"({"inferenceProfileName":"a","modelSource":{"copyFrom":"x","other":"y"}})",
       "exactly one member"},
      {R"({"inferenceProfileName":"a","modelSource":{"copyFrom":7}})", "'modelSource.copyFrom'"},
      {R"({"inferenceProfileName":"a","modelSource":"x"})", "'modelSource'"},
      {R"({"inferenceProfileName":"a",)" + source + R"(,"tags":{}})", "'tags'"},
      {R"({"inferenceProfileName":"a",)" + source + R"(,"tags":[{"key":"k"}]})",
       "'tags.1.member.value'"},
      {R"({"inferenceProfileName":"a",)" + source + R"(,"tags":[{"key":"k","value":"v","x":1}]})",
       "'x'"},
      {R"({"inferenceProfileName":"a",)" + source + R"(,"tags":["k"]})", "'tags.1.member'"},
      {R"({"inferenceProfileName":"a b c!",)" + source + "}", "regular expression pattern"},
  };
  for (const Case& c : cases) {
    Reply r = Call("POST", "/inference-profiles", c.body);
    EXPECT_EQ(r.status, 400u) << c.body;
    EXPECT_EQ(r.error_type, "ValidationException") << c.body;
    EXPECT_THAT(r.Message(), HasSubstr(c.says)) << c.body;
  }
  EXPECT_EQ(StoredCount(), 0u);
}

TEST_F(ControlRoutesTest, CreateErrorsKeepTheirShapes) {
  Create("dup");
  Reply conflict = Call("POST", "/inference-profiles",
                        R"({"inferenceProfileName":"dup","modelSource":{"copyFrom":")" +
                            std::string(kHaikuSystemArn) + "\"}}");
  EXPECT_EQ(conflict.status, 400u);
  EXPECT_EQ(conflict.error_type, "ConflictException");

  Reply missing = Call("POST", "/inference-profiles",
                       R"({"inferenceProfileName":"n","modelSource":{"copyFrom":")" +
                           ModelArn("us-east-1") + "\"}}");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.error_type, "ResourceNotFoundException");

  std::string tags;
  for (int i = 0; i < 49; ++i) {
    tags += std::string(i ? "," : "") + R"({"key":"k)" + std::to_string(i) + R"(","value":"v"})";
  }
  Reply too_many = Call("POST", "/inference-profiles",
                        R"({"inferenceProfileName":"t","modelSource":{"copyFrom":")" +
                            std::string(kHaikuSystemArn) + R"("},"tags":[)" + tags + "]}");
  EXPECT_EQ(too_many.status, 400u);
  EXPECT_EQ(too_many.error_type, "TooManyTagsException");
  EXPECT_THAT(std::string(too_many.body.at("resourceName").as_string()), StartsWith(kAppArnPrefix));
  EXPECT_EQ(StoredCount(), 1u);
}

TEST_F(ControlRoutesTest, GetAnswersTheProfileShapeForEveryArnEncoding) {
  std::string arn = Create("shape", R"(,"description":"Shape test")");
  for (const std::string& target : {"/inference-profiles/" + UriEncode(arn),
                                    "/inference-profiles/" + arn.substr(0, arn.rfind('/')) + "%2F" +
                                        arn.substr(arn.rfind('/') + 1),
                                    "/inference-profiles/" + arn.substr(arn.rfind('/') + 1)}) {
    Reply r = Call("GET", target);
    ASSERT_EQ(r.status, 200u) << target << " " << r.raw;
    EXPECT_EQ(r.body.at("inferenceProfileName").as_string(), "shape");
    EXPECT_EQ(r.body.at("description").as_string(), "Shape test");
    EXPECT_EQ(r.body.at("inferenceProfileArn").as_string(), arn);
    EXPECT_EQ(r.body.at("createdAt").as_string(), "2026-01-01T00:00:00.000Z");
    EXPECT_TRUE(r.body.at("updatedAt").is_string());
    EXPECT_EQ(r.body.at("status").as_string(), "ACTIVE");
    EXPECT_EQ(r.body.at("type").as_string(), "APPLICATION");
    const json::Array& models = r.body.at("models").as_array();
    ASSERT_EQ(models.size(), 3u);
    EXPECT_EQ(models[1].as_object().at("modelArn").as_string(), ModelArn("eu-west-1"));
  }
  Reply system = Call("GET", "/inference-profiles/" + UriEncode(kSonnetSystemArn));
  ASSERT_EQ(system.status, 200u);
  EXPECT_EQ(system.body.at("type").as_string(), "SYSTEM_DEFINED");
  Reply no_description = Call("GET", "/inference-profiles/" + UriEncode(Create("plain")));
  EXPECT_FALSE(no_description.body.contains("description"));
  Reply missing = Call("GET", "/inference-profiles/zzzzzzzzzzzz");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.error_type, "ResourceNotFoundException");
  EXPECT_EQ(Call("GET", "/inference-profiles/a%20b").error_type, "ValidationException");
}

TEST_F(ControlRoutesTest, ListPagesThroughTheQuery) {
  for (int i = 0; i < 3; ++i) Create("l" + std::to_string(i));
  Reply system = Call("GET", "/inference-profiles");
  ASSERT_EQ(system.status, 200u);
  EXPECT_EQ(system.body.at("inferenceProfileSummaries").as_array().size(),
            catalog_.system_profiles().size());
  EXPECT_FALSE(system.body.contains("nextToken"));

  std::vector<std::string> names;
  std::string token;
  for (int page = 0; page < 5; ++page) {
    std::string target = "/inference-profiles?type=APPLICATION&maxResults=2";
    if (!token.empty()) target += "&nextToken=" + UriEncode(token);
    Reply r = Call("GET", target);
    ASSERT_EQ(r.status, 200u) << r.raw;
    for (const json::Value& p : r.body.at("inferenceProfileSummaries").as_array()) {
      names.emplace_back(p.as_object().at("inferenceProfileName").as_string());
    }
    if (!r.body.contains("nextToken")) break;
    token = std::string(r.body.at("nextToken").as_string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"l0", "l1", "l2"}));

  EXPECT_EQ(Call("GET", "/inference-profiles?maxResults=abc").error_type, "ValidationException");
  EXPECT_EQ(Call("GET", "/inference-profiles?maxResults=99999999999999999999999").error_type,
            "ValidationException");
  EXPECT_EQ(Call("GET", "/inference-profiles?maxResults=0").status, 400u);
  EXPECT_EQ(Call("GET", "/inference-profiles?type=NOPE").status, 400u);
  Reply bad_token = Call("GET", "/inference-profiles?type=APPLICATION&nextToken=garbage");
  EXPECT_THAT(bad_token.Message(), HasSubstr("Invalid nextToken"));
  EXPECT_EQ(Call("GET", "/inference-profiles?nextToken=%zz").status, 400u);
  // Unknown query parameters (e.g. presigned X-Amz-*) are ignored.
  EXPECT_EQ(Call("GET", "/inference-profiles?X-Amz-Date=20260101T000000Z").status, 200u);
}

TEST_F(ControlRoutesTest, DeleteAnswersAnEmptyObject) {
  std::string arn = Create("gone");
  Reply r = Call("DELETE", "/inference-profiles/" + UriEncode(arn));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.raw, "{}");
  EXPECT_EQ(Call("DELETE", "/inference-profiles/" + UriEncode(arn)).status, 404u);
  EXPECT_EQ(Call("DELETE", "/inference-profiles/" + UriEncode(kHaikuSystemArn)).error_type,
            "ValidationException");
}

TEST_F(ControlRoutesTest, TaggingRoundTrip) {
  std::string arn = Create("tags", R"(,"tags":[{"key":"billing-mode","value":"rd"}])");
  Reply tag = Call("POST", "/tagResource",
                   R"({"resourceARN":")" + arn + R"(","tags":[{"key":"team","value":"ml"}]})");
  EXPECT_EQ(tag.status, 200u);
  EXPECT_EQ(tag.raw, "{}");
  Reply untag = Call("POST", "/untagResource",
                     R"({"resourceARN":")" + arn + R"(","tagKeys":["Environment","absent"]})");
  EXPECT_EQ(untag.status, 200u);
  EXPECT_EQ(untag.raw, "{}");
  Reply list = Call("POST", "/listTagsForResource", R"({"resourceARN":")" + arn + "\"}");
  ASSERT_EQ(list.status, 200u);
  EXPECT_EQ(list.raw,
            R"({"tags":[{"key":"billing-mode","value":"rd"},{"key":"team","value":"ml"}]})");

  std::string tags;
  for (int i = 0; i < 49; ++i) {
    tags += std::string(i ? "," : "") + R"({"key":"k)" + std::to_string(i) + R"(","value":"v"})";
  }
  Reply too_many =
      Call("POST", "/tagResource", R"({"resourceARN":")" + arn + R"(","tags":[)" + tags + "]}");
  EXPECT_EQ(too_many.error_type, "TooManyTagsException");
  EXPECT_EQ(too_many.body.at("resourceName").as_string(), arn);

  EXPECT_EQ(Call("POST", "/tagResource", R"({"resourceARN":")" + arn + "\"}").error_type,
            "ValidationException");  // tags is required
  EXPECT_EQ(Call("POST", "/untagResource", R"({"resourceARN":")" + arn + R"(","tagKeys":[1]})")
                .error_type,
            "ValidationException");
  EXPECT_EQ(Call("POST", "/listTagsForResource", R"({"resourceArn":"x"})").error_type,
            "ValidationException");  // the member is resourceARN
  EXPECT_EQ(Call("POST", "/listTagsForResource",
                 R"({"resourceARN":")" + std::string(kHaikuSystemArn) + "\"}")
                .error_type,
            "ValidationException");
  EXPECT_EQ(Call("POST", "/listTagsForResource", R"({"resourceARN":")" + arn + "\"}").raw,
            list.raw);
}

TEST_F(ControlRoutesTest, FoundationModels) {
  Reply list = Call("GET", "/foundation-models?byProvider=anthropic&byOutputModality=TEXT");
  ASSERT_EQ(list.status, 200u);
  const json::Array& models = list.body.at("modelSummaries").as_array();
  ASSERT_EQ(models.size(), catalog_.models().size());  // all Anthropic, text out
  const json::Object& m = models[0].as_object();
  EXPECT_EQ(m.at("modelArn").as_string(),
            ModelArn(kRegion, std::string(m.at("modelId").as_string())));
  EXPECT_EQ(m.at("providerName").as_string(), "Anthropic");
  EXPECT_TRUE(m.at("responseStreamingSupported").as_bool());
  EXPECT_EQ(m.at("inferenceTypesSupported").as_array()[0].as_string(), "INFERENCE_PROFILE");
  EXPECT_EQ(m.at("modelLifecycle").as_object().at("status").as_string(), "ACTIVE");
  EXPECT_TRUE(m.at("inputModalities").is_array());
  EXPECT_TRUE(m.at("customizationsSupported").is_array());

  EXPECT_EQ(Call("GET", "/foundation-models?byInferenceType=ON_DEMAND")
                .body.at("modelSummaries")
                .as_array()
                .size(),
            0u);
  EXPECT_EQ(Call("GET", "/foundation-models?byInferenceType=nope").status, 400u);

  Reply get = Call("GET", "/foundation-models/" + UriEncode(ModelArn("eu-west-3")));
  ASSERT_EQ(get.status, 200u);
  EXPECT_EQ(get.body.at("modelDetails").as_object().at("modelId").as_string(), kHaikuModel);
  EXPECT_EQ(Call("GET", std::string("/foundation-models/") + kHaikuModel).status, 200u);
  EXPECT_EQ(Call("GET", "/foundation-models/" + UriEncode(ModelArn("us-west-2"))).status, 404u);
}

TEST_F(ControlRoutesTest, UnknownRoutesAndMethods) {
  EXPECT_EQ(Call("GET", "/inference-profile").error_type, "UnknownOperationException");
  EXPECT_EQ(Call("PUT", "/inference-profiles").status, 405u);
  EXPECT_EQ(Call("GET", "/tagResource").status, 405u);
}

}  // namespace
}  // namespace bp::api::control
