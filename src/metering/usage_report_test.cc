#include "metering/usage_report.h"

#include "json/json.h"
#include "testing/testing.h"

namespace bp::metering {
namespace {

UsageRecord Call(std::string profile, std::string team, int64_t input, int64_t latency,
                 std::string error = "") {
  UsageRecord r;
  r.profile_name = std::move(profile);
  r.principal = "arn:aws:iam::123456789012:user/rd-e2e";
  r.serving_region = "eu-west-1";
  r.tags = {{"team", std::move(team)}};
  r.request_metadata = {{"run", "r1"}};
  r.tokens = {
      .input = input, .output = 10, .cache_read = 2, .cache_write_5m = 3, .cache_write_1h = 1};
  r.latency_ms = latency;
  r.ttft_ms = latency / 2;
  r.error_code = std::move(error);
  r.cost_micro_usd = input * 1000;
  return r;
}

TEST(ParseDimensionTest, NamesAndErrors) {
  ASSERT_OK(ParseDimension("profile"));
  Result<Dimension> tag = ParseDimension("tag:billing-mode");
  ASSERT_OK(tag);
  EXPECT_EQ(tag->kind, Dimension::Kind::kTag);
  EXPECT_EQ(tag->Name(), "tag:billing-mode");
  EXPECT_EQ(ParseDimension("metadata:run")->Name(), "metadata:run");
  EXPECT_EQ(ParseDimension("tag:").status().message(), "--by tag:: name the key (tag:KEY)");
  EXPECT_EQ(ParseDimension("team").status().message(),
            "--by team: expected profile, principal, model, region, operation, tag:KEY or "
            "metadata:KEY");
}

TEST(UsageAggregatorTest, GroupsByTagAndProfileWithTotals) {
  UsageAggregator agg({*ParseDimension("tag:team"), *ParseDimension("profile")});
  agg.Add(Call("a", "ml", 100, 10));
  agg.Add(Call("a", "ml", 200, 30));
  agg.Add(Call("b", "ml", 50, 20, "ThrottlingException"));
  agg.Add(Call("b", "web", 10, 40, "ValidationException"));
  UsageReport report = std::move(agg).Finish(0, 3'600'000);
  ASSERT_EQ(report.groups.size(), 3u);
  // By cost, descending.
  EXPECT_EQ(report.groups[0].keys, (std::vector<std::string>{"ml", "a"}));
  EXPECT_EQ(report.groups[0].requests, 2);
  EXPECT_EQ(report.groups[0].tokens.input, 300);
  EXPECT_EQ(report.groups[0].tokens.cache_write(), 8);
  EXPECT_EQ(report.groups[0].cost_micro_usd, 300'000);
  EXPECT_EQ(report.groups[0].latency_p50_ms, 10);
  EXPECT_EQ(report.groups[0].latency_p99_ms, 30);
  EXPECT_EQ(report.groups[1].keys, (std::vector<std::string>{"ml", "b"}));
  EXPECT_EQ(report.groups[1].throttles, 1);
  EXPECT_EQ(report.groups[1].errors, 1);
  EXPECT_EQ(report.total.requests, 4);
  EXPECT_EQ(report.total.errors, 2);
  EXPECT_EQ(report.total.throttles, 1);
  EXPECT_EQ(report.total.tokens.input, 360);
  EXPECT_EQ(report.total.cost_micro_usd, 360'000);
  EXPECT_EQ(report.total.latency_p50_ms, 20);
  EXPECT_EQ(report.total.ttft_p99_ms, 20);
}

TEST(UsageAggregatorTest, MissingTagsAndMetadataGroupAsDash) {
  UsageAggregator agg({*ParseDimension("tag:cost-center"), *ParseDimension("metadata:run")});
  agg.Add(Call("a", "ml", 1, 1));
  UsageReport report = std::move(agg).Finish(0, 1);
  ASSERT_EQ(report.groups.size(), 1u);
  EXPECT_EQ(report.groups[0].keys, (std::vector<std::string>{"-", "r1"}));
}

TEST(UsageRenderTest, TableJsonAndCsv) {
  UsageAggregator agg({*ParseDimension("profile")});
  agg.Add(Call("rd-haiku-45", "ml", 1500, 12));
  agg.Add(Call("rd, \"quoted\"", "ml", 5, 7));
  UsageReport report = std::move(agg).Finish(1'767'225'600'000, 1'767'312'000'000);
  const std::string table = RenderTable(report);
  EXPECT_EQ(table,
            "usage from 2026-01-01T00:00:00Z to 2026-01-02T00:00:00Z\n"
            "profile       requests  errors  throttles  input  output  cache_read  cache_write  "
            "p50_ms  p99_ms  ttft_p50_ms  ttft_p99_ms  cost_usd\n"
            "rd-haiku-45          1       0          0   1500      10           2            4  "
            "    12      12            6            6  1.500000\n"
            "rd, \"quoted\"         1       0          0      5      10           2            4  "
            "     7       7            3            3  0.005000\n"
            "TOTAL                2       0          0   1505      20           4            8  "
            "     7      12            3            6  1.505000\n");
  Result<json::Value> doc = json::Parse(RenderJson(report));
  ASSERT_OK(doc);
  const json::Object& root = doc->get_object();
  EXPECT_EQ(root.at("from").get_string(), "2026-01-01T00:00:00Z");
  EXPECT_EQ(root.at("groups").get_array().size(), 2u);
  EXPECT_EQ(root.at("groups").get_array()[0].at("keys").at("profile").get_string(), "rd-haiku-45");
  EXPECT_EQ(root.at("total").at("input_tokens").to_number<int64_t>(), 1505);
  EXPECT_EQ(root.at("total").at("cost_usd").get_string(), "1.505000");
  const std::string csv = RenderCsv(report);
  EXPECT_NE(csv.find("\r\n\"rd, \"\"quoted\"\"\",1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\r\nTOTAL,2,0,0,1505,"), std::string::npos) << csv;
  // No call was estimated: no note, 0s in JSON and CSV.
  EXPECT_EQ(table.find("local token estimates"), std::string::npos);
  EXPECT_EQ(root.at("total").at("estimated").to_number<int64_t>(), 0);
  EXPECT_NE(csv.find(",cost_usd,estimated\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",1.505000,0\r\n"), std::string::npos) << csv;
}

// Calls whose tokens are local estimates are counted per group and in the
// total: a JSON field and a last CSV column; the table says so below it.
TEST(UsageRenderTest, EstimatedCallsAreCountedAndNoted) {
  UsageAggregator agg({*ParseDimension("profile")});
  UsageRecord estimated = Call("local", "ml", 400, 5);  // local costs more: the first group
  estimated.tokens_estimated = true;
  agg.Add(estimated);
  agg.Add(estimated);
  agg.Add(Call("local", "ml", 400, 5));
  agg.Add(Call("bedrock", "ml", 1000, 5));
  UsageRollup rollup;
  rollup.key = RollupKeyOf(estimated);
  rollup.Add(estimated);
  agg.AddRollup(rollup);
  const UsageReport report = std::move(agg).Finish(1'767'225'600'000, 1'767'312'000'000);
  ASSERT_EQ(report.groups.size(), 2u);
  EXPECT_EQ(report.groups[0].keys, std::vector<std::string>{"local"});
  EXPECT_EQ(report.groups[0].estimated, 3);  // two records and the roll-up's one
  EXPECT_EQ(report.groups[1].estimated, 0);
  EXPECT_EQ(report.total.estimated, 3);
  EXPECT_EQ(report.total.requests, 5);

  const std::string table = RenderTable(report);
  EXPECT_NE(table.find("\nTOTAL "), std::string::npos);
  EXPECT_NE(table.find("\n3 call(s) counted with local token estimates (the upstream reported "
                       "no usage)\n"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("estimated  "), std::string::npos) << "no column: " << table;

  Result<json::Value> doc = json::Parse(RenderJson(report));
  ASSERT_OK(doc);
  EXPECT_EQ(doc->at("groups").get_array()[0].at("estimated").to_number<int64_t>(), 3);
  EXPECT_EQ(doc->at("groups").get_array()[1].at("estimated").to_number<int64_t>(), 0);
  EXPECT_EQ(doc->at("total").at("estimated").to_number<int64_t>(), 3);

  const std::string csv = RenderCsv(report);
  EXPECT_NE(csv.find("\r\nlocal,4,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",3\r\nbedrock,1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",0\r\nTOTAL,5,"), std::string::npos) << csv;
  EXPECT_TRUE(csv.ends_with(",3\r\n")) << csv;

  // Through JSON and back, every format as it was.
  Result<UsageReport> parsed = ParseUsageReportJson(RenderJson(report));
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->total.estimated, 3);
  EXPECT_EQ(RenderTable(*parsed), table);
  EXPECT_EQ(RenderCsv(*parsed), csv);
}

// A report from an endpoint older than the field has no "estimated": none were.
TEST(ParseUsageReportJsonTest, AReportWithoutEstimatedReadsZero) {
  UsageAggregator agg({*ParseDimension("profile")});
  agg.Add(Call("a", "ml", 1, 1));
  std::string text = RenderJson(std::move(agg).Finish(0, 1000));
  for (size_t at; (at = text.find("\"estimated\":0,")) != std::string::npos;) {
    text.erase(at, std::string_view("\"estimated\":0,").size());
  }
  ASSERT_EQ(text.find("estimated"), std::string::npos) << text;
  Result<UsageReport> parsed = ParseUsageReportJson(text);
  ASSERT_OK(parsed) << text;
  EXPECT_EQ(parsed->total.estimated, 0);
  EXPECT_EQ(parsed->groups.at(0).estimated, 0);
}

// RenderJson, parsed back and rendered again, gives the same bytes in every
// format: what `usage --endpoint` prints is what `usage --state` prints.
TEST(ParseUsageReportJsonTest, RoundTripsEveryFormatByteForByte) {
  UsageAggregator agg(
      {*ParseDimension("tag:team"), *ParseDimension("profile"), *ParseDimension("metadata:run")});
  agg.Add(Call("a", "ml", 100, 10));
  agg.Add(Call("a", "ml", 200, 30, "ThrottlingException"));
  agg.Add(Call("b, \"q\"", "web", 7, 20, "ValidationException"));
  UsageRecord no_token = Call("b", "web", 0, 5);
  no_token.ttft_ms = -1;
  no_token.tokens = {};
  agg.Add(no_token);
  UsageReport report = std::move(agg).Finish(1'767'225'600'000, 1'767'312'000'000);
  // What a roll-up read adds: estimated percentiles, the raw horizon, notes.
  report.percentiles_estimated = true;
  report.raw_from_ms = 1'767'229'200'000;
  report.notes = {"metadata:run comes from raw records only, \"quoted\"", "second note"};
  const std::string text = RenderJson(report);
  Result<UsageReport> parsed = ParseUsageReportJson(text);
  ASSERT_OK(parsed);
  EXPECT_EQ(RenderJson(*parsed), text);
  EXPECT_TRUE(parsed->percentiles_estimated);
  EXPECT_EQ(parsed->raw_from_ms, report.raw_from_ms);
  EXPECT_EQ(parsed->notes, report.notes);
  EXPECT_EQ(RenderTable(*parsed), RenderTable(report));
  EXPECT_EQ(RenderCsv(*parsed), RenderCsv(report));
  ASSERT_EQ(parsed->groups.size(), report.groups.size());
  EXPECT_EQ(parsed->groups[0].keys, report.groups[0].keys);
  EXPECT_EQ(parsed->groups.back().ttft_p50_ms, -1);
  EXPECT_EQ(parsed->total.tokens.cache_write_1h, report.total.tokens.cache_write_1h);
  EXPECT_EQ(parsed->from_ms, report.from_ms);
  EXPECT_EQ(parsed->to_ms, report.to_ms);
}

TEST(ParseUsageReportJsonTest, EmptyReportsAndRepeatedDimensions) {
  for (std::vector<Dimension> dims :
       {std::vector<Dimension>{}, std::vector<Dimension>{*ParseDimension("profile")},
        std::vector<Dimension>{*ParseDimension("profile"), *ParseDimension("profile")}}) {
    UsageAggregator agg(dims);
    if (dims.size() == 2) agg.Add(Call("a", "ml", 1, 1));
    const UsageReport report = std::move(agg).Finish(0, 1000);
    const std::string text = RenderJson(report);
    Result<UsageReport> parsed = ParseUsageReportJson(text);
    ASSERT_OK(parsed) << text;
    EXPECT_EQ(RenderJson(*parsed), text);
    EXPECT_EQ(RenderTable(*parsed), RenderTable(report));
  }
}

TEST(ParseUsageReportJsonTest, RefusesWhatRenderJsonNeverWrites) {
  UsageAggregator agg({*ParseDimension("profile")});
  agg.Add(Call("a", "ml", 1, 1));
  const std::string good = RenderJson(std::move(agg).Finish(0, 1000));
  auto with = [&good](std::string_view from, std::string_view to) {
    std::string s = good;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "syntax"},
      {"[]", "$: expected an object"},
      {with("\"from\":\"1970-01-01T00:00:00Z\"", "\"from\":\"1970-01-01\""),
       "$.from: '1970-01-01'"},
      {with("\"from\":\"1970-01-01T00:00:00Z\"", "\"from\":\"0026-12-02T13:23:03Z\""),
       "from 1970 on"},
      {with("\"to\":\"1970-01-01T00:00:01Z\"", "\"to\":\"1970-02-30T00:00:01Z\""), "$.to:"},
      {with("\"by\":[\"profile\"]", "\"by\":[\"team\"]"), "$.by[0]: --by team"},
      {with("\"keys\":{\"profile\":\"a\"}", "\"keys\":{\"model\":\"a\"}"), "$.groups[0].keys"},
      {with("\"requests\":1", "\"requests\":\"1\""), "$.groups[0].requests"},
      {with("\"estimated\":0", "\"estimated\":true"), "$.groups[0].estimated"},
      {with("\"cache_write_tokens\":4", "\"cache_write_tokens\":5"), "cache_write_tokens"},
      {with("\"cost_usd\":\"0.001000\"", "\"cost_usd\":\"9.0\""), "cost_usd"},
      {with("\"latency_p50_ms\":1", "\"latency_p50_ms\":-3"), "latency_p50_ms"},
      {with("\"percentiles\":\"exact\"", "\"percentiles\":\"roughly\""), "$.percentiles"},
      {with("\"percentiles\":\"exact\",", ""), "$.percentiles"},
      {with("\"raw_from\":null", "\"raw_from\":\"yesterday\""), "$.raw_from: 'yesterday'"},
      {with("\"raw_from\":null,", ""), "$.raw_from is required"},
      {with("\"notes\":[]", "\"notes\":[1]"), "$.notes"},
  };
  for (const auto& [text, message] : cases) {
    Result<UsageReport> r = ParseUsageReportJson(text);
    ASSERT_THAT(r, bp::testing::StatusIs(ErrorCode::kValidation)) << text;
    EXPECT_THAT(r.status().message(), ::testing::HasSubstr(message)) << text;
  }
}

TEST(ParseDurationMsTest, UnitsAndErrors) {
  EXPECT_EQ(*ParseDurationMs("45s"), 45'000);
  EXPECT_EQ(*ParseDurationMs("30m"), 1'800'000);
  EXPECT_EQ(*ParseDurationMs("24h"), 86'400'000);
  EXPECT_EQ(*ParseDurationMs("90d"), 90 * 86'400'000LL);
  EXPECT_EQ(*ParseDurationMs("2w"), 14 * 86'400'000LL);
  for (const char* bad : {"", "h", "0h", "1y", "-1d", "1.5h", "999999999999d"}) {
    EXPECT_THAT(ParseDurationMs(bad), bp::testing::StatusIs(ErrorCode::kValidation)) << bad;
  }
  EXPECT_EQ(ParseDurationMs("1y").status().message(),
            "'1y' is not a duration: use a number and a unit, s, m, h, d or w (\"24h\", \"90d\")");
}

TEST(FormatUsdTest, SixDecimals) {
  EXPECT_EQ(FormatUsd(0), "0.000000");
  EXPECT_EQ(FormatUsd(1'234'567), "1.234567");
  EXPECT_EQ(FormatUsd(-5), "-0.000005");
}

}  // namespace
}  // namespace bp::metering
