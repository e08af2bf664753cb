#include "api/runtime/call_options.h"

#include <string>

#include "api/runtime/converse_wire.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::api::runtime {
namespace {

using backends::ModelRequest;
using backends::ServiceTier;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// "Validation: <message>" for a failure, "OK" otherwise.
std::string ErrorOf(const Status& status) {
  if (status.ok()) return "OK";
  return std::string(ErrorCodeName(status.code())) + ": " + status.message();
}
template <typename T>
std::string ErrorOf(const Result<T>& result) {
  return result.ok() ? "OK" : ErrorOf(result.status());
}

std::string ConverseWith(const std::string& members) {
  return R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],)" + members + "}";
}

TEST(ServiceTierTest, ConverseMemberIsKept) {
  for (auto [name, tier] :
       {std::pair{"priority", ServiceTier::kPriority}, std::pair{"default", ServiceTier::kDefault},
        std::pair{"flex", ServiceTier::kFlex}, std::pair{"reserved", ServiceTier::kReserved}}) {
    Result<ModelRequest> req = ParseConverseRequest(
        ConverseWith(std::string(R"("serviceTier":{"type":")") + name + "\"}"));
    ASSERT_OK(req);
    EXPECT_EQ(req->service_tier, tier) << name;
  }
  Result<ModelRequest> none = ParseConverseRequest(ConverseWith(R"("system":[{"text":"x"}])"));
  ASSERT_OK(none);
  EXPECT_FALSE(none->service_tier.has_value());
}

TEST(ServiceTierTest, ConverseErrorsAreCoral) {
  EXPECT_THAT(ErrorOf(ParseConverseRequest(ConverseWith(R"("serviceTier":{"type":"turbo"})"))),
              AllOf(StartsWith("Validation: "),
                    HasSubstr("Value 'turbo' at 'serviceTier.type' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [priority, "
                              "default, flex, reserved]")));
  EXPECT_THAT(ErrorOf(ParseConverseRequest(ConverseWith(R"("serviceTier":{})"))),
              AllOf(StartsWith("Validation: "), HasSubstr("'serviceTier.type'")));
  EXPECT_THAT(ErrorOf(ParseConverseRequest(ConverseWith(R"("serviceTier":{"type":"flex","x":1})"))),
              AllOf(StartsWith("Validation: "), HasSubstr("'serviceTier.x'")));
  EXPECT_THAT(ErrorOf(ParseConverseRequest(ConverseWith(R"("serviceTier":"flex")"))),
              AllOf(StartsWith("Validation: "), HasSubstr("serviceTier")));
}

TEST(RequestMetadataTest, ConversePairsAreKeptInOrder) {
  Result<ModelRequest> req = ParseConverseRequest(ConverseWith(
      R"("requestMetadata":{"team":"search","test case":"a/b:c@d=e+f,g-h.i","empty":""})"));
  ASSERT_OK(req);
  ASSERT_EQ(req->request_metadata.size(), 3u);
  EXPECT_EQ(req->request_metadata[0], (std::pair<std::string, std::string>{"team", "search"}));
  EXPECT_EQ(req->request_metadata[1].first, "test case");
  EXPECT_EQ(req->request_metadata[2].second, "");
}

TEST(RequestMetadataTest, BoundsAreBedrocks) {
  std::string sixteen, seventeen;
  for (int i = 0; i < 17; ++i) {
    std::string pair = "\"k" + std::to_string(i) + "\":\"v\"";
    if (i < 16) sixteen += (i ? "," : "") + pair;
    seventeen += (i ? "," : "") + pair;
  }
  EXPECT_OK(ParseConverseRequest(ConverseWith(R"("requestMetadata":{)" + sixteen + "}")));
  EXPECT_THAT(
      ErrorOf(ParseConverseRequest(ConverseWith(R"("requestMetadata":{)" + seventeen + "}"))),
      AllOf(StartsWith("Validation: "),
            HasSubstr("'requestMetadata' failed to satisfy constraint: Member must "
                      "have length less than or equal to 16")));
  EXPECT_THAT(ErrorOf(ParseConverseRequest(ConverseWith(R"("requestMetadata":{})"))),
              AllOf(StartsWith("Validation: "), HasSubstr("greater than or equal to 1")));
  const std::string long_key(257, 'k');
  EXPECT_OK(ParseConverseRequest(
      ConverseWith(R"("requestMetadata":{")" + std::string(256, 'k') + R"(":"v"})")));
  EXPECT_THAT(ErrorOf(ParseConverseRequest(
                  ConverseWith(R"("requestMetadata":{")" + long_key + R"(":"v"})"))),
              AllOf(StartsWith("Validation: "), HasSubstr("Map keys must satisfy constraint")));
  EXPECT_THAT(ErrorOf(ParseConverseRequest(
                  ConverseWith(R"("requestMetadata":{"k":")" + std::string(257, 'v') + "\"}"))),
              AllOf(StartsWith("Validation: "), HasSubstr("at 'requestMetadata.k'")));
  EXPECT_THAT(ErrorOf(ParseConverseRequest(ConverseWith(R"("requestMetadata":{"k;":"v"})"))),
              AllOf(StartsWith("Validation: "), HasSubstr("Value 'k;' at 'requestMetadata'")));
  EXPECT_THAT(ErrorOf(ParseConverseRequest(ConverseWith(R"("requestMetadata":{"k":"<v>"})"))),
              AllOf(StartsWith("Validation: "), HasSubstr("regular expression pattern")));
  EXPECT_THAT(ErrorOf(ParseConverseRequest(ConverseWith(R"("requestMetadata":{"k":1})"))),
              AllOf(StartsWith("Validation: "), HasSubstr("requestMetadata.k")));
}

TEST(InvokeHeadersTest, TierAndMetadata) {
  ModelRequest req;
  ASSERT_OK(ParseInvokeHeaders({{"x-amzn-bedrock-service-tier", "flex"},
                                {"x-amzn-bedrock-request-metadata", R"({"team":"rd","run":"42"})"}},
                               req));
  EXPECT_EQ(req.service_tier, ServiceTier::kFlex);
  ASSERT_EQ(req.request_metadata.size(), 2u);
  EXPECT_EQ(req.request_metadata[1].second, "42");

  ModelRequest plain;
  ASSERT_OK(ParseInvokeHeaders({{"content-type", "application/json"}}, plain));
  EXPECT_FALSE(plain.service_tier.has_value());
  EXPECT_TRUE(plain.request_metadata.empty());
}

TEST(InvokeHeadersTest, Errors) {
  ModelRequest req;
  EXPECT_THAT(ErrorOf(ParseInvokeHeaders({{"x-amzn-bedrock-service-tier", "Priority"}}, req)),
              AllOf(StartsWith("Validation: "), HasSubstr("Value 'Priority' at 'serviceTier'")));
  EXPECT_THAT(ErrorOf(ParseInvokeHeaders({{"x-amzn-bedrock-request-metadata", "team=rd"}}, req)),
              AllOf(StartsWith("Validation: "), HasSubstr("must be a JSON object")));
  EXPECT_THAT(ErrorOf(ParseInvokeHeaders({{"x-amzn-bedrock-request-metadata", R"(["a"])"}}, req)),
              AllOf(StartsWith("Validation: "), HasSubstr("must be a JSON object")));
  EXPECT_THAT(
      ErrorOf(ParseInvokeHeaders({{"x-amzn-bedrock-request-metadata", R"({"a":{"b":"c"}})"}}, req)),
      AllOf(StartsWith("Validation: "), HasSubstr("requestMetadata.a")));
  const std::string huge = R"({"a":")" + std::string(8500, 'x') + "\"}";
  EXPECT_THAT(ErrorOf(ParseInvokeHeaders({{"x-amzn-bedrock-request-metadata", huge}}, req)),
              AllOf(StartsWith("Validation: "), HasSubstr("less than or equal to 8500")));
}

TEST(ServiceTierTest, EchoedInConverseOutput) {
  backends::ModelResponse response;
  std::string with = ConverseResponseJson(response, 5, ServiceTier::kPriority);
  EXPECT_THAT(with, HasSubstr(R"("metrics":{"latencyMs":5},"serviceTier":{"type":"priority"}})"));
  ASSERT_OK(json::Parse(with));
  std::string without = ConverseResponseJson(response, 5);
  EXPECT_EQ(without.find("serviceTier"), std::string::npos);
}

}  // namespace
}  // namespace bp::api::runtime
