#include "auth/sigv4/endpoint_region.h"

#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace bp::auth::sigv4 {
namespace {

TEST(BedrockHostRegionTest, TheTwoBedrockHostNamesGiveTheirRegion) {
  EXPECT_EQ(BedrockHostRegion("bedrock.eu-west-1.amazonaws.com"), "eu-west-1");
  EXPECT_EQ(BedrockHostRegion("bedrock-runtime.eu-west-1.amazonaws.com"), "eu-west-1");
  EXPECT_EQ(BedrockHostRegion("bedrock-runtime.us-gov-west-1.amazonaws.com:443"), "us-gov-west-1");
  EXPECT_EQ(BedrockHostRegion("Bedrock-Runtime.AP-Southeast-2.AmazonAWS.com."), "ap-southeast-2");
}

TEST(BedrockHostRegionTest, OtherHostsGiveNone) {
  for (const char* host : {"", "127.0.0.1:8700", "[::1]:8700", "localhost", "bedrock.amazonaws.com",
                           "bedrock..amazonaws.com", "bedrock.eu.west.1.amazonaws.com",
                           "bedrock-agent.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com",
                           "bedrock.eu-west-1.amazonaws.com.evil",
                           "xbedrock.eu-west-1.amazonaws.com", "bedrock.eu_west_1.amazonaws.com"}) {
    EXPECT_EQ(BedrockHostRegion(host), std::nullopt) << host;
  }
}

TEST(EndpointRegionTest, TheHostsRegionElseTheConfiguredOne) {
  EXPECT_EQ(EndpointRegion("bedrock.eu-west-3.amazonaws.com", "eu-central-1"), "eu-west-3");
  EXPECT_EQ(EndpointRegion("127.0.0.1:8700", "eu-central-1"), "eu-central-1");
  EXPECT_EQ(EndpointRegion("", "eu-central-1"), "eu-central-1");
}

TEST(IsRegionNameTest, Shape) {
  EXPECT_TRUE(IsRegionName("eu-central-1"));
  EXPECT_FALSE(IsRegionName(""));
  EXPECT_FALSE(IsRegionName("EU-CENTRAL-1"));
  EXPECT_FALSE(IsRegionName("eu.central"));
  EXPECT_FALSE(IsRegionName(std::string(33, 'a')));
}

}  // namespace
}  // namespace bp::auth::sigv4
