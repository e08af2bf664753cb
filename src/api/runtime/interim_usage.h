#pragma once
// INTERIM (issue 15, item 6): until the runtime service fills in a complete
// metering::UsageRecord per call (the usage-ledger work replaces this file),
// this wraps a call's ResponseStream and reports a minimal record when the
// answer is complete: operation, profile name and model (once admitted),
// serving region (the kServedRegionHeader), HTTP status (0 when the stream
// is dropped unanswered), error type (x-amzn-errortype), latency and time to
// the first streamed byte. Tokens and cost stay 0. Private to bp_api_runtime.

#include <memory>
#include <string>

#include "core/clock.h"
#include "http/message.h"
#include "metering/usage_record.h"
#include "storage/profile_store.h"

namespace bp::api::runtime {

class InterimUsageStream final : public http::ResponseStream {
 public:
  InterimUsageStream(std::shared_ptr<http::ResponseStream> inner, metering::UsageSink& sink,
                     metering::Operation operation, const Clock& clock);
  ~InterimUsageStream() override;

  void SetProfile(const storage::ProfileRecord& profile);

  void Respond(http::Response&& response) override;
  void StartStream(unsigned status, http::Headers&& headers) override;
  void Write(std::string&& chunk) override { inner_->Write(std::move(chunk)); }
  void Finish() override;
  bool Closed() const override { return inner_->Closed(); }
  size_t BufferedBytes() const override { return inner_->BufferedBytes(); }
  EventLoop& loop() override { return inner_->loop(); }

 private:
  void Headers(unsigned status, const http::Headers& headers);
  void Emit();

  const std::shared_ptr<http::ResponseStream> inner_;
  metering::UsageSink& sink_;
  const Clock& clock_;
  const std::chrono::steady_clock::time_point start_;
  metering::UsageRecord record_;
  bool emitted_ = false;
};

}  // namespace bp::api::runtime
