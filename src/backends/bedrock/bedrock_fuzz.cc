// libFuzzer target: untrusted bytes from Amazon Bedrock through the
// ConverseStream translator (whole, and cut where the first byte says), the
// Converse answer decoder and the error mapping. Checks the OutputSink order
// of backend.h (one start before any block, blocks opened in index order one
// at a time, deltas only for the open block, at most one signature per
// reasoning block, exactly one terminal call, nothing after it), that a
// stream decodes the same however it is cut, and that error messages stay
// bounded and valid UTF-8; any violation aborts.
//
// Input: byte 0 -> where the stream is cut, byte 1 -> whether the rest is
// used as is or wrapped into event-stream frames (so the translator's JSON
// handling is reached without the fuzzer having to find CRCs), the rest is
// the body.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "backends/bedrock/converse_answer.h"
#include "backends/bedrock/converse_stream.h"
#include "backends/bedrock/upstream_error.h"
#include "core/utf8.h"
#include "eventstream/eventstream.h"

namespace {

using bp::Status;
using bp::backends::OutputSink;
using bp::backends::StopReason;
using bp::backends::Usage;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool ValidUtf8(std::string_view text) { return bp::ToValidUtf8(text) == text; }

class CheckingSink final : public OutputSink {
 public:
  void OnStart(int64_t input_tokens) override {
    Check(!started_ && !done_ && input_tokens >= 0);
    started_ = true;
    log_ += "S";
  }
  void OnPromptCache(const Usage& usage) override {
    Check(!started_ && !done_ && usage.cache_read_input_tokens >= 0);
    log_ += "C";
  }
  void OnTextStart(int index) override { Open(index, 't'); }
  void OnToolUseStart(int index, std::string_view id, std::string_view name) override {
    Open(index, 'u');
    Check(!id.empty() && !name.empty());
    log_ += id;
    log_ += name;
  }
  void OnReasoningStart(int index) override { Open(index, 'r'); }
  void OnTextDelta(int index, std::string_view text) override { Delta(index, 't', text); }
  void OnToolInputDelta(int index, std::string_view json) override { Delta(index, 'u', json); }
  void OnReasoningDelta(int index, std::string_view text) override {
    Check(!signed_);
    Delta(index, 'r', text);
  }
  void OnReasoningSignature(int index, std::string_view signature) override {
    Check(!done_ && open_ == index && kind_ == 'r' && !signed_ && !signature.empty());
    signed_ = true;
    log_ += "#" + std::string(signature);
  }
  void OnBlockStop(int index) override {
    Check(open_ == index && !done_);
    open_ = -1;
    log_ += "/";
  }
  void OnFinish(StopReason reason, std::string_view stop_sequence, const Usage& usage) override {
    Check(started_ && !done_ && open_ == -1);
    Check(reason == StopReason::kStopSequence || stop_sequence.empty());
    Check(usage.input_tokens >= 0 && usage.output_tokens >= 0 &&
          usage.cache_read_input_tokens >= 0 && usage.cache_write_5m_tokens >= 0 &&
          usage.cache_write_1h_tokens >= 0 &&
          usage.cache_write_input_tokens ==
              usage.cache_write_5m_tokens + usage.cache_write_1h_tokens);
    done_ = true;
    log_ += "F" + std::to_string(static_cast<int>(reason)) + std::string(stop_sequence);
  }
  void OnError(const Status& status) override {
    Check(!done_ && !status.ok() && status.message().size() < 8192);
    Check(ValidUtf8(status.message()) || status.code() != bp::ErrorCode::kValidation);
    done_ = true;
    log_ += "E" + std::to_string(static_cast<int>(status.code()));
  }

  bool done() const { return done_; }
  const std::string& log() const { return log_; }

 private:
  void Open(int index, char kind) {
    Check(started_ && !done_ && open_ == -1 && index == next_);
    open_ = index;
    kind_ = kind;
    signed_ = false;
    ++next_;
    log_ += kind;
  }
  void Delta(int index, char kind, std::string_view text) {
    Check(!done_ && open_ == index && kind_ == kind && !text.empty());
    log_ += text;
    log_ += '|';
  }

  bool started_ = false;
  bool done_ = false;
  bool signed_ = false;
  int open_ = -1;
  int next_ = 0;
  char kind_ = 0;
  std::string log_;
};

const bp::backends::bedrock::AnswerContext kContext{
    .region = "eu-west-1", .stop_sequences = {"END"}, .input_estimate = 5};

std::string RunStream(const std::vector<std::string_view>& pieces) {
  CheckingSink sink;
  {
    bp::backends::bedrock::ConverseStreamTranslator translator(kContext, sink);
    for (std::string_view piece : pieces) translator.Feed(piece);
    translator.Finish();
    Check(translator.done());
  }
  Check(sink.done());
  return sink.log();
}

// Lines "<event-type> <payload>" (or "!<exception-type> <payload>") as frames.
std::string Frames(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const size_t space = line.find(' ');
    std::string_view type = line.substr(0, space);
    const std::string_view payload =
        space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    const bool exception = !type.empty() && type.front() == '!';
    if (exception) type.remove_prefix(1);
    if (type.empty() || type.size() > 255) continue;
    if (exception) {
      bp::eventstream::AppendException(out, type, payload);
    } else {
      bp::eventstream::AppendEvent(out, type, payload);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string_view raw(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::string framed = (data[1] & 1) ? Frames(raw) : std::string(raw);
  const std::string_view body = framed;

  const std::string whole = RunStream({body});
  const size_t stride = 1 + data[0] % 29;
  std::vector<std::string_view> pieces;
  for (size_t pos = 0; pos < body.size(); pos += stride) pieces.push_back(body.substr(pos, stride));
  Check(RunStream(pieces) == whole);

  // The raw bytes as a non-streaming answer.
  auto answer = bp::backends::bedrock::DecodeConverseResponse(raw, kContext);
  if (answer.ok()) {
    CheckingSink sink;
    bp::backends::bedrock::EmitResponse(std::move(*answer), sink);
    Check(sink.done());
  } else {
    Check(answer.status().message().size() < 8192);
  }

  // And as an error body.
  const std::string_view type = raw.substr(0, data[0] % 40);
  const Status error =
      bp::backends::bedrock::UpstreamErrorStatus(400 + data[1] % 200, type, raw, "r");
  Check(!error.ok() && ValidUtf8(error.message()) &&
        error.message().size() < bp::backends::bedrock::kMaxErrorMessageBytes + 512);
  (void)bp::backends::bedrock::IsCredentialError(403, type, raw);
  return 0;
}
