#include "backends/openai/sse_decoder.h"

#include <utility>

namespace bp::backends::openai {

Status SseDecoder::Append(std::string_view bytes) {
  if (!failed_.ok()) return failed_;
  size_t pos = 0;
  if (after_cr_ && !bytes.empty() && bytes[0] == '\n') pos = 1;  // CRLF split in two
  after_cr_ = false;
  while (pos < bytes.size()) {
    const size_t end = bytes.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      if (line_.size() + event_.data.size() + (bytes.size() - pos) > max_event_bytes_) {
        failed_ = Status(ErrorCode::kModelStreamError,
                         "an event longer than " + std::to_string(max_event_bytes_) + " bytes");
        return failed_;
      }
      line_.append(bytes.substr(pos));
      break;
    }
    std::string_view piece = bytes.substr(pos, end - pos);
    Status status;
    if (line_.empty()) {
      status = Line(piece);
    } else {
      line_.append(piece);
      status = Line(line_);
      line_.clear();
    }
    if (!status.ok()) {
      failed_ = status;
      return failed_;
    }
    pos = end + 1;
    if (bytes[end] == '\r') {
      if (pos == bytes.size()) {
        after_cr_ = true;
      } else if (bytes[pos] == '\n') {
        ++pos;
      }
    }
  }
  return Status::Ok();
}

Status SseDecoder::Finish() {
  if (!failed_.ok()) return failed_;
  if (!line_.empty()) {
    std::string line = std::move(line_);
    line_.clear();
    BP_RETURN_IF_ERROR(Line(line));
  }
  after_cr_ = false;
  Dispatch();
  return Status::Ok();
}

std::optional<SseEvent> SseDecoder::Next() {
  if (ready_.empty()) return std::nullopt;
  SseEvent event = std::move(ready_.front());
  ready_.pop_front();
  return event;
}

Status SseDecoder::Line(std::string_view line) {
  if (first_line_) {
    first_line_ = false;
    if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  }
  if (line.empty()) {
    Dispatch();
    return Status::Ok();
  }
  if (line[0] == ':') return Status::Ok();
  const size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  if (field == "data" || field == "error") {
    if (event_.data.size() + value.size() + 1 > max_event_bytes_) {
      return Status(ErrorCode::kModelStreamError,
                    "an event longer than " + std::to_string(max_event_bytes_) + " bytes");
    }
    if (has_data_) event_.data += '\n';
    event_.data.append(value);
    has_data_ = true;
    if (field == "error") event_.name = "error";
  } else if (field == "event") {
    event_.name = value;
  }
  return Status::Ok();
}

void SseDecoder::Dispatch() {
  // As the rules say, an event whose data is empty is not dispatched.
  if (has_data_ && !event_.data.empty()) ready_.push_back(std::move(event_));
  event_ = SseEvent();
  has_data_ = false;
}

}  // namespace bp::backends::openai
