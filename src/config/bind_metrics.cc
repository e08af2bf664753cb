// Binding of `metrics = { bearer_token = "..." | bearer_token_env = "VAR" }`:
// the token a scraper may send to GET /metrics (api/metrics_route.h). The
// token is a secret: it is never copied into a diagnostic.

#include <algorithm>

#include "config/binder.h"

namespace bp::config {

namespace {

constexpr std::string_view kMetricsKeys[] = {"bearer_token", "bearer_token_env"};
constexpr size_t kMinTokenBytes = 16;

bool IsTokenChar(char c) { return c > ' ' && c < 0x7f; }

}  // namespace

MetricsConfig BindMetrics(const ast::Entry& entry, const BindContext& context,
                          DiagnosticSink& sink) {
  MetricsConfig out;
  if (!ExpectKind(entry.value, ast::Kind::kObject, "metrics", sink)) return out;
  CheckKeys(entry.value.entries, kMetricsKeys, "metrics", sink);
  std::optional<std::string> token =
      BindSecret(entry, "metrics", "bearer_token", /*required=*/false, context, sink);
  if (!token) return out;
  if (token->size() < kMinTokenBytes || !std::all_of(token->begin(), token->end(), IsTokenChar)) {
    sink.Error(entry.key_location, "metrics: the bearer token must be at least " +
                                       std::to_string(kMinTokenBytes) +
                                       " printable ASCII characters without spaces");
    return out;
  }
  out.bearer_token = std::move(*token);
  return out;
}

}  // namespace bp::config
