#include "api/client/bedrock_client.h"

#include <utility>

#include "api/client/endpoint.h"
#include "api/client/service_error.h"
#include "auth/sigv4/endpoint_region.h"
#include "auth/sigv4/signer.h"

namespace bp::api::client {
namespace {

http::ClientOptions WithAwsRetries(http::ClientOptions options) {
  if (!options.retry.classify) options.retry.classify = ClassifyServiceError;
  return options;
}

bool IsSuccess(unsigned status) { return status >= 200 && status < 300; }

}  // namespace

BedrockClient::BedrockClient(http::Endpoint endpoint, auth::credentials::Credentials credentials,
                             BedrockClientOptions options, const Clock& clock)
    : http_(std::move(endpoint), WithAwsRetries(std::move(options.http))),
      credentials_(std::move(credentials)),
      region_(auth::sigv4::EndpointRegion(http_.endpoint().host, options.region)),
      clock_(clock) {}

Result<http::Request> BedrockClient::Prepare(const Call& call) const {
  http::Request request{.method = call.method,
                        .target = call.path + (call.query.empty() ? "" : "?" + call.query),
                        .headers = {{"host", endpoint().Authority()}},
                        .body = call.body};
  if (!call.body.empty()) request.headers.push_back({"content-type", "application/json"});
  if (credentials_.bearer_token) {
    request.headers.push_back({"authorization", "Bearer " + *credentials_.bearer_token});
    return request;
  }
  const std::string wire_path = endpoint().base_path + call.path;
  auth::sigv4::Credentials keys{.access_key_id = credentials_.access_key_id,
                                .secret_access_key = credentials_.secret_access_key,
                                .session_token = credentials_.session_token};
  auth::sigv4::SigningRequest what{.method = request.method,
                                   .path = wire_path,
                                   .query = call.query,
                                   .headers = request.headers,
                                   .body = request.body,
                                   .payload_hash = std::nullopt};
  auth::sigv4::SigningOptions how{.region = region_,
                                  .service = std::string(kSigningService),
                                  .time = clock_.Now(),
                                  .add_content_sha256_header = true};
  BP_ASSIGN_OR_RETURN(auth::sigv4::SigningResult signed_request,
                      auth::sigv4::SignWithHeaders(keys, what, how));
  for (http::Header& h : signed_request.headers_to_add) request.headers.push_back(std::move(h));
  return request;
}

Result<http::Response> BedrockClient::Send(const Call& call) const {
  BP_ASSIGN_OR_RETURN(http::Request request, Prepare(call));
  return http_.Send(request, call.idempotency);
}

Result<json::Value> BedrockClient::SendJson(const Call& call) const {
  BP_ASSIGN_OR_RETURN(http::Response response, Send(call));
  if (!IsSuccess(response.status)) return ServiceErrorStatus(response);
  if (response.body.empty()) return json::Value(json::Object());
  auto parsed = json::Parse(response.body);
  if (!parsed.ok()) {
    return Status(ErrorCode::kServiceUnavailable, "the answer from " + Describe() + " to " +
                                                      call.method + " " + call.path +
                                                      " is not JSON: " + parsed.status().message());
  }
  return parsed;
}

Result<http::Response> BedrockClient::Stream(const Call& call,
                                             const http::ResponseCallbacks& callbacks) const {
  BP_ASSIGN_OR_RETURN(http::Request request, Prepare(call));
  http::Response failed;  // a non-2xx answer, collected instead of delivered
  bool is_error = false;
  http::ResponseCallbacks filtered{
      .on_head = [&](const http::Response& head) -> Status {
        is_error = !IsSuccess(head.status);
        if (is_error) {
          failed = head;
          return Status::Ok();
        }
        return callbacks.on_head ? callbacks.on_head(head) : Status::Ok();
      },
      .on_body = [&](std::string_view piece) -> Status {
        if (is_error) {
          if (failed.body.size() < 64 * 1024) failed.body.append(piece);
          return Status::Ok();
        }
        return callbacks.on_body ? callbacks.on_body(piece) : Status::Ok();
      }};
  BP_ASSIGN_OR_RETURN(http::Response head, http_.Send(request, filtered, call.idempotency));
  if (is_error) return ServiceErrorStatus(failed);
  return head;
}

}  // namespace bp::api::client
