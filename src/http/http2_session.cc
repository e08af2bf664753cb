#include "http/http2_session.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include <nghttp2/nghttp2.h>

#include "http/http_date.h"
#include "http/response_headers.h"
#include "http/server_stream.h"

namespace bp::http {

struct Http2Session::Stream {
  enum class State : uint8_t { kNew, kStreaming, kDone };

  int32_t id = 0;
  Request request;  // being received; moved to the handler at dispatch
  std::string request_id;
  size_t header_bytes = 0;
  bool headers_too_large = false;
  bool headers_done = false;  // the request's header block arrived
  bool request_complete = false;
  bool rejected = false;  // refused by the server; never reaches the handler
  bool dispatched = false;
  bool head = false;
  State state = State::kNew;
  std::deque<std::string> out;  // response body not yet taken by nghttp2
  size_t out_offset = 0;        // bytes of out.front() already taken
  size_t buffered = 0;
  bool finished = false;  // the body ends after `out`
  bool deferred = false;  // the data provider waits for Write()/Finish()
  BodyReservation body;   // of the process-wide body budget, until the stream closes
};

// The handler's answer channel: a stream id plus the session. Dropping it
// unanswered answers 500 (or resets a started stream) so no client hangs.
class Http2ResponseStream final : public ServerStream {
 public:
  Http2ResponseStream(std::shared_ptr<Http2Session> session, int32_t id)
      : session_(std::move(session)), id_(id) {}
  ~Http2ResponseStream() override {
    try {
      session_->Fail(id_, "the handler dropped the request without answering");
    } catch (...) {  // nothing more can be done in a destructor
    }
  }
  void Respond(Response&& response) override { session_->Respond(id_, std::move(response)); }
  void StartStream(unsigned status, Headers&& headers) override {
    session_->StartStream(id_, status, std::move(headers));
  }
  void Write(std::string&& chunk) override { session_->Write(id_, std::move(chunk)); }
  void Finish() override { session_->Finish(id_); }
  bool Closed() const override { return session_->StreamClosed(id_); }
  size_t BufferedBytes() const override { return session_->StreamBuffered(id_); }
  EventLoop& loop() override { return session_->loop(); }
  void FailInternal(std::string_view what) override { session_->Fail(id_, what); }

 private:
  const std::shared_ptr<Http2Session> session_;
  const int32_t id_;
};

namespace {

std::string_view View(const uint8_t* p, size_t n) {
  return std::string_view(reinterpret_cast<const char*>(p), n);
}

uint8_t* Bytes(std::string_view s) {
  return reinterpret_cast<uint8_t*>(const_cast<char*>(s.data()));
}

bool HasUpper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

struct CallbacksDeleter {
  void operator()(nghttp2_session_callbacks* p) const { nghttp2_session_callbacks_del(p); }
};
struct OptionDeleter {
  void operator()(nghttp2_option* p) const { nghttp2_option_del(p); }
};

// RFC 9113 §8.3.1: a request translated from HTTP/2 gets a Host field from
// :authority when it has none, so every consumer (SigV4 signs "host" on both
// protocols: curl --aws-sigv4, the AWS SDKs) finds it under one name. A Host
// the client did send is kept as sent; :authority stays too (a client may
// sign it instead).
void AddHostFromAuthority(Headers& headers) {
  if (FindHeader(headers, "host") != nullptr) return;
  const std::string* authority = FindHeader(headers, ":authority");
  if (authority != nullptr) headers.push_back(Header{"host", *authority});
}

constexpr uint32_t kMaxConcurrentStreams = 100;
constexpr int32_t kStreamWindow = 1 << 20;
constexpr int32_t kConnectionWindow = 8 << 20;

}  // namespace

// nghttp2's C callbacks; user_data is the Http2Session.
struct Http2Session::Callbacks {
  static Http2Session& Self(void* user_data) { return *static_cast<Http2Session*>(user_data); }

  static Stream* StreamOf(nghttp2_session* session, int32_t id) {
    return static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, id));
  }

  static bool IsRequestHeaders(const nghttp2_frame* frame) {
    return frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST;
  }

  static int OnBeginHeaders(nghttp2_session* session, const nghttp2_frame* frame, void* ud) {
    if (!IsRequestHeaders(frame)) return 0;
    Http2Session& self = Self(ud);
    auto stream = std::make_unique<Stream>();
    stream->id = frame->hd.stream_id;
    stream->request.headers.reserve(16);
    if (self.config_.limits != nullptr) stream->body = BodyReservation(*self.config_.limits);
    nghttp2_session_set_stream_user_data(session, stream->id, stream.get());
    const ServerOptions& options = self.config_.options;
    self.header_deadlines_.emplace_back(
        self.recv_now_ + std::min(options.header_timeout, options.request_timeout), stream->id);
    self.request_deadlines_.emplace_back(self.recv_now_ + options.request_timeout, stream->id);
    self.streams_[stream->id] = std::move(stream);
    return 0;
  }

  static int OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t /*flags*/,
                      void* ud) {
    if (!IsRequestHeaders(frame) || namelen == 0) return 0;  // trailers are not exposed
    Stream* s = StreamOf(session, frame->hd.stream_id);
    if (s == nullptr || s->headers_too_large) return 0;
    s->header_bytes += namelen + valuelen + 32;  // RFC 9113 §6.5.2 accounting
    if (s->header_bytes > Self(ud).config_.options.max_header_bytes) {
      s->headers_too_large = true;
      return 0;
    }
    const std::string_view n = View(name, namelen);
    const std::string_view v = View(value, valuelen);
    if (n == ":method") {
      s->request.method.assign(v);
    } else if (n == ":path") {
      s->request.target.assign(v);
    } else if (n[0] != ':' || n == ":authority") {  // :scheme is dropped
      s->request.headers.push_back(Header{std::string(n), std::string(v)});
    }
    return 0;
  }

  static int OnFrameRecv(nghttp2_session* session, const nghttp2_frame* frame, void* ud) {
    Http2Session& self = Self(ud);
    const bool data_or_headers =
        frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS;
    if (!data_or_headers) return 0;
    Stream* s = StreamOf(session, frame->hd.stream_id);
    if (s == nullptr || s->rejected) return 0;
    if (IsRequestHeaders(frame)) {
      s->headers_done = true;
      if (!CheckHeaderLimits(self, *s)) return 0;
      AddHostFromAuthority(s->request.headers);
    }
    if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 && !s->request_complete) {
      s->request_complete = true;
      self.ready_.push_back(s->id);
    }
    return 0;
  }

  // Refuses oversized headers (431) and announced oversized bodies (413) as
  // soon as the header block is complete. Returns false when refused.
  static bool CheckHeaderLimits(Http2Session& self, Stream& s) {
    const ServerOptions& options = self.config_.options;
    if (s.headers_too_large) {
      self.Reject(s, ErrorCode::kPayloadTooLarge,
                  "request header exceeds " + std::to_string(options.max_header_bytes) + " bytes",
                  431);
      return false;
    }
    if (const std::string* cl = FindHeader(s.request.headers, "content-length")) {
      uint64_t length = 0;  // nghttp2 has validated the syntax
      std::from_chars(cl->data(), cl->data() + cl->size(), length);
      if (length > options.max_body_bytes) {
        self.Reject(s, ErrorCode::kPayloadTooLarge,
                    "request body exceeds " + std::to_string(options.max_body_bytes) + " bytes",
                    413);
        return false;
      }
      if (!self.ReserveBody(s, static_cast<size_t>(length))) return false;
      s.request.body.reserve(static_cast<size_t>(length));
    }
    return true;
  }

  static int OnDataChunk(nghttp2_session* session, uint8_t /*flags*/, int32_t id,
                         const uint8_t* data, size_t len, void* ud) {
    Http2Session& self = Self(ud);
    Stream* s = StreamOf(session, id);
    if (s == nullptr || s->rejected) return 0;
    const size_t max = self.config_.options.max_body_bytes;
    if (s->request.body.size() + len > max) {
      self.Reject(*s, ErrorCode::kPayloadTooLarge,
                  "request body exceeds " + std::to_string(max) + " bytes", 413);
      return 0;
    }
    if (!self.ReserveBody(*s, s->request.body.size() + len)) return 0;
    s->request.body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int OnStreamClose(nghttp2_session* /*session*/, int32_t id, uint32_t /*error_code*/,
                           void* ud) {
    Http2Session& self = Self(ud);
    auto it = self.streams_.find(id);
    if (it == self.streams_.end()) return 0;
    if (it->second->body.bytes() > 0) {
      // Released from a posted task, after the handler's own clean-up, so
      // the heap trim after a large body finds that memory free.
      auto released = std::make_shared<BodyReservation>(std::move(it->second->body));
      self.config_.loop.Post([released] { released->Reset(); });
    }
    self.streams_.erase(it);  // its ResponseStream now reports Closed()
    return 0;
  }

  // The data provider of every response body: hands nghttp2 what Write()
  // queued, defers while the handler has not written more.
  static ssize_t ReadBody(nghttp2_session* session, int32_t id, uint8_t* buf, size_t length,
                          uint32_t* data_flags, nghttp2_data_source* /*source*/, void* /*ud*/) {
    Stream* s = StreamOf(session, id);
    if (s == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    size_t copied = 0;
    while (copied < length && !s->out.empty()) {
      const std::string& front = s->out.front();
      const size_t n = std::min(length - copied, front.size() - s->out_offset);
      std::copy_n(front.data() + s->out_offset, n, buf + copied);
      copied += n;
      s->out_offset += n;
      if (s->out_offset == front.size()) {
        s->out.pop_front();
        s->out_offset = 0;
      }
    }
    s->buffered -= copied;
    if (s->out.empty() && s->finished) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    } else if (copied == 0) {
      s->deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
    return static_cast<ssize_t>(copied);
  }
};

Result<std::shared_ptr<Http2Session>> Http2Session::Create(Config config, Transport* transport) {
  auto session = std::make_shared<Http2Session>(PrivateTag(), std::move(config), transport);
  BP_RETURN_IF_ERROR(session->Init());
  return session;
}

Http2Session::Http2Session(PrivateTag, Config config, Transport* transport)
    : config_(std::move(config)), transport_(transport) {}

Http2Session::~Http2Session() {
  if (session_ != nullptr) nghttp2_session_del(session_);
}

Status Http2Session::Init() {
  nghttp2_session_callbacks* raw_callbacks = nullptr;
  nghttp2_option* raw_option = nullptr;
  if (nghttp2_session_callbacks_new(&raw_callbacks) != 0 || nghttp2_option_new(&raw_option) != 0) {
    nghttp2_session_callbacks_del(raw_callbacks);
    return InternalError("nghttp2: out of memory");
  }
  std::unique_ptr<nghttp2_session_callbacks, CallbacksDeleter> callbacks(raw_callbacks);
  std::unique_ptr<nghttp2_option, OptionDeleter> option(raw_option);
  nghttp2_session_callbacks_set_on_begin_headers_callback(raw_callbacks,
                                                          &Callbacks::OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(raw_callbacks, &Callbacks::OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(raw_callbacks, &Callbacks::OnFrameRecv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(raw_callbacks, &Callbacks::OnDataChunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(raw_callbacks, &Callbacks::OnStreamClose);
  if (nghttp2_session_server_new2(&session_, raw_callbacks, this, raw_option) != 0) {
    return InternalError("nghttp2: cannot create a server session");
  }
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<uint32_t>(std::min<size_t>(config_.options.max_header_bytes, UINT32_MAX))},
  };
  if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0 ||
      nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow) !=
          0) {
    return InternalError("nghttp2: cannot queue SETTINGS");
  }
  return Status::Ok();
}

Status Http2Session::Receive(std::string_view bytes, std::chrono::steady_clock::time_point now) {
  if (aborted_ || fatal_) return IoError("HTTP/2 session is closed");
  recv_now_ = now;
  ++in_nghttp2_;
  const ssize_t rv = nghttp2_session_mem_recv(
      session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  --in_nghttp2_;
  if (rv < 0) {
    fatal_ = true;
    return IoError(std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(rv)));
  }
  DispatchReady();
  return Status::Ok();
}

bool Http2Session::CollectOutput(std::string& out, size_t soft_limit) {
  if (aborted_ || fatal_) return false;
  ++in_nghttp2_;
  bool ok = true;
  while (out.size() < soft_limit) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      fatal_ = true;
      ok = false;
      break;
    }
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  --in_nghttp2_;
  return ok;
}

bool Http2Session::Finished() const {
  return aborted_ || fatal_ ||
         (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0);
}

void Http2Session::Drain() {
  if (aborted_ || fatal_) return;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
  NotifyOutput();
}

void Http2Session::Terminate() {
  if (aborted_ || fatal_) return;
  nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
  NotifyOutput();
}

std::optional<std::chrono::steady_clock::time_point> Http2Session::ExpireRequests(
    std::chrono::steady_clock::time_point now) {
  bool reset_any = false;
  std::optional<std::chrono::steady_clock::time_point> next =
      ExpireQueue(header_deadlines_, true, now, reset_any);
  std::optional<std::chrono::steady_clock::time_point> request =
      ExpireQueue(request_deadlines_, false, now, reset_any);
  if (!next || (request && *request < *next)) next = request;
  if (reset_any) NotifyOutput();
  return next;
}

std::optional<std::chrono::steady_clock::time_point> Http2Session::ExpireQueue(
    DeadlineQueue& queue, bool headers, std::chrono::steady_clock::time_point now,
    bool& reset_any) {
  while (!queue.empty() && !aborted_) {
    const auto [deadline, id] = queue.front();
    Stream* s = Find(id);
    const bool arrived = s != nullptr && (headers ? s->headers_done : s->request_complete);
    if (s == nullptr || arrived || s->rejected) {
      queue.pop_front();
      continue;
    }
    if (deadline > now) return deadline;
    queue.pop_front();
    s->rejected = true;
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    reset_any = true;
  }
  return std::nullopt;
}

void Http2Session::Abort() {
  aborted_ = true;
  transport_ = nullptr;
  streams_.clear();
  ready_.clear();
  request_deadlines_.clear();
  header_deadlines_.clear();
}

Http2Session::Stream* Http2Session::Find(int32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

void Http2Session::DispatchReady() {
  std::vector<int32_t> ready;
  ready.swap(ready_);
  for (int32_t id : ready) {
    if (aborted_) return;
    Stream* s = Find(id);
    if (s == nullptr || s->rejected || s->dispatched) continue;
    s->dispatched = true;
    s->head = s->request.method == "HEAD";
    s->request_id = NewUuid(config_.random);
    Request request = std::move(s->request);
    request.version = Version::kHttp2;
    request.remote_address = config_.remote_address;
    request.remote_port = config_.remote_port;
    request.request_id = s->request_id;
    auto stream = std::make_shared<Http2ResponseStream>(shared_from_this(), id);
    DispatchRequest(config_.handler, std::move(request), stream);  // may invalidate `s`
  }
}

bool Http2Session::ReserveBody(Stream& s, size_t total) {
  if (s.body.GrowTo(total)) return true;
  const SharedLimits& limits = *config_.limits;  // GrowTo succeeds without limits
  Status refusal = BodyBudgetExhausted(total, limits.body_bytes_in_flight(), limits.body_limit());
  Reject(s, refusal.code(), refusal.message(), 503);
  return false;
}

void Http2Session::Reject(Stream& s, ErrorCode code, std::string message, unsigned http_status) {
  s.rejected = true;
  if (s.state != Stream::State::kNew) return;
  s.request_id = NewUuid(config_.random);
  Response response = BuildErrorResponse(config_.handler, Status(code, std::move(message)),
                                         s.request_id, http_status);
  s.dispatched = true;  // the error answer is final
  Respond(s.id, std::move(response));
}

void Http2Session::Submit(Stream& s, unsigned status, const Headers& headers,
                          std::optional<uint64_t> content_length, bool has_body) {
  char status_text[4];
  const unsigned code = (status >= 100 && status <= 999) ? status : 500;
  std::to_chars(status_text, status_text + 3, code);
  char length_text[24];
  std::vector<nghttp2_nv> nva;
  nva.reserve(headers.size() + 4);
  std::vector<std::string> lowered;  // HTTP/2 field names must be lower-case
  lowered.reserve(headers.size());
  auto add = [&nva](std::string_view name, std::string_view value) {
    nva.push_back({Bytes(name), Bytes(value), name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
  };
  add(":status", std::string_view(status_text, 3));
  for (const Header& h : headers) {
    if (!ShouldForwardHeader(h)) continue;
    if (HasUpper(h.name)) {
      add(lowered.emplace_back(ToLower(h.name)), h.value);
    } else {
      add(h.name, h.value);
    }
  }
  if (content_length) {
    auto [end, ec] = std::to_chars(length_text, length_text + sizeof(length_text), *content_length);
    add("content-length", std::string_view(length_text, end - length_text));
  }
  add("date", CachedHttpDate(config_.clock));
  add("x-amzn-requestid", s.request_id);
  nghttp2_data_provider provider{};
  provider.read_callback = &Callbacks::ReadBody;
  nghttp2_submit_response(session_, s.id, nva.data(), nva.size(), has_body ? &provider : nullptr);
}

void Http2Session::NotifyOutput() {
  if (aborted_ || in_nghttp2_ > 0 || transport_ == nullptr) return;
  transport_->OnOutputReady();
}

void Http2Session::Respond(int32_t id, Response&& response) {
  Stream* s = Find(id);
  if (s == nullptr || s->state != Stream::State::kNew || !s->dispatched) return;
  s->state = Stream::State::kDone;
  s->finished = true;
  const bool no_body = StatusForbidsBody(response.status);
  const uint64_t length = response.body.size();
  if (!s->head && !no_body && !response.body.empty()) {
    s->buffered += response.body.size();
    s->out.push_back(std::move(response.body));
  }
  Submit(*s, response.status, response.headers,
         no_body ? std::nullopt : std::optional<uint64_t>(length), !s->out.empty());
  NotifyOutput();
}

void Http2Session::StartStream(int32_t id, unsigned status, Headers&& headers) {
  Stream* s = Find(id);
  if (s == nullptr || s->state != Stream::State::kNew || !s->dispatched) return;
  s->state = s->head ? Stream::State::kDone : Stream::State::kStreaming;
  s->finished = s->head;
  Submit(*s, status, headers, std::nullopt, !s->head);
  NotifyOutput();
}

void Http2Session::Write(int32_t id, std::string&& chunk) {
  Stream* s = Find(id);
  if (s == nullptr || s->state != Stream::State::kStreaming || chunk.empty()) return;
  s->buffered += chunk.size();
  s->out.push_back(std::move(chunk));
  if (s->deferred) {
    s->deferred = false;
    nghttp2_session_resume_data(session_, id);
  }
  NotifyOutput();
}

void Http2Session::Finish(int32_t id) {
  Stream* s = Find(id);
  if (s == nullptr || s->state != Stream::State::kStreaming) return;
  s->state = Stream::State::kDone;
  s->finished = true;
  if (s->deferred) {
    s->deferred = false;
    nghttp2_session_resume_data(session_, id);
  }
  NotifyOutput();
}

void Http2Session::Fail(int32_t id, std::string_view what) {
  Stream* s = Find(id);
  if (s == nullptr || !s->dispatched) return;
  if (s->state == Stream::State::kNew) {
    Respond(id, BuildErrorResponse(config_.handler, InternalError(std::string(what)), s->request_id,
                                   0));
  } else if (s->state == Stream::State::kStreaming) {
    s->state = Stream::State::kDone;
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
    NotifyOutput();
  }
}

bool Http2Session::StreamClosed(int32_t id) const {
  return aborted_ || streams_.find(id) == streams_.end();
}

size_t Http2Session::StreamBuffered(int32_t id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? 0 : it->second->buffered;
}

}  // namespace bp::http
