#pragma once
// Per-call options that are not part of the prompt: the service tier and the
// caller's request metadata, from a Converse body's members or from
// InvokeModel's headers (bedrock-api.md §3.1, §3.3). Private to
// bp_api_runtime. Pure functions; thread-safe.
//
// Request metadata, as Bedrock validates it: 1 to 16 pairs; keys 1-256 and
// values 0-256 characters of [a-zA-Z0-9 whitespace : _ @ $ # = / + , - .].
// Errors are kValidation in Coral wording at `requestMetadata`.

#include "api/runtime/wire_util.h"
#include "backends/backend.h"
#include "http/message.h"

namespace bp::api::runtime {

// Converse `serviceTier` {type: priority|default|flex|reserved} at `p`.
Status ParseServiceTier(const json::Value& v, const WirePath& p, backends::ModelRequest& req);

// Converse `requestMetadata` (a map of strings) at `p`.
Status ParseRequestMetadata(const json::Value& v, const WirePath& p,
                            backends::RequestMetadata& out);

// InvokeModel / InvokeModelWithResponseStream: X-Amzn-Bedrock-Service-Tier
// (one of the four names) and X-Amzn-Bedrock-Request-Metadata (a JSON
// object, at most 8500 characters, validated as above) into `req`.
Status ParseInvokeHeaders(const http::Headers& headers, backends::ModelRequest& req);

}  // namespace bp::api::runtime
