// The schema-driven value generator (FillFromSchema / FillToolInput) and the
// structured-output answer: every generated value validates against its
// schema, checked by a small validator written for this test.
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/simulated/answer.h"
#include "backends/simulated/tool_call.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::backends::simulated {
namespace {

using json::Value;

// ---- a validator for the structured-output subset (test only) --------------------

bool Matches(const std::string& s, const char* pattern) {
  return std::regex_match(s, std::regex(pattern));
}

bool FormatOk(std::string_view format, const std::string& s) {
  if (format == "date-time") {
    return Matches(s, R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))");
  }
  if (format == "date") return Matches(s, R"(\d{4}-\d{2}-\d{2})");
  if (format == "time") return Matches(s, R"(\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))");
  if (format == "duration") return Matches(s, R"(P(\d+[YMWD])+(T(\d+[HMS])+)?|PT(\d+[HMS])+)");
  if (format == "email") return Matches(s, R"([^@\s]+@[^@\s]+\.[^@\s]+)");
  if (format == "hostname") return Matches(s, R"([a-z0-9-]+(\.[a-z0-9-]+)*)");
  if (format == "uri") return Matches(s, R"([a-z][a-z0-9+.-]*:\S+)");
  if (format == "ipv4") return Matches(s, R"((\d{1,3}\.){3}\d{1,3})");
  if (format == "ipv6") return Matches(s, R"([0-9a-fA-F:]+)") && s.find(':') != std::string::npos;
  if (format == "uuid") {
    return Matches(s, R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
  }
  return false;
}

bool HasType(const Value& v, std::string_view type) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_bool();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_int64() || v.is_uint64();
  if (type == "number") return v.is_number();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  return false;
}

// Empty when `v` is valid against `schema`, else what is wrong.
std::string Validate(const Value& v, const Value& schema, const Value& root) {
  const json::Object& s = schema.as_object();
  if (const Value* ref = s.if_contains("$ref")) {
    std::string target(ref->as_string());
    const std::string section = target.rfind("#/$defs/", 0) == 0 ? "$defs" : "definitions";
    const std::string name = target.substr(section.size() + 3);
    return Validate(v, root.as_object().at(section).as_object().at(name), root);
  }
  if (const Value* any = s.if_contains("anyOf")) {
    for (const Value& branch : any->as_array()) {
      if (Validate(v, branch, root).empty()) return "";
    }
    return "no anyOf branch matches " + json::Serialize(v);
  }
  if (const Value* c = s.if_contains("const"); c && *c != v) return "not the const";
  if (const Value* e = s.if_contains("enum")) {
    bool found = false;
    for (const Value& option : e->as_array()) found = found || option == v;
    if (!found) return "not in the enum: " + json::Serialize(v);
  }
  if (const Value* t = s.if_contains("type")) {
    bool ok = false;
    if (t->is_string()) {
      ok = HasType(v, t->as_string());
    } else {
      for (const Value& entry : t->as_array()) ok = ok || HasType(v, entry.as_string());
    }
    if (!ok) return "wrong type: " + json::Serialize(v) + " for " + json::Serialize(*t);
  }
  if (v.is_object()) {
    const json::Object* props =
        s.contains("properties") ? &s.at("properties").as_object() : nullptr;
    if (const Value* r = s.if_contains("required")) {
      for (const Value& name : r->as_array()) {
        if (!v.as_object().contains(name.as_string())) {
          return "missing required " + json::Serialize(name);
        }
      }
    }
    for (const auto& [key, member] : v.as_object()) {
      const Value* sub = props != nullptr ? props->if_contains(key) : nullptr;
      if (sub == nullptr) return "additional property " + std::string(key);
      if (std::string e = Validate(member, *sub, root); !e.empty()) {
        return std::string(key) + ": " + e;
      }
    }
  }
  if (v.is_array()) {
    if (const Value* m = s.if_contains("minItems");
        m && v.as_array().size() < m->to_number<size_t>()) {
      return "too few items";
    }
    if (const Value* items = s.if_contains("items")) {
      for (const Value& item : v.as_array()) {
        if (std::string e = Validate(item, *items, root); !e.empty()) return "item: " + e;
      }
    }
  }
  if (v.is_string()) {
    if (const Value* f = s.if_contains("format")) {
      if (!FormatOk(f->as_string(), std::string(v.as_string()))) {
        return "bad " + std::string(f->as_string()) + ": " + std::string(v.as_string());
      }
    }
  }
  return "";
}

// The validator itself catches what it should.
TEST(SchemaValidatorTest, RejectsInvalidValues) {
  const Value schema = *json::Parse(
      R"({"type":"object","properties":{"a":{"type":"integer"},"d":{"type":"string","format":"date"}},
          "required":["a"],"additionalProperties":false})");
  EXPECT_EQ(Validate(*json::Parse(R"({"a":1,"d":"2025-01-01"})"), schema, schema), "");
  EXPECT_NE(Validate(*json::Parse(R"({"d":"2025-01-01"})"), schema, schema), "");
  EXPECT_NE(Validate(*json::Parse(R"({"a":"1"})"), schema, schema), "");
  EXPECT_NE(Validate(*json::Parse(R"({"a":1,"x":1})"), schema, schema), "");
  EXPECT_NE(Validate(*json::Parse(R"({"a":1,"d":"example"})"), schema, schema), "");
}

// ---- the generator -----------------------------------------------------------------

struct SchemaCase {
  const char* name;
  const char* schema;
};

class FillFromSchemaTest : public ::testing::TestWithParam<SchemaCase> {};

TEST_P(FillFromSchemaTest, GeneratesAValidValue) {
  const Value schema = *json::Parse(GetParam().schema);
  const std::string text = FillFromSchema(GetParam().schema, "Plan a trip to Paris, \"soon\"");
  Result<Value> value = json::Parse(text);
  ASSERT_OK(value) << text;
  EXPECT_EQ(Validate(*value, schema, schema), "") << text;
  // Deterministic.
  EXPECT_EQ(FillFromSchema(GetParam().schema, "Plan a trip to Paris, \"soon\""), text);
}

INSTANTIATE_TEST_SUITE_P(
    Schemas, FillFromSchemaTest,
    ::testing::Values(
        SchemaCase{"Flat", R"({"type":"object","properties":{"city":{"type":"string"},
            "n":{"type":"integer"},"x":{"type":"number"},"ok":{"type":"boolean"},
            "nothing":{"type":"null"}},"required":["city","n","x","ok","nothing"],
            "additionalProperties":false})"},
        SchemaCase{"Nested", R"({"type":"object","properties":{"trip":{"type":"object",
            "properties":{"from":{"type":"object","properties":{"city":{"type":"string"}},
            "required":["city"],"additionalProperties":false},"legs":{"type":"array",
            "items":{"type":"object","properties":{"day":{"type":"integer"}},"required":["day"],
            "additionalProperties":false},"minItems":1}},"required":["from","legs"],
            "additionalProperties":false}},"required":["trip"],"additionalProperties":false})"},
        SchemaCase{"EnumsAndConst", R"({"type":"object","properties":{
            "unit":{"type":"string","enum":["c","f"]},"v":{"const":3},
            "level":{"enum":[2,"high",null]}},"required":["unit","v","level"]})"},
        SchemaCase{"Formats", R"({"type":"object","properties":{
            "at":{"type":"string","format":"date-time"},"d":{"type":"string","format":"date"},
            "t":{"type":"string","format":"time"},"p":{"type":"string","format":"duration"},
            "e":{"type":"string","format":"email"},"h":{"type":"string","format":"hostname"},
            "u":{"type":"string","format":"uri"},"v4":{"type":"string","format":"ipv4"},
            "v6":{"type":"string","format":"ipv6"},"id":{"type":"string","format":"uuid"}}})"},
        SchemaCase{"Nullable", R"({"type":"object","properties":{
            "a":{"type":["string","null"]},"b":{"anyOf":[{"type":"null"},{"type":"integer"}]},
            "c":{"type":["null"]}},"required":["a","b","c"],"additionalProperties":false})"},
        SchemaCase{"AnyOfFirstBranch", R"({"anyOf":[{"type":"object","properties":{
            "kind":{"const":"circle"},"r":{"type":"number"}},"required":["kind","r"],
            "additionalProperties":false},{"type":"string"}]})"},
        SchemaCase{"Refs", R"({"type":"object","properties":{"home":{"$ref":"#/$defs/addr"},
            "work":{"$ref":"#/definitions/addr2"}},"required":["home","work"],
            "$defs":{"addr":{"type":"object","properties":{"city":{"type":"string"},
            "zip":{"type":"string"}},"required":["city","zip"],"additionalProperties":false}},
            "definitions":{"addr2":{"$ref":"#/$defs/addr"}}})"},
        SchemaCase{"OptionalOnly", R"({"type":"object","properties":{"a":{"type":"string"},
            "b":{"type":"array","items":{"type":"integer"}}},"additionalProperties":false})"},
        SchemaCase{"EmptyObjectAndArray", R"({"type":"object","properties":{
            "o":{"type":"object"},"l":{"type":"array"},"m":{"type":"array","minItems":1}},
            "required":["o","l","m"]})"},
        SchemaCase{"RootArray", R"({"type":"array","items":{"type":"string","format":"email"},
            "minItems":1})"},
        SchemaCase{"RootString", R"({"type":"string"})"},
        SchemaCase{"RootEnum", R"({"enum":["yes","no"]})"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(FillFromSchemaRulesTest, FillsStringsFromThePromptAndNestedArrays) {
  EXPECT_EQ(FillFromSchema(R"({"type":"object","properties":{"places":{"type":"array",
                "items":{"type":"string"}},"note":{"type":"string"}},"required":["places","note"]})",
                           "Compare Rome and \"Oslo\" please"),
            R"({"places":["Rome"],"note":"Oslo"})");
  EXPECT_EQ(FillFromSchema(R"({"type":"string"})", "no quotes"), R"("example")");
  EXPECT_EQ(FillFromSchema("{not json", "x"), "{}");
}

TEST(FillFromSchemaRulesTest, RecursiveSchemasEndInNullInsteadOfLooping) {
  // Only a non-strict tool can carry one (the wire refuses it for structured output).
  const std::string text = FillFromSchema(
      R"({"$ref":"#/$defs/n","$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}},"required":["next"]}}})",
      "x");
  EXPECT_THAT(text, ::testing::HasSubstr("null"));
  EXPECT_OK(json::Parse(text));
}

TEST(FillToolInputTest, StrictToolInputIsValidInFull) {
  const char* schema = R"({"type":"object","properties":{"location":{"type":"object",
      "properties":{"city":{"type":"string"},"when":{"type":"string","format":"date"}},
      "required":["city","when"],"additionalProperties":false}},"required":["location"],
      "additionalProperties":false})";
  const std::string input = FillToolInput(schema, "Weather in Berlin tomorrow");
  EXPECT_EQ(input, R"({"location":{"city":"Berlin","when":"2025-01-01"}})");
  const Value s = *json::Parse(schema);
  EXPECT_EQ(Validate(*json::Parse(input), s, s), "");
}

// ---- the structured-output answer ----------------------------------------------------

ModelRequest StructuredRequest(std::string text, const char* schema) {
  ModelRequest request;
  request.model_id = "anthropic.claude-haiku-4-5-20251001-v1:0";
  request.messages.push_back({Role::kUser, {ContentBlock{.text = std::move(text)}}});
  request.output_format = OutputFormat{.schema_json = schema};
  return request;
}

std::string AnswerText(const Answer& answer) {
  std::string text;
  for (const PlannedBlock& block : answer.blocks) {
    if (!block.tool_use) text += block.body;
  }
  return text;
}

constexpr char kPerson[] =
    R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false})";

TEST(StructuredAnswerTest, TheTextIsTheGeneratedJson) {
  const Answer answer = ComposeAnswer(StructuredRequest("Describe \"Ada\"", kPerson), 4096);
  ASSERT_OK(answer.error);
  EXPECT_EQ(AnswerText(answer), R"({"name":"Ada","age":1})");
  EXPECT_EQ(answer.stop_reason, StopReason::kEndTurn);
}

TEST(StructuredAnswerTest, SayJsonIsAnsweredAsGivenAndOtherSayTextIsIgnored) {
  EXPECT_EQ(AnswerText(
                ComposeAnswer(StructuredRequest(R"(Say: {"name":"Bob","age":42})", kPerson), 4096)),
            R"({"name":"Bob","age":42})");
  const Answer plain = ComposeAnswer(StructuredRequest("Say: not json", kPerson), 4096);
  EXPECT_EQ(AnswerText(plain), R"({"name":"example","age":1})");
  const Answer filtered =
      ComposeAnswer(StructuredRequest("Say[content_filtered]: nope", kPerson), 4096);
  EXPECT_EQ(filtered.stop_reason, StopReason::kContentFiltered);
}

TEST(StructuredAnswerTest, MaxTokensCutsTheJson) {
  ModelRequest request = StructuredRequest("Describe \"Ada\"", kPerson);
  request.max_tokens = 3;
  const Answer answer = ComposeAnswer(request, 4096);
  EXPECT_EQ(answer.stop_reason, StopReason::kMaxTokens);
  EXPECT_FALSE(json::Parse(AnswerText(answer)).ok());
}

TEST(StructuredAnswerTest, AToolCallTakesPrecedenceWithoutAPreamble) {
  ModelRequest request = StructuredRequest("Use get_weather for Paris", kPerson);
  request.tools.push_back(
      {.name = "get_weather",
       .input_schema_json = R"({"type":"object","properties":{"city":{"type":"string"}}})"});
  const Answer answer = ComposeAnswer(request, 4096);
  ASSERT_EQ(answer.blocks.size(), 1u);
  EXPECT_TRUE(answer.blocks[0].tool_use);
  EXPECT_EQ(answer.blocks[0].body, R"({"city":"Paris"})");
  EXPECT_EQ(answer.stop_reason, StopReason::kToolUse);
}

TEST(StructuredAnswerTest, TheSchemaCountsAsInput) {
  ModelRequest request = StructuredRequest("hello", kPerson);
  const int64_t with = ComposeAnswer(request, 4096).input_tokens;
  request.output_format.reset();
  EXPECT_GT(with, ComposeAnswer(request, 4096).input_tokens);
}

}  // namespace
}  // namespace bp::backends::simulated
