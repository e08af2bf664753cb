#include "fakes/fake_common.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "json/json.h"
#include "json/writer.h"

namespace bp::fakes {
namespace {

// Headers a test may want to see: what decides auth and content handling.
constexpr std::string_view kRecordedHeaders[] = {"host",
                                                 "content-type",
                                                 "accept",
                                                 "authorization",
                                                 "x-amz-date",
                                                 "x-amz-security-token",
                                                 "x-amz-content-sha256",
                                                 "user-agent",
                                                 "content-length"};

bool Recorded(std::string_view name) {
  for (std::string_view h : kRecordedHeaders) {
    if (h == name) return true;
  }
  return false;
}

// The first text of the last user message (the tool results a user turn
// also carries do not count).
std::string_view LastUserText(const backends::ModelRequest& request) {
  for (auto m = request.messages.rbegin(); m != request.messages.rend(); ++m) {
    if (m->role != backends::Role::kUser) continue;
    for (const backends::ContentBlock& block : m->content) {
      if (block.kind == backends::ContentBlock::Kind::kText) return block.text;
    }
    return {};
  }
  return {};
}

}  // namespace

Status RequestLog::Open(const std::string& log_path) {
  if (log_path.empty()) return Status::Ok();
  std::FILE* f = std::fopen(log_path.c_str(), "a");
  if (f == nullptr) return IoError("cannot open " + log_path + ": " + std::strerror(errno));
  MutexLock lock(mu_);
  file_ = f;
  return Status::Ok();
}

RequestLog::~RequestLog() {
  MutexLock lock(mu_);
  if (file_ != nullptr) std::fclose(file_);
}

void RequestLog::Record(const http::Request& request, unsigned status, std::string_view why) {
  RecordedRequest entry{.method = request.method,
                        .path = request.target,
                        .headers = {},
                        .body = request.body,
                        .status = status,
                        .why = std::string(why)};
  for (const http::Header& h : request.headers) {
    if (Recorded(h.name)) entry.headers.push_back(h);
  }
  MutexLock lock(mu_);
  if (file_ != nullptr) {
    std::string line = entry.method + " " + entry.path + " " + std::to_string(status);
    if (!why.empty()) line += " " + std::string(why);
    for (char& c : line) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
  }
  if (entries_.size() >= kMaxRecorded) entries_.pop_front();
  entries_.push_back(std::move(entry));
}

std::string RequestLog::Json() const {
  MutexLock lock(mu_);
  std::string out = "[";
  for (size_t i = 0; i < entries_.size(); ++i) {
    const RecordedRequest& e = entries_[i];
    if (i > 0) out += ',';
    out += "{\"method\":";
    json::AppendString(out, e.method);
    out += ",\"path\":";
    json::AppendString(out, e.path);
    out += ",\"headers\":{";
    for (size_t h = 0; h < e.headers.size(); ++h) {
      if (h > 0) out += ',';
      json::AppendString(out, e.headers[h].name);
      out += ':';
      json::AppendString(out, e.headers[h].value);
    }
    out += "},\"body\":";
    json::AppendString(out, e.body);
    out += ",\"status\":";
    json::AppendInt(out, e.status);
    out += ",\"why\":";
    json::AppendString(out, e.why);
    out += '}';
  }
  out += ']';
  return out;
}

Fault FaultOf(const backends::ModelRequest& request) {
  std::string_view text = LastUserText(request);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  // Longest prefixes first would not matter: none is a prefix of another.
  if (text.starts_with("FAKE-THROTTLE")) return Fault::kThrottle;
  if (text.starts_with("FAKE-UNAVAILABLE")) return Fault::kUnavailable;
  if (text.starts_with("FAKE-500")) return Fault::kInternal;
  if (text.starts_with("FAKE-EXPIRED")) return Fault::kExpired;
  if (text.starts_with("FAKE-STREAM-CUT")) return Fault::kStreamCut;
  if (text.starts_with("FAKE-HANG")) return Fault::kHang;
  return Fault::kNone;
}

Status FailSwitch::Apply(std::string_view body) {
  BP_ASSIGN_OR_RETURN(json::Value value, json::Parse(body));
  BP_ASSIGN_OR_RETURN(const json::Object* obj, json::RequireObject(value, "$"));
  BP_RETURN_IF_ERROR(json::RejectUnknownKeys(*obj, {"fail"}, "$"));
  BP_ASSIGN_OR_RETURN(std::string fail, json::RequiredString(*obj, "fail", "$"));
  if (fail != "unavailable" && fail != "none") {
    return ValidationError("$.fail: expected \"unavailable\" or \"none\", got \"" + fail + "\"");
  }
  MutexLock lock(mu_);
  failing_ = fail == "unavailable";
  return Status::Ok();
}

bool FailSwitch::failing() const {
  MutexLock lock(mu_);
  return failing_;
}

std::shared_ptr<BodyWriter> BodyWriter::Create(std::shared_ptr<http::ResponseStream> stream,
                                               bool split) {
  return std::make_shared<BodyWriter>(std::move(stream), split);
}

BodyWriter::BodyWriter(std::shared_ptr<http::ResponseStream> stream, bool split)
    : stream_(std::move(stream)), split_(split) {}

void BodyWriter::Write(std::string bytes) {
  if (bytes.empty()) return;
  if (!split_) {
    stream_->Write(std::move(bytes));
    return;
  }
  pending_ += bytes;
  Schedule();
}

void BodyWriter::Finish() {
  if (!split_) {
    stream_->Finish();
    return;
  }
  finish_ = true;
  Schedule();
}

void BodyWriter::Schedule() {
  if (scheduled_) return;
  scheduled_ = true;
  stream_->loop().Post([self = shared_from_this()] {
    self->scheduled_ = false;
    self->Pump();
  });
}

void BodyWriter::Pump() {
  if (stream_->Closed()) return;
  // Wait until the previous byte has left the server's buffer.
  if (stream_->BufferedBytes() == 0) {
    if (sent_ < pending_.size()) {
      stream_->Write(std::string(1, pending_[sent_++]));
    } else if (finish_) {
      finish_ = false;
      stream_->Finish();
      return;
    } else {
      pending_.clear();
      sent_ = 0;
      return;
    }
  }
  Schedule();
}

void SendResponse(const std::shared_ptr<http::ResponseStream>& stream, http::Response&& response,
                  bool split) {
  if (!split) {
    stream->Respond(std::move(response));
    return;
  }
  stream->StartStream(response.status, std::move(response.headers));
  std::shared_ptr<BodyWriter> writer = BodyWriter::Create(stream, true);
  writer->Write(std::move(response.body));
  writer->Finish();
}

void HeldStreams::Hold(std::shared_ptr<http::ResponseStream> stream) {
  held_.push_back(std::move(stream));
}

void HeldStreams::Release() { held_.clear(); }

}  // namespace bp::fakes
