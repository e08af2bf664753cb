#pragma once
// Private to the runtime wire parsers (converse_wire.cc, anthropic_wire.cc):
// the JSON Schema subset that structured output (Converse
// outputConfig.textFormat, Anthropic output_config.format / output_format)
// and strict tools accept, as Bedrock and Anthropic document it. A schema
// outside it is refused before any model runs (a 400 naming the reason and
// the JSON pointer), never answered with output that might not validate.
//
// Supported, per schema node (docs/runtime.md lists it for users):
//   type: "object" | "array" | "string" | "integer" | "number" | "boolean" |
//         "null", or a non-empty list of them (["string", "null"]);
//   enum (non-empty, primitive values), const (primitive), anyOf (alone,
//   with annotations only), $ref to "#/$defs/<name>" or
//   "#/definitions/<name>" (not recursive);
//   object: properties, required (names among properties),
//           additionalProperties absent or false;
//   array: items, minItems 0 or 1;
//   string: format date-time, time, date, duration, email, hostname, uri,
//           ipv4, ipv6, uuid;
//   annotations: title, description, default, examples, $schema, $id,
//           $comment, deprecated, readOnly, writeOnly, $defs, definitions.
// Refused: numeric constraints (minimum, maximum, exclusiveMinimum,
// exclusiveMaximum, multipleOf), string constraints (minLength, maxLength,
// pattern), other array / object constraints (maxItems, uniqueItems,
// contains, prefixItems, patternProperties, minProperties, ...), oneOf,
// allOf, not, if/then/else, boolean schemas, external or recursive $ref,
// nodes with no type (and no enum / const / anyOf / $ref), enum or const
// values of another type than the node's, any other keyword, nesting deeper
// than 32 levels. Across one request's strict schemas (strict tools plus the
// output format): at most 20 strict tools, 24 optional properties and 16
// union-typed nodes (anyOf or a type list).
//
// Pure functions; thread-safe.

#include <optional>
#include <string>

#include "backends/backend.h"
#include "json/json.h"

namespace bp::api::runtime {

// Why `schema` is outside the subset, or nullopt when it is inside, e.g.
//   For 'integer' type, properties maximum, minimum are not supported (at #/properties/age)
//   For 'array' type, property 'maxItems' is not supported (at #/properties/tags)
// With `tool_input` (a strict tool's input schema) the root must be
// {"type": "object", ...} without anyOf.
std::optional<std::string> CheckStructuredSchema(const json::Value& schema, bool tool_input);

// The request-wide limits above over `request`'s strict tools and output
// format (their schemas already passed CheckStructuredSchema), e.g.
//   Schemas contains too many optional parameters (25), which would make
//   grammar compilation inefficient
std::optional<std::string> CheckStructuredLimits(const backends::ModelRequest& request);

}  // namespace bp::api::runtime
