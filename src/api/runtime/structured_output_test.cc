// Structured output and strict tools on the wire: the supported JSON Schema
// subset (CheckStructuredSchema), the request-wide limits, and how the
// Converse and Anthropic parsers carry outputConfig / output_config /
// output_format / strict into the ModelRequest, with their exact errors.
#include "api/runtime/structured_output.h"

#include <string>

#include <gtest/gtest.h>

#include "api/runtime/anthropic_wire.h"
#include "api/runtime/converse_wire.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::api::runtime {
namespace {

using backends::ModelRequest;
using ::bp::testing::StatusIs;

std::optional<std::string> Check(const char* schema, bool tool_input = false) {
  Result<json::Value> doc = json::Parse(schema);
  EXPECT_OK(doc) << schema;
  return CheckStructuredSchema(*doc, tool_input);
}

// ---- the subset ---------------------------------------------------------------------

TEST(CheckStructuredSchemaTest, AcceptsTheSupportedSubset) {
  for (const char* schema : {
           R"({"type":"object","properties":{"a":{"type":"string","format":"date-time"},
               "b":{"type":["integer","null"]},"c":{"enum":["x",1,true,null]},"d":{"const":"k"},
               "e":{"anyOf":[{"type":"string"},{"type":"null"}],"description":"either"},
               "f":{"type":"array","items":{"$ref":"#/$defs/item"},"minItems":1},
               "g":{"$ref":"#/definitions/other"}},"required":["a","b"],
               "additionalProperties":false,"title":"T","$schema":"https://json-schema.org/draft/2020-12/schema",
               "$defs":{"item":{"type":"object","properties":{"n":{"type":"number","default":1}}}},
               "definitions":{"other":{"type":"boolean","examples":[true]}}})",
           R"({"type":"array","items":{"type":"string"}})",
           R"({"type":"string","enum":["a","b"]})",
           R"({"anyOf":[{"type":"object"},{"type":"null"}]})",
           R"({"type":"object"})",
       }) {
    EXPECT_EQ(Check(schema), std::nullopt) << schema;
  }
}

struct Refusal {
  const char* name;
  const char* schema;
  const char* reason;
};

class RefusedSchemaTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(RefusedSchemaTest, NamesTheReasonAndThePointer) {
  EXPECT_EQ(Check(GetParam().schema), std::string(GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    Subset, RefusedSchemaTest,
    ::testing::Values(
        Refusal{
            "NumericBounds",
            R"({"type":"object","properties":{"age":{"type":"integer","minimum":0,"maximum":150}}})",
            "For 'integer' type, properties maximum, minimum are not supported (at "
            "#/properties/age)"},
        Refusal{"MaxItems", R"({"type":"array","items":{"type":"string"},"maxItems":3})",
                "For 'array' type, property 'maxItems' is not supported (at #)"},
        Refusal{"StringLength", R"({"type":"string","minLength":1})",
                "For 'string' type, property 'minLength' is not supported (at #)"},
        Refusal{"Pattern", R"({"type":["string","null"],"pattern":"^a$"})",
                "For 'string' type, property 'pattern' is not supported (at #)"},
        Refusal{"UntypedBound", R"({"anyOf":[{"multipleOf":2}]})",
                "For 'number' type, property 'multipleOf' is not supported (at #/anyOf/0)"},
        Refusal{"MinItemsTwo", R"({"type":"array","minItems":2})",
                "For 'array' type, minItems values other than 0 or 1 are not supported (at "
                "#/minItems)"},
        Refusal{
            "AdditionalTrue",
            R"({"type":"object","properties":{"o":{"type":"object","additionalProperties":true}}})",
            "For 'object' type, additionalProperties must be false or absent (at "
            "#/properties/o/additionalProperties)"},
        Refusal{"AdditionalSchema", R"({"type":"object","additionalProperties":{"type":"string"}})",
                "For 'object' type, additionalProperties must be false or absent (at "
                "#/additionalProperties)"},
        Refusal{"UnknownFormat", R"({"type":"string","format":"credit-card"})",
                "For 'string' type, format \"credit-card\" is not supported (supported: "
                "date-time, time, date, duration, email, hostname, uri, ipv4, ipv6, uuid) (at "
                "#/format)"},
        Refusal{"OneOf", R"({"oneOf":[{"type":"string"}]})",
                "oneOf is not supported; use anyOf (at #)"},
        Refusal{"AllOf", R"({"allOf":[{"type":"string"}]})", "allOf is not supported (at #)"},
        Refusal{"UnknownKeyword", R"({"type":"string","x-widget":"big"})",
                "Keyword 'x-widget' is not supported (at #)"},
        Refusal{"NoType", R"({"type":"object","properties":{"any":{}}})",
                "A schema must have a type unless it uses anyOf, enum, const or $ref (at "
                "#/properties/any)"},
        Refusal{"BadType", R"({"type":"date"})",
                "type must be one of object, array, string, integer, number, boolean, null (or a "
                "list of them), not \"date\" (at #/type)"},
        Refusal{"BooleanSchema", R"({"type":"object","properties":{"a":true}})",
                "A schema must be a JSON object (boolean schemas are not supported) (at "
                "#/properties/a)"},
        Refusal{"ComplexEnum", R"({"enum":[{"a":1}]})",
                "enum values must be strings, numbers, booleans or null (complex types are not "
                "supported) (at #/enum/0)"},
        Refusal{"EnumOfAnotherType", R"({"type":"string","enum":["a",2]})",
                "enum value 2 does not match the schema's type (at #/enum/1)"},
        Refusal{"EmptyEnum", R"({"enum":[]})", "enum must be a non-empty array (at #)"},
        Refusal{"UndefinedRequired",
                R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a","b"]})",
                "required property 'b' is not defined in properties (at #/required/1)"},
        Refusal{"ExternalRef", R"({"$ref":"https://example.com/s.json"})",
                "$ref 'https://example.com/s.json' is not supported: only local references to "
                "#/$defs/<name> or #/definitions/<name> are (at #/$ref)"},
        Refusal{"DanglingRef", R"({"$ref":"#/$defs/nope"})",
                "$ref '#/$defs/nope' does not resolve (at #/$ref)"},
        Refusal{"Recursive",
                R"({"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{
                    "children":{"type":"array","items":{"$ref":"#/$defs/node"}}}}}})",
                "Recursive schemas are not supported ($ref '#/$defs/node' refers back to "
                "itself) (at #/$defs/node/properties/children/items/$ref)"},
        Refusal{"RefWithSiblings",
                R"({"$ref":"#/$defs/a","type":"string","$defs":{"a":{"type":"string"}}})",
                "$ref cannot be combined with 'type' (at #)"},
        Refusal{"AnyOfWithType", R"({"type":"string","anyOf":[{"type":"string"}]})",
                "anyOf cannot be combined with 'type' (at #)"},
        Refusal{"ConstAndEnum", R"({"const":"a","enum":["a"]})",
                "const and enum cannot be combined (at #)"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CheckStructuredSchemaTest, EscapesPointerTokens) {
  EXPECT_EQ(Check(R"({"type":"object","properties":{"a/b~c":{"type":"integer","maximum":1}}})"),
            "For 'integer' type, property 'maximum' is not supported (at #/properties/a~1b~0c)");
}

TEST(CheckStructuredSchemaTest, RefusesDeepNesting) {
  std::string schema = R"({"type":"string"})";
  for (int i = 0; i < 40; ++i) schema = R"({"type":"array","items":)" + schema + "}";
  std::optional<std::string> reason = Check(schema.c_str());
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->substr(0, 54), "Schemas nested deeper than 32 levels are not supported");
}

TEST(CheckStructuredSchemaTest, ToolInputMustBeAnObjectAtTheRoot) {
  EXPECT_EQ(Check(R"({"type":"object","properties":{}})", true), std::nullopt);
  EXPECT_EQ(Check(R"({"type":"string"})", true), "input_schema must have type 'object' (at #)");
  EXPECT_EQ(Check(R"({"anyOf":[{"type":"object"}]})", true),
            "input_schema does not support oneOf, allOf, or anyOf at the top level (at #)");
}

// ---- Converse ---------------------------------------------------------------------------

std::string ConverseWith(const std::string& members) {
  return R"({"messages":[{"role":"user","content":[{"text":"Hello"}]}],)" + members + "}";
}

std::string OutputConfig(const std::string& schema_text) {
  return R"("outputConfig":{"textFormat":{"type":"json_schema","structure":{"jsonSchema":{"schema":)" +
         json::Serialize(json::Value(schema_text)) +
         R"(,"name":"person","description":"A person"}}}})";
}

TEST(ConverseStructuredOutputTest, OutputConfigBecomesTheOutputFormat) {
  Result<ModelRequest> req = ParseConverseRequest(ConverseWith(OutputConfig(
      R"({ "type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"] })")));
  ASSERT_OK(req);
  ASSERT_TRUE(req->output_format.has_value());
  EXPECT_EQ(req->output_format->schema_json,
            R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"]})");
  EXPECT_EQ(req->output_format->name, "person");
  EXPECT_EQ(req->output_format->description, "A person");
  Result<ModelRequest> plain = ParseConverseRequest(ConverseWith(R"("outputConfig":{})"));
  ASSERT_OK(plain);
  EXPECT_FALSE(plain->output_format.has_value());
}

TEST(ConverseStructuredOutputTest, StrictToolsAreFlaggedAndTheirSchemasChecked) {
  Result<ModelRequest> req = ParseConverseRequest(ConverseWith(
      R"("toolConfig":{"tools":[{"toolSpec":{"name":"a","strict":true,"inputSchema":{"json":{"type":"object"}}}},
          {"toolSpec":{"name":"b","strict":false,"inputSchema":{"json":{"type":"object","properties":{"n":{"type":"integer","minimum":1}}}}}}]})"));
  ASSERT_OK(req);
  EXPECT_TRUE(req->tools[0].strict);
  EXPECT_FALSE(req->tools[1].strict);  // not strict: any schema goes
}

struct ConverseError {
  const char* name;
  std::string members;
  std::string message;
};

class ConverseStructuredErrorTest : public ::testing::TestWithParam<ConverseError> {};

TEST_P(ConverseStructuredErrorTest, IsAValidationErrorWithBedrockWording) {
  Result<ModelRequest> req = ParseConverseRequest(ConverseWith(GetParam().members));
  EXPECT_THAT(req, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(req.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Wire, ConverseStructuredErrorTest,
    ::testing::Values(
        ConverseError{"UnknownMember", R"("outputConfig":{"format":{}})",
                      "The request body contains the unknown member 'outputConfig.format'. Remove "
                      "it and try again."},
        ConverseError{
            "BadType",
            R"("outputConfig":{"textFormat":{"type":"json","structure":{"jsonSchema":{"schema":"{}"}}}})",
            "1 validation error detected: Value 'json' at 'outputConfig.textFormat.type' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            "[json_schema]"},
        ConverseError{"NoStructure", R"("outputConfig":{"textFormat":{"type":"json_schema"}})",
                      "1 validation error detected: Value null at "
                      "'outputConfig.textFormat.structure' failed to satisfy constraint: Member "
                      "must not be null"},
        ConverseError{
            "SchemaNotAString",
            R"("outputConfig":{"textFormat":{"type":"json_schema","structure":{"jsonSchema":{"schema":{"type":"object"}}}}})",
            "1 validation error detected: Value at "
            "'outputConfig.textFormat.structure.jsonSchema.schema' failed to satisfy "
            "constraint: Member must be a string, not an object"},
        ConverseError{
            "UnsupportedSchema",
            OutputConfig(R"({"type":"object","properties":{"n":{"type":"number","maximum":3}}})"),
            "outputConfig.textFormat.structure.jsonSchema.schema: For 'number' type, "
            "property 'maximum' is not supported (at #/properties/n)"},
        ConverseError{
            "StrictNotBoolean",
            R"("toolConfig":{"tools":[{"toolSpec":{"name":"a","strict":"yes","inputSchema":{"json":{"type":"object"}}}}]})",
            "1 validation error detected: Value at "
            "'toolConfig.tools.0.member.toolSpec.strict' failed to satisfy constraint: "
            "Member must be a boolean, not a string"},
        ConverseError{
            "StrictUnsupportedSchema",
            R"("toolConfig":{"tools":[{"toolSpec":{"name":"a","strict":true,"inputSchema":{"json":{"type":"object","properties":{"s":{"type":"string","maxLength":9}}}}}}]})",
            "toolConfig.tools.0.toolSpec.inputSchema.json: For 'string' type, property "
            "'maxLength' is not supported (at #/properties/s)"},
        ConverseError{
            "AnthropicFieldUnsupported",
            R"("additionalModelRequestFields":{"output_config":{"format":{"type":"json_schema","schema":{"type":"array","uniqueItems":true}}}})",
            "output_config.format.schema: For 'array' type, property 'uniqueItems' is not "
            "supported (at #)"},
        ConverseError{
            "BothFormats",
            OutputConfig(R"({"type":"string"})") +
                R"(,"additionalModelRequestFields":{"output_config":{"format":{"type":"json_schema","schema":{"type":"string"}}}})",
            "outputConfig.textFormat and additionalModelRequestFields.output_config."
            "format cannot both be set. Use one of them and try again."}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ConverseStructuredOutputTest, SchemaTextThatIsNotJsonNamesTheMember) {
  Result<ModelRequest> req = ParseConverseRequest(ConverseWith(OutputConfig("{type: object}")));
  EXPECT_THAT(req, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(req.status().message().rfind(
                "1 validation error detected: Value at "
                "'outputConfig.textFormat.structure.jsonSchema.schema' failed to satisfy "
                "constraint: Member must be a JSON schema in JSON text (",
                0),
            0u)
      << req.status().message();
}

TEST(ConverseStructuredOutputTest, TheAnthropicFieldInAdditionalFieldsIsHonoured) {
  Result<ModelRequest> req = ParseConverseRequest(ConverseWith(
      R"("additionalModelRequestFields":{"output_config":{"format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"string"}}}},"effort":"low"}})"));
  ASSERT_OK(req);
  ASSERT_TRUE(req->output_format.has_value());
  EXPECT_EQ(req->output_format->schema_json,
            R"({"type":"object","properties":{"a":{"type":"string"}}})");
}

TEST(ConverseStructuredOutputTest, LimitsApplyAcrossTheRequest) {
  std::string tools;
  for (int i = 0; i < 21; ++i) {
    if (i > 0) tools += ",";
    tools += R"({"toolSpec":{"name":"t)" + std::to_string(i) +
             R"(","strict":true,"inputSchema":{"json":{"type":"object"}}}})";
  }
  Result<ModelRequest> many =
      ParseConverseRequest(ConverseWith(R"("toolConfig":{"tools":[)" + tools + "]}"));
  EXPECT_EQ(many.status().message(), "Too many strict tools (21); at most 20 are supported");

  std::string props;
  for (int i = 0; i < 13; ++i) {
    if (i > 0) props += ",";
    props += "\"p" + std::to_string(i) + R"(":{"type":"string"})";
  }
  const std::string schema = R"({"type":"object","properties":{)" + props + "}}";
  // 13 optional properties in the output format plus 13 in a strict tool: 26 > 24.
  Result<ModelRequest> optional = ParseConverseRequest(ConverseWith(
      OutputConfig(schema) +
      R"(,"toolConfig":{"tools":[{"toolSpec":{"name":"t","strict":true,"inputSchema":{"json":)" +
      schema + "}}}]}"));
  EXPECT_EQ(optional.status().message(),
            "Schemas contains too many optional parameters (26), which would make grammar "
            "compilation inefficient");
  EXPECT_OK(ParseConverseRequest(ConverseWith(OutputConfig(schema))));
}

// ---- Anthropic body -----------------------------------------------------------------------

std::string AnthropicWith(const std::string& members) {
  return R"({"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":"Hi"}],)" +
         members + "}";
}

TEST(AnthropicStructuredOutputTest, OutputConfigFormatAndOutputFormatAreAccepted) {
  for (
      const char* member :
      {R"("output_config":{"format":{"type":"json_schema","schema":{"type":"object"}},"effort":"high"})",
       R"("output_format":{"type":"json_schema","schema":{"type":"object"}})"}) {
    Result<ModelRequest> req = ParseAnthropicRequest(AnthropicWith(member));
    ASSERT_OK(req) << member;
    ASSERT_TRUE(req->output_format.has_value());
    EXPECT_EQ(req->output_format->schema_json, R"({"type":"object"})");
  }
  Result<ModelRequest> tools = ParseAnthropicRequest(
      AnthropicWith(R"("tools":[{"name":"a","input_schema":{"type":"object"},"strict":true}])"));
  ASSERT_OK(tools);
  EXPECT_TRUE(tools->tools[0].strict);
}

struct AnthropicError {
  const char* name;
  const char* members;
  const char* message;
};

class AnthropicStructuredErrorTest : public ::testing::TestWithParam<AnthropicError> {};

TEST_P(AnthropicStructuredErrorTest, IsAValidationError) {
  Result<ModelRequest> req = ParseAnthropicRequest(AnthropicWith(GetParam().members));
  EXPECT_THAT(req, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(req.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Wire, AnthropicStructuredErrorTest,
    ::testing::Values(
        AnthropicError{"UnknownKey", R"("output_config":{"formats":{}})",
                       "Malformed input request: #/output_config: extraneous key [formats] is not "
                       "permitted, please reformat your input and try again."},
        AnthropicError{"BadType", R"("output_config":{"format":{"type":"json","schema":{}}})",
                       "Malformed input request: #/output_config/format/type: json is not a valid "
                       "enum value, please reformat your input and try again."},
        AnthropicError{"NoSchema", R"("output_config":{"format":{"type":"json_schema"}})",
                       "Malformed input request: #/output_config/format: required key [schema] not "
                       "found, please reformat your input and try again."},
        AnthropicError{"SchemaNotObject", R"("output_format":{"type":"json_schema","schema":"{}"})",
                       "Malformed input request: #/output_format/schema: expected type: "
                       "JSONObject, found: String, please reformat your input and try again."},
        AnthropicError{"BadEffort", R"("output_config":{"effort":"extreme"})",
                       "Malformed input request: #/output_config/effort: extreme is not a valid "
                       "enum value, please reformat your input and try again."},
        AnthropicError{
            "Unsupported",
            R"("output_config":{"format":{"type":"json_schema","schema":{"type":"integer","minimum":1,"maximum":5}}})",
            "output_config.format.schema: For 'integer' type, properties maximum, "
            "minimum are not supported (at #)"},
        AnthropicError{
            "Both",
            R"("output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}},"output_format":{"type":"json_schema","schema":{"type":"object"}})",
            "output_format: output_format and output_config.format cannot both be set; "
            "use output_config.format"},
        AnthropicError{"StrictNotBoolean",
                       R"("tools":[{"name":"a","input_schema":{"type":"object"},"strict":1}])",
                       "Malformed input request: #/tools/0/strict: expected type: Boolean, found: "
                       "Integer, please reformat your input and try again."},
        AnthropicError{
            "StrictUnsupported",
            R"("tools":[{"name":"a","input_schema":{"type":"object","properties":{"x":{"type":"string","format":"phone"}}},"strict":true}])",
            "tools.0.input_schema: For 'string' type, format \"phone\" is not supported "
            "(supported: date-time, time, date, duration, email, hostname, uri, ipv4, "
            "ipv6, uuid) (at #/properties/x/format)"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace bp::api::runtime
