#pragma once
// One signed client for Bedrock's two planes, shared by the CLI's commands
// (invoke, plan, apply, output) and the HTTP control plane
// (http_control_plane.h): requests signed with SigV4 (service
// "bedrock", the configured region or the region of a Bedrock host name) or
// sent with a Bedrock API key
// (Authorization: Bearer), JSON in and out, streamed answers through
// callbacks, and error answers turned into Status values that print as
// "ValidationException: <message>" (service_error.h). Retries, TLS and
// timeouts are http::Client's (client.h), with AWS error types classified by
// ClassifyServiceError. Public header of bp_api_client.
//
// Thread-safety: immutable after construction; calls may run concurrently
// (the Clock must be thread-safe, as every Clock is).

#include <string>

#include "auth/credentials/credentials.h"
#include "core/clock.h"
#include "core/status.h"
#include "http/client.h"
#include "http/message.h"
#include "json/json.h"

namespace bp::api::client {

struct BedrockClientOptions {
  // The SigV4 signing region ("eu-central-1"); also with a custom endpoint,
  // except one whose host names AWS's Bedrock endpoint of a region
  // ("bedrock-runtime.eu-west-1.amazonaws.com"): that one accepts only its
  // own region, so the client signs for it.
  std::string region;
  // Timeouts, CA bundle, retries. An empty retry.classify becomes
  // ClassifyServiceError.
  http::ClientOptions http;
};

// One request. Path and query in wire form (percent-encoded; path labels
// such as an ARN encoded with UriEncode, so ':' is %3A and '/' is %2F).
struct Call {
  std::string method;  // "GET", "POST", "DELETE"
  std::string path;    // "/inference-profiles/arn%3Aaws%3A...%2Fabc"
  std::string query;   // "type=APPLICATION&maxResults=100", without '?'; may be empty
  std::string body;    // JSON text; empty: none (and no content-type)
  http::Idempotency idempotency = http::Idempotency::kByMethod;
};

class BedrockClient final {
 public:
  // `clock` dates the signatures and must outlive the client.
  // `credentials` either carry a bearer token (sent as is) or both keys.
  BedrockClient(http::Endpoint endpoint, auth::credentials::Credentials credentials,
                BedrockClientOptions options, const Clock& clock);
  BedrockClient(const BedrockClient&) = delete;
  BedrockClient& operator=(const BedrockClient&) = delete;

  const http::Endpoint& endpoint() const { return http_.endpoint(); }
  // "https://bedrock.eu-central-1.amazonaws.com", for messages.
  std::string Describe() const { return http_.endpoint().ToString(); }
  // The region the requests are signed for (see BedrockClientOptions::region).
  const std::string& signing_region() const { return region_; }

  // Sends the call and returns the answer whatever its status (body
  // collected). Headers sent: host, content-type: application/json (with a
  // body), x-amz-date, x-amz-content-sha256, x-amz-security-token (session
  // credentials) and authorization, all signed except authorization; or
  // only authorization: Bearer. Errors: transport and setup failures of
  // http::Client, kValidation when the call cannot be signed.
  Result<http::Response> Send(const Call& call) const;

  // Send() for a JSON operation: a 2xx answer's body parsed (an empty body is
  // an empty object); any other answer becomes ServiceErrorStatus(). A 2xx
  // body that is not JSON: kServiceUnavailable naming the endpoint.
  Result<json::Value> SendJson(const Call& call) const;

  // A streamed call (ConverseStream): a 2xx answer goes to `callbacks` as it
  // arrives and its head is returned; any other answer is collected and
  // returned as ServiceErrorStatus() without reaching the callbacks.
  Result<http::Response> Stream(const Call& call, const http::ResponseCallbacks& callbacks) const;

 private:
  Result<http::Request> Prepare(const Call& call) const;

  const http::Client http_;
  const auth::credentials::Credentials credentials_;
  const std::string region_;
  const Clock& clock_;
};

}  // namespace bp::api::client
