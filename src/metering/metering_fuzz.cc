// Fuzz target for what metering decodes from outside the process:
// - a usage report as JSON (ParseUsageReportJson: the answer of a remote
//   endpoint's GET /usage, read by `usage --endpoint`);
// - a roll-up's latency histogram (LatencyHistogram::Decode: bytes from the
//   ledger file, which may be damaged);
// - --by dimensions and --since durations (ParseDimension, ParseDurationMs).
// Checks on every input: no crash, hang or leak; refusals are kValidation;
// what parses renders in every format, and renders again to the same JSON
// once parsed back; a decoded histogram encodes to bytes that decode to it.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "metering/usage_report.h"
#include "metering/usage_rollup.h"

namespace {

using namespace bp::metering;

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckReport(std::string_view text) {
  bp::Result<UsageReport> report = ParseUsageReportJson(text);
  if (!report.ok()) {
    Require(report.status().code() == bp::ErrorCode::kValidation);
    return;
  }
  const std::string json = RenderJson(*report);
  (void)RenderTable(*report);
  (void)RenderCsv(*report);
  bp::Result<UsageReport> again = ParseUsageReportJson(json);
  Require(again.ok());
  Require(RenderJson(*again) == json);
}

void CheckHistogram(std::string_view bytes) {
  std::optional<LatencyHistogram> h = LatencyHistogram::Decode(bytes);
  if (!h) return;
  const std::string encoded = h->Encode();
  std::optional<LatencyHistogram> again = LatencyHistogram::Decode(encoded);
  Require(again.has_value() && *again == *h);
  (void)h->Percentile(50);
  (void)h->Percentile(99);
}

void CheckWords(std::string_view text) {
  bp::Result<Dimension> d = ParseDimension(text);
  if (d.ok()) {
    bp::Result<Dimension> again = ParseDimension(d->Name());
    Require(again.ok() && again->Name() == d->Name());
  } else {
    Require(d.status().code() == bp::ErrorCode::kValidation);
  }
  bp::Result<int64_t> ms = ParseDurationMs(text);
  Require(ms.ok() ? *ms >= 0 : ms.status().code() == bp::ErrorCode::kValidation);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckReport(bytes);
  CheckHistogram(bytes);
  if (size <= 256) CheckWords(bytes);
  return 0;
}
