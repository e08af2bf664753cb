#include "auth/iam/values.h"

#include <gtest/gtest.h>

namespace bp::auth::iam {
namespace {

constexpr int64_t kMicros = 1000000;

TEST(ParseNumberTest, DecimalsOnly) {
  EXPECT_EQ(ParseNumber("10"), 10.0);
  EXPECT_EQ(ParseNumber("-2.5"), -2.5);
  EXPECT_EQ(ParseNumber("+3"), 3.0);
  EXPECT_EQ(ParseNumber("10.0"), ParseNumber("10"));
  for (std::string_view bad : {"", "1e3", "0x10", "inf", "nan", "1.", ".5", "1 ", "--1", "+"}) {
    EXPECT_FALSE(ParseNumber(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseNumber(std::string(65, '1')).has_value());
}

TEST(ParseTimestampTest, Iso8601WithZones) {
  const int64_t noon = 1781524800 * kMicros;  // 2026-06-15T12:00:00Z
  EXPECT_EQ(ParseTimestampMicros("2026-06-15T12:00:00Z"), noon);
  EXPECT_EQ(ParseTimestampMicros("2026-06-15T14:00:00+02:00"), noon);
  EXPECT_EQ(ParseTimestampMicros("2026-06-15T07:30:00-0430"), noon);
  EXPECT_EQ(ParseTimestampMicros("2026-06-15T13:00:00+01"), noon);
  EXPECT_EQ(ParseTimestampMicros("2026-06-15T12:00Z"), noon);
  EXPECT_EQ(ParseTimestampMicros("2026-06-15T12:00:00"), noon);
  EXPECT_EQ(ParseTimestampMicros("2026-06-15T12:00:00.25Z"), noon + kMicros / 4);
  EXPECT_EQ(ParseTimestampMicros("2026-06-15"), noon - 12 * 3600 * kMicros);
  EXPECT_EQ(ParseTimestampMicros("1970-01-01T00:00:00Z"), 0);
}

TEST(ParseTimestampTest, EpochSeconds) {
  EXPECT_EQ(ParseTimestampMicros("1767225600"), 1767225600 * kMicros);
  EXPECT_EQ(ParseTimestampMicros("1767225600.5"), 1767225600 * kMicros + kMicros / 2);
  EXPECT_EQ(ParseTimestampMicros("-1"), -kMicros);
  EXPECT_EQ(ParseTimestampMicros("2026-01-01T00:00:00Z"), ParseTimestampMicros("1767225600"));
}

TEST(ParseTimestampTest, RefusesImpossibleDates) {
  for (std::string_view bad :
       {"2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31T00:00:00Z", "2026-06-15T24:00:00Z",
        "2026-06-15T12:60:00Z", "2026-06-15T12:00:61Z",
        "2026-06-15T12:00:00+02:", "2026-06-15T12:00:00+2", "2026-06-15X", "2026-06-15T",
        "tomorrow", "", "12a", "99999999999999"}) {
    EXPECT_FALSE(ParseTimestampMicros(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseTimestampMicros("2028-02-29").has_value());  // leap year
  EXPECT_FALSE(ParseTimestampMicros("2100-02-29").has_value());
}

TEST(IpTest, ParsesBothFamilies) {
  std::optional<IpAddress> v4 = ParseIpAddress("10.1.2.3");
  ASSERT_TRUE(v4.has_value());
  EXPECT_FALSE(v4->v6);
  EXPECT_EQ(v4->bytes[0], 10);
  std::optional<IpAddress> v6 = ParseIpAddress("2001:db8:1::5");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->v6);
  std::optional<IpAddress> mapped = ParseIpAddress("::ffff:10.1.2.3");
  ASSERT_TRUE(mapped.has_value());
  EXPECT_FALSE(mapped->v6);
  for (std::string_view bad : {"", "10.1.2", "256.1.1.1", "10.1.2.3/8", "fe80::1%eth0", "x"}) {
    EXPECT_FALSE(ParseIpAddress(bad).has_value()) << bad;
  }
}

TEST(CidrTest, ContainsAndMasking) {
  std::optional<Cidr> net = ParseCidr("10.1.2.3/8");
  ASSERT_TRUE(net.has_value());
  EXPECT_EQ(net->base.bytes[1], 0);  // host bits cleared
  EXPECT_TRUE(net->Contains(*ParseIpAddress("10.255.0.1")));
  EXPECT_FALSE(net->Contains(*ParseIpAddress("11.0.0.1")));
  EXPECT_FALSE(net->Contains(*ParseIpAddress("::a01:203")));  // other family

  std::optional<Cidr> odd = ParseCidr("192.168.0.0/23");
  ASSERT_TRUE(odd.has_value());
  EXPECT_TRUE(odd->Contains(*ParseIpAddress("192.168.1.200")));
  EXPECT_FALSE(odd->Contains(*ParseIpAddress("192.168.2.1")));

  std::optional<Cidr> v6 = ParseCidr("2001:db8::/32");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->Contains(*ParseIpAddress("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->Contains(*ParseIpAddress("2001:db9::1")));

  std::optional<Cidr> host = ParseCidr("203.0.113.7");
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->prefix, 32);
  EXPECT_TRUE(ParseCidr("0.0.0.0/0")->Contains(*ParseIpAddress("1.2.3.4")));
  for (std::string_view bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/a", "/8"}) {
    EXPECT_FALSE(ParseCidr(bad).has_value()) << bad;
  }
}

TEST(ParseBoolTest, TrueFalseAnyCase) {
  EXPECT_EQ(ParseBool("true"), true);
  EXPECT_EQ(ParseBool("FALSE"), false);
  EXPECT_FALSE(ParseBool("yes").has_value());
  EXPECT_FALSE(ParseBool("1").has_value());
}

TEST(DecodeBase64Test, StandardAlphabet) {
  EXPECT_EQ(DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(DecodeBase64("aGVsbG8"), "hello");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_EQ(DecodeBase64("+/8="), std::string("\xfb\xff", 2));
  for (std::string_view bad : {"a", "aGVsbG9=", "aGVs bG8=", "aGVsbG8===", "a=b=", "-_8="}) {
    EXPECT_FALSE(DecodeBase64(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace bp::auth::iam
