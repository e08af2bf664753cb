#pragma once
// Incremental server-sent-events decoder (the WHATWG EventSource parsing
// rules) for text/event-stream bodies: bytes in, split at any boundary,
// events out. Public header of bp_backends_openai; no I/O.
//
// - Lines end in CRLF, LF or CR (a CR at the end of one Append and an LF at
//   the start of the next are one line end). A UTF-8 BOM before the first
//   line is skipped.
// - "data:" lines append their value (one leading space removed) to the
//   event's data; several data lines are joined by "\n". "event:" sets the
//   event's name. A blank line dispatches the event when its data is not
//   empty.
// - Lines starting with ':' are comments (keep-alives such as ": ping") and
//   are ignored, as are "id:" and "retry:".
// - llama-server writes its stream errors as "error: {...}" lines: a field
//   named "error" is kept as an event named "error" whose data is the value
//   (other unknown fields are ignored, as the rules say).
// - Finish() at the end of the body dispatches a last event that has data
//   but no blank line after it (the rules would drop it; servers that close
//   right after their last line lose nothing here).
//
// Bounds: an event's data plus the line being read never exceed
// max_event_bytes; beyond that Append fails (kModelStreamError) and the
// decoder stays failed. Events decoded are queued until taken with Next().
// Not thread-safe (one per stream).

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace bp::backends::openai {

inline constexpr size_t kMaxSseEventBytes = 8 * 1024 * 1024;

struct SseEvent {
  std::string name;  // "" unless an event: (or error:) line named it
  std::string data;
};

class SseDecoder final {
 public:
  explicit SseDecoder(size_t max_event_bytes = kMaxSseEventBytes)
      : max_event_bytes_(max_event_bytes) {}

  // Decodes `bytes`; complete events become available to Next().
  Status Append(std::string_view bytes);
  // The body ended: a pending line and an event with data are completed.
  Status Finish();
  // The oldest decoded event not yet taken.
  std::optional<SseEvent> Next();

 private:
  Status Line(std::string_view line);
  void Dispatch();

  const size_t max_event_bytes_;
  std::string line_;  // a line not yet ended
  SseEvent event_;    // the event being read
  bool has_data_ = false;
  bool after_cr_ = false;
  bool first_line_ = true;
  Status failed_;
  std::deque<SseEvent> ready_;
};

}  // namespace bp::backends::openai
