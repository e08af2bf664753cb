#include "api/client/usage_client.h"

#include "api/client/service_error.h"
#include "core/clock.h"
#include "core/uri.h"

namespace bp::api::client {

std::string UsageReportQuery(const UsageReportRequest& request) {
  std::string query;
  auto add = [&query](std::string_view name, std::string_view value) {
    if (!query.empty()) query += '&';
    query += name;
    query += '=';
    query += UriEncode(value);
  };
  for (const std::string& by : request.by) add("by", by);
  add("from", FormatRfc3339(FromUnixMillis(request.from_ms)));
  add("to", FormatRfc3339(FromUnixMillis(request.to_ms)));
  return query;
}

Result<std::string> FetchUsageReport(const BedrockClient& client,
                                     const UsageReportRequest& request) {
  BP_ASSIGN_OR_RETURN(
      http::Response response,
      client.Send(
          {.method = "GET", .path = "/usage", .query = UsageReportQuery(request), .body = {}}));
  if (response.status < 200 || response.status >= 300) return ServiceErrorStatus(response);
  return std::move(response.body);
}

}  // namespace bp::api::client
