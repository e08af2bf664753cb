#include "api/log_format.h"

#include <chrono>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "api/access_log.h"
#include "core/clock.h"

namespace bp::api {
namespace {

using std::chrono::milliseconds;

const std::chrono::system_clock::time_point kTime = FromUnixMillis(1754994030123);

boost::json::object ParseLine(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line: " << line;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  EXPECT_FALSE(ec) << ec.message() << ": " << line;
  return v.is_object() ? v.as_object() : boost::json::object();
}

TEST(LogFormatTest, ParsesTheTwoNames) {
  EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(ParseLogFormat("JSON"), std::nullopt);
  EXPECT_EQ(ParseLogFormat(""), std::nullopt);
}

TEST(LogFormatTest, PlainMessageIsTimeLevelMsg) {
  std::string line = JsonLogLine(kTime, "warning", "bedrock-profiles", "say \"hi\"\n\tto\\you");
  EXPECT_EQ(line,
            R"({"time":"2025-08-12T10:20:30.123Z","level":"warning","msg":"say \"hi\"\n\tto\\you"})"
            "\n");
  boost::json::object o = ParseLine(line);
  EXPECT_EQ(o.at("msg").as_string(), "say \"hi\"\n\tto\\you");
}

TEST(LogFormatTest, ControlBytesAndInvalidUtf8AreRepairedAndEscaped) {
  boost::json::object o = ParseLine(
      JsonLogLine(kTime, "info", "bedrock-profiles", std::string("a\x01\xff\xc3\xa9", 5)));
  EXPECT_EQ(o.at("msg").as_string(), "a\x01\xEF\xBF\xBD\xC3\xA9");  // U+FFFD, then é kept
}

TEST(LogFormatTest, AccessPayloadMembersFollowTimeAndLevel) {
  AccessEntry entry{.start = {},
                    .request_id = "r-1",
                    .method = "POST",
                    .path = "/model/a\"b\nc/converse",
                    .principal = "arn:aws:iam::123456789012:user/alice",
                    .operation = "Converse"};
  std::string payload = AccessJson(entry, 200, 1234, "eu-west-1");
  std::string line = JsonLogLine(kTime, "info", kAccessLoggerName, payload);
  boost::json::object o = ParseLine(line);
  EXPECT_EQ(line.rfind(R"({"time":"2025-08-12T10:20:30.123Z","level":"info","type":"access",)", 0),
            0u)
      << line;
  EXPECT_EQ(o.at("request_id").as_string(), "r-1");
  EXPECT_EQ(o.at("principal").as_string(), "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(o.at("method").as_string(), "POST");
  EXPECT_EQ(o.at("path").as_string(), "/model/a\"b\nc/converse");
  EXPECT_EQ(o.at("operation").as_string(), "Converse");
  EXPECT_EQ(o.at("status").as_int64(), 200);
  EXPECT_EQ(o.at("latency_us").as_int64(), 1234);
  EXPECT_EQ(o.at("region").as_string(), "eu-west-1");
  EXPECT_FALSE(o.contains("msg"));
}

TEST(LogFormatTest, MissingAccessValuesAreNull) {
  AccessEntry entry{.start = {}, .request_id = "", .method = "GET", .path = "/x"};
  boost::json::object o =
      ParseLine(JsonLogLine(kTime, "info", kAccessLoggerName, AccessJson(entry, 0, 7, "")));
  for (const char* key : {"request_id", "principal", "operation", "region"}) {
    ASSERT_TRUE(o.contains(key)) << key;
    EXPECT_TRUE(o.at(key).is_null()) << key;
  }
  EXPECT_EQ(o.at("status").as_int64(), 0);  // never answered
}

TEST(LogFormatTest, InvalidUtf8InThePathIsRepaired) {
  AccessEntry entry{.start = {}, .request_id = "r", .method = "GET", .path = "/\xc3("};
  boost::json::object o =
      ParseLine(JsonLogLine(kTime, "info", kAccessLoggerName, AccessJson(entry, 404, 1, "")));
  EXPECT_EQ(o.at("path").as_string(), "/\xEF\xBF\xBD(");
}

// Only the access logger's payload is spliced: the same text on another
// logger is a message.
TEST(LogFormatTest, ObjectPayloadOfAnotherLoggerIsAMessage) {
  boost::json::object o = ParseLine(JsonLogLine(kTime, "info", "bedrock-profiles", R"({"a":1})"));
  EXPECT_EQ(o.at("msg").as_string(), R"({"a":1})");
  EXPECT_FALSE(o.contains("a"));
}

}  // namespace
}  // namespace bp::api
