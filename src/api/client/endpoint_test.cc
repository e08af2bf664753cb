// Endpoint resolution (flag, service-specific and generic variables, the AWS
// default per region) and the HTTP settings read from the environment.

#include "api/client/endpoint.h"

#include <map>
#include <string>

#include "testing/testing.h"

namespace bp::api::client {
namespace {

using ::bp::testing::StatusIs;
using ::testing::HasSubstr;

auth::credentials::EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Resolved(Plane plane, std::string_view flag, const auth::credentials::EnvLookup& env,
                     std::string* origin = nullptr) {
  auto r = ResolveEndpoint(plane, flag, "eu-central-1", env);
  if (!r.ok()) return "error: " + r.status().message();
  if (origin) *origin = r->origin;
  return r->endpoint.ToString();
}

TEST(ResolveEndpointTest, DefaultsToTheAwsEndpointOfTheRegion) {
  std::string origin;
  EXPECT_EQ(Resolved(Plane::kControl, "", Env({}), &origin),
            "https://bedrock.eu-central-1.amazonaws.com");
  EXPECT_THAT(origin, HasSubstr("the AWS endpoint of eu-central-1"));
  EXPECT_EQ(Resolved(Plane::kRuntime, "", Env({})),
            "https://bedrock-runtime.eu-central-1.amazonaws.com");
  auto r = ResolveEndpoint(Plane::kControl, "", "eu-west-3", Env({}));
  ASSERT_OK(r);
  EXPECT_EQ(r->endpoint.host, "bedrock.eu-west-3.amazonaws.com");
  EXPECT_EQ(r->endpoint.port, 443);
  EXPECT_EQ(r->endpoint.scheme, http::Scheme::kHttps);
}

TEST(ResolveEndpointTest, TheFlagWinsOverEverything) {
  auto env = Env({{"AWS_ENDPOINT_URL_BEDROCK", "http://a:1"},
                  {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://b:2"},
                  {"AWS_ENDPOINT_URL", "http://c:3"}});
  std::string origin;
  EXPECT_EQ(Resolved(Plane::kRuntime, "http://127.0.0.1:8700", env, &origin),
            "http://127.0.0.1:8700");
  EXPECT_EQ(origin, "--endpoint");
}

TEST(ResolveEndpointTest, ServiceSpecificVariablesBeforeTheGenericOne) {
  auto all = Env({{"AWS_ENDPOINT_URL_BEDROCK", "http://a:1"},
                  {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://b:2"},
                  {"AWS_ENDPOINT_URL", "http://c:3"}});
  std::string origin;
  EXPECT_EQ(Resolved(Plane::kControl, "", all, &origin), "http://a:1");
  EXPECT_EQ(origin, "AWS_ENDPOINT_URL_BEDROCK");
  EXPECT_EQ(Resolved(Plane::kRuntime, "", all, &origin), "http://b:2");
  EXPECT_EQ(origin, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME");

  // The control plane never reads the runtime's variable.
  auto runtime_only = Env({{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://b:2"}});
  EXPECT_EQ(Resolved(Plane::kControl, "", runtime_only),
            "https://bedrock.eu-central-1.amazonaws.com");
  // The runtime falls back to the control plane's (one local serve answers both).
  auto control_only = Env({{"AWS_ENDPOINT_URL_BEDROCK", "http://a:1"}});
  EXPECT_EQ(Resolved(Plane::kRuntime, "", control_only), "http://a:1");
  auto generic = Env({{"AWS_ENDPOINT_URL", "http://c:3"}, {"AWS_ENDPOINT_URL_BEDROCK", ""}});
  EXPECT_EQ(Resolved(Plane::kControl, "", generic, &origin), "http://c:3");
  EXPECT_EQ(origin, "AWS_ENDPOINT_URL");
}

TEST(ResolveEndpointTest, ConfiguredUrlsCanBeIgnored) {
  auto env =
      Env({{"AWS_ENDPOINT_URL", "http://c:3"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"}});
  EXPECT_EQ(Resolved(Plane::kControl, "", env), "https://bedrock.eu-central-1.amazonaws.com");
  EXPECT_EQ(Resolved(Plane::kControl, "http://x:1", env), "http://x:1");  // the flag still counts
}

TEST(ResolveEndpointTest, AMalformedUrlNamesItsOrigin) {
  auto r = ResolveEndpoint(Plane::kControl, "", "eu-central-1",
                           Env({{"AWS_ENDPOINT_URL", "127.0.0.1:8700"}}));
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(), HasSubstr("invalid endpoint URL '127.0.0.1:8700'"));
  EXPECT_THAT(r.status().message(), HasSubstr("[from AWS_ENDPOINT_URL]"));
  r = ResolveEndpoint(Plane::kControl, "ftp://x", "eu-central-1", Env({}));
  EXPECT_THAT(r.status().message(), HasSubstr("[from --endpoint]"));
}

TEST(ResolveEndpointTest, ABadRegionCannotMakeAHostName) {
  for (const char* region : {"", "EU-CENTRAL-1", "eu central", "eu/../x", "-eu"}) {
    auto r = ResolveEndpoint(Plane::kControl, "", region, Env({}));
    EXPECT_THAT(r, StatusIs(ErrorCode::kValidation)) << region;
    EXPECT_THAT(r.status().message(), HasSubstr("is not a region name"));
  }
}

TEST(HttpOptionsFromEnvTest, CaBundleFromTheEnvironment) {
  EXPECT_EQ(HttpOptionsFromEnv(Env({{"AWS_CA_BUNDLE", "/etc/corp/ca.pem"}})).ca_bundle_file,
            "/etc/corp/ca.pem");
  http::ClientOptions plain = HttpOptionsFromEnv(Env({}));
  EXPECT_EQ(plain.ca_bundle_file, "");
  EXPECT_EQ(plain.retry.max_attempts, 4);
}

}  // namespace
}  // namespace bp::api::client
