// libFuzzer target: untrusted bytes from an OpenAI-compatible server through
// the stream translator (whole, and cut where the first byte says), the
// non-streaming decoder and the error mapping. Checks the OutputSink order of
// backend.h (one start before any block, blocks opened in index order one at
// a time, deltas only for the open block, exactly one terminal call, nothing
// after it), that tool input is always a JSON object, that a stream decodes
// the same however it is cut, and that error messages stay bounded; any
// violation aborts.
//
// Input: byte 0 -> where the stream is cut (and into how many pieces), the
// rest is the body.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "backends/openai/chat_answer.h"
#include "backends/openai/chat_stream.h"
#include "backends/openai/upstream_error.h"
#include "core/utf8.h"
#include "json/json.h"

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
  void OnTextStart(int index) override { Open(index, 't'); }
  void OnToolUseStart(int index, std::string_view id, std::string_view name) override {
    Open(index, 'u');
    Check(!id.empty() && id.size() <= 64 && !name.empty());
    for (char c : id) {
      Check((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '-');
    }
    log_ += id;
    log_ += name;
  }
  void OnReasoningStart(int index) override { Open(index, 'r'); }
  void OnTextDelta(int index, std::string_view text) override { Delta(index, 't', text); }
  void OnToolInputDelta(int index, std::string_view json) override {
    Delta(index, 'u', json);
    auto parsed = bp::json::Parse(json);
    Check(parsed.ok() && parsed->is_object());
  }
  void OnReasoningDelta(int index, std::string_view text) override { Delta(index, 'r', text); }
  void OnReasoningSignature(int, std::string_view) override { std::abort(); }  // never sent
  void OnBlockStop(int index) override {
    Check(open_ == index && !done_);
    open_ = -1;
    log_ += "/";
  }
  void OnFinish(StopReason reason, std::string_view stop_sequence, const Usage& usage) override {
    Check(started_ && !done_ && open_ == -1);
    Check((reason == StopReason::kStopSequence) == !stop_sequence.empty());
    Check(usage.input_tokens >= 0 && usage.output_tokens >= 0 &&
          usage.cache_read_input_tokens >= 0);
    done_ = true;
    log_ += "F" + std::to_string(static_cast<int>(reason)) + std::string(stop_sequence);
  }
  void OnError(const Status& status) override {
    Check(!done_ && !status.ok() && status.message().size() < 8192);
    Check(ValidUtf8(status.message()));
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
  int open_ = -1;
  int next_ = 0;
  char kind_ = 0;
  std::string log_;
};

const bp::backends::openai::AnswerContext kContext{
    .region = "eu-west-1", .stop_sequences = {"END", "\n\n"}, .input_estimate = 5};

std::string RunStream(const std::vector<std::string_view>& pieces) {
  CheckingSink sink;
  {
    bp::backends::openai::ChatStreamTranslator translator(kContext, sink);
    for (std::string_view piece : pieces) translator.Feed(piece);
    translator.Finish();
    Check(translator.done());
  }
  Check(sink.done());
  return sink.log();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  // Whole, then cut in pieces of a fuzzer-chosen stride: the same calls.
  const std::string whole = RunStream({body});
  const size_t stride = 1 + data[0] % 17;
  std::vector<std::string_view> pieces;
  for (size_t pos = 0; pos < body.size(); pos += stride) pieces.push_back(body.substr(pos, stride));
  Check(RunStream(pieces) == whole);

  // The same bytes as a non-streaming answer.
  auto answer = bp::backends::openai::DecodeChatCompletion(body, kContext);
  if (answer.ok()) {
    CheckingSink sink;
    bp::backends::openai::EmitAnswer(std::move(*answer), sink);
    Check(sink.done());
  } else {
    Check(answer.status().message().size() < 8192);
  }

  // And as an error body.
  const Status error = bp::backends::openai::UpstreamErrorStatus(400 + data[0] % 200, body, "r");
  Check(!error.ok() && ValidUtf8(error.message()) && error.message().size() < 4096);
  return 0;
}
