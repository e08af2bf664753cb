#include "http/test_clients.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <regex>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>

#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <unistd.h>

namespace bp::http::testing {
namespace {

using std::chrono::milliseconds;

int ConnectTcp(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{};
  tv.tv_sec = kDeadline.count() / 1000;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

// ---------------------------------------------------------------- RawClient

RawClient::~RawClient() { Close(); }

bool RawClient::Connect(uint16_t port) {
  Close();
  fd_ = ConnectTcp(port);
  return fd_ >= 0;
}

void RawClient::Send(std::string_view bytes) { SendAll(fd_, bytes); }

void RawClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawClient::Fill() {
  char tmp[16384];
  ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
  if (n <= 0) return false;
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

bool RawClient::ReadUntil(std::string_view needle) {
  while (buf_.find(needle) == std::string::npos) {
    if (!Fill()) return false;
  }
  return true;
}

bool RawClient::WaitForClose() {
  buf_.clear();
  char tmp[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

std::optional<ParsedResponse> RawClient::ReadResponse(
    const std::function<void(const std::string&)>& on_chunk) {
  if (!ReadUntil("\r\n\r\n")) return std::nullopt;
  const size_t end = buf_.find("\r\n\r\n");
  const std::string head = buf_.substr(0, end + 2);
  buf_.erase(0, end + 4);
  ParsedResponse r;
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.rfind("HTTP/1.1 ", 0) != 0 || status_line.size() < 12) return std::nullopt;
  r.status = static_cast<unsigned>(std::stoul(status_line.substr(9, 3)));
  for (size_t pos = line_end + 2; pos < head.size();) {
    const size_t next = head.find("\r\n", pos);
    const std::string line = head.substr(pos, next - pos);
    pos = next + 2;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    size_t v = colon + 1;
    while (v < line.size() && line[v] == ' ') ++v;
    r.headers.push_back({Lower(line.substr(0, colon)), line.substr(v)});
  }
  if (r.status < 200) return r;
  const std::string* te = r.Find("transfer-encoding");
  const std::string* cl = r.Find("content-length");
  if (te != nullptr && *te == "chunked") {
    if (!ReadChunked(r, on_chunk)) return std::nullopt;
  } else if (cl != nullptr) {
    const size_t n = std::stoul(*cl);
    while (buf_.size() < n) {
      if (!Fill()) return std::nullopt;
    }
    r.body = buf_.substr(0, n);
    buf_.erase(0, n);
  } else {
    while (Fill()) {
    }
    r.body = std::move(buf_);
    buf_.clear();
  }
  return r;
}

bool RawClient::ReadChunked(ParsedResponse& r,
                            const std::function<void(const std::string&)>& on_chunk) {
  for (;;) {
    if (!ReadUntil("\r\n")) return false;
    const size_t eol = buf_.find("\r\n");
    const size_t size = std::stoul(buf_.substr(0, eol), nullptr, 16);
    buf_.erase(0, eol + 2);
    if (size == 0) {
      if (!ReadUntil("\r\n")) return false;  // no trailers: just the final CRLF
      buf_.erase(0, buf_.find("\r\n") + 2);
      return true;
    }
    while (buf_.size() < size + 2) {
      if (!Fill()) return false;
    }
    std::string chunk = buf_.substr(0, size);
    buf_.erase(0, size + 2);
    r.body += chunk;
    if (on_chunk) on_chunk(chunk);
    r.chunks.push_back(std::move(chunk));
  }
}

// ---------------------------------------------------------------- H2Client

std::string H2Stream::body() const {
  std::string out;
  for (const std::string& d : data) out += d;
  return out;
}

struct H2Client::Callbacks {
  static H2Client& Self(void* ud) { return *static_cast<H2Client*>(ud); }

  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void* ud) {
    H2Client& self = Self(ud);
    std::string n(reinterpret_cast<const char*>(name), namelen);
    std::string v(reinterpret_cast<const char*>(value), valuelen);
    self.all_header_names_.push_back(n);
    H2Stream& s = self.streams_[frame->hd.stream_id];
    if (n == ":status") {
      s.status = static_cast<unsigned>(std::stoul(v));
    } else {
      s.headers.push_back({std::move(n), std::move(v)});
    }
    return 0;
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* ud) {
    if (frame->hd.type == NGHTTP2_GOAWAY) Self(ud).goaway_received_ = true;
    return 0;
  }

  static int OnData(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len,
                    void* ud) {
    Self(ud).streams_[id].data.emplace_back(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int OnClose(nghttp2_session*, int32_t id, uint32_t error_code, void* ud) {
    H2Stream& s = Self(ud).streams_[id];
    s.closed = true;
    s.error_code = error_code;
    return 0;
  }

  static ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                          nghttp2_data_source* source, void*) {
    auto* body = static_cast<Body*>(source->ptr);
    const size_t n = std::min(length, body->data.size() - body->offset);
    std::copy_n(body->data.data() + body->offset, n, buf);
    body->offset += n;
    if (body->offset == body->data.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
};

H2Client::H2Client() {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_header_callback(cbs, &Callbacks::OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &Callbacks::OnFrameRecv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &Callbacks::OnData);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &Callbacks::OnClose);
  nghttp2_session_client_new(&session_, cbs, this);
  nghttp2_session_callbacks_del(cbs);
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
}

H2Client::~H2Client() {
  nghttp2_session_del(session_);
  if (fd_ >= 0) ::close(fd_);
}

bool H2Client::Connect(uint16_t port) {
  fd_ = ConnectTcp(port);
  return fd_ >= 0;
}

int32_t H2Client::Submit(const std::string& method, const std::string& path,
                         const std::string& authority, const Headers& extra,
                         std::optional<std::string> body) {
  const std::string scheme = "http";
  std::vector<nghttp2_nv> nva;
  auto add = [&nva](const std::string& n, const std::string& v) {
    nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(n.data())),
                   reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(),
                   NGHTTP2_NV_FLAG_NONE});
  };
  const std::string k_method = ":method", k_scheme = ":scheme", k_authority = ":authority",
                    k_path = ":path";
  add(k_method, method);
  add(k_scheme, scheme);
  add(k_authority, authority);
  add(k_path, path);
  for (const Header& h : extra) add(h.name, h.value);
  std::unique_ptr<Body> owned;
  nghttp2_data_provider provider{};
  if (body) {
    owned = std::make_unique<Body>();
    owned->data = std::move(*body);
    provider.source.ptr = owned.get();
    provider.read_callback = &Callbacks::ReadBody;
  }
  const int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                            owned ? &provider : nullptr, nullptr);
  if (owned) bodies_[id] = std::move(owned);
  streams_[id];
  Flush();
  return id;
}

void H2Client::SubmitGoaway() {
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, 0, NGHTTP2_NO_ERROR, nullptr, 0);
  Flush();
}

bool H2Client::Flush() {
  for (;;) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return false;
    if (n == 0) return true;
    SendAll(fd_, std::string_view(reinterpret_cast<const char*>(data), static_cast<size_t>(n)));
  }
}

bool H2Client::PumpUntil(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  for (;;) {
    if (!Flush()) return false;
    if (done()) return true;
    if (eof_) return false;
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      continue;
    }
    if (nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(buf),
                                 static_cast<size_t>(n)) < 0) {
      return false;
    }
  }
}

// ------------------------------------------------------------- TestHandler

namespace {

struct TimedStream {
  std::shared_ptr<ResponseStream> stream;
  std::unique_ptr<TimerHandle> timer;
  int next = 0;
  int total = 0;
};

void WriteNextChunk(const std::shared_ptr<TimedStream>& state) {
  state->timer = state->stream->loop().After(milliseconds(5), [state] {
    state->stream->Write("chunk-" + std::to_string(state->next));
    if (++state->next < state->total) {
      WriteNextChunk(state);
    } else {
      state->stream->Finish();
    }
  });
}

Response Text(unsigned status, std::string body) {
  return Response{
      .status = status, .headers = {{"content-type", "text/plain"}}, .body = std::move(body)};
}

}  // namespace

void TestHandler::Handle(Request&& request, std::shared_ptr<ResponseStream> stream) {
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
  }
  const std::string path(request.path());
  if (path == "/echo") {
    Response r = Text(200, std::move(request.body));
    const std::string* authority = FindHeader(request.headers, ":authority");
    if (authority == nullptr) authority = FindHeader(request.headers, "host");
    r.headers.push_back({"x-method", request.method});
    r.headers.push_back({"x-target", request.target});
    r.headers.push_back({"x-authority", authority ? *authority : ""});
    r.headers.push_back({"x-remote", request.remote_address});
    stream->Respond(std::move(r));
  } else if (path == "/stream") {
    auto state = std::make_shared<TimedStream>();
    state->stream = std::move(stream);
    const std::string_view q = request.query();
    state->total = q.rfind("n=", 0) == 0 ? std::stoi(std::string(q.substr(2))) : 3;
    state->stream->StartStream(200, {{"content-type", "application/octet-stream"}});
    WriteNextChunk(state);
  } else if (path == "/gated" || path == "/hold") {
    if (path == "/gated") {
      stream->StartStream(200, {{"content-type", "text/plain"}});
      stream->Write("first");
    }
    std::lock_guard lock(mu_);
    held_ = std::move(stream);
    cv_.notify_all();
  } else if (path == "/pair") {
    std::vector<std::shared_ptr<ResponseStream>> both;
    {
      std::lock_guard lock(mu_);
      pair_.push_back(std::move(stream));
      if (pair_.size() == 2) both.swap(pair_);
    }
    for (auto& s : both) {
      s->loop().Post([s] { s->Respond(Text(200, "paired")); });
    }
  } else if (path == "/throw") {
    throw std::runtime_error("boom");
  } else if (path == "/drop") {
    return;
  } else if (path == "/timer") {
    auto fired = std::make_shared<bool>(false);
    {
      auto cancelled = stream->loop().After(milliseconds(1), [fired] { *fired = true; });
    }
    auto keep = std::make_shared<std::unique_ptr<TimerHandle>>();
    *keep = stream->loop().After(milliseconds(30), [stream, fired, keep]() mutable {
      stream->Respond(Text(200, *fired ? "fired" : "cancelled"));
      keep.reset();
    });
  } else {
    stream->Respond(Text(404, "no route"));
  }
}

Response TestHandler::ErrorResponse(const Status& status, std::string_view request_id) {
  {
    std::lock_guard lock(mu_);
    error_ids_.emplace_back(request_id);
  }
  return Response{.status = status.code() == ErrorCode::kInternal ? 500u : 400u,
                  .headers = {{"content-type", "application/json"}},
                  .body = "{\"code\":\"" + std::string(ErrorCodeName(status.code())) +
                          "\",\"message\":\"" + status.message() + "\",\"requestId\":\"" +
                          std::string(request_id) + "\"}"};
}

std::shared_ptr<ResponseStream> TestHandler::WaitHeld() {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, kDeadline, [this] { return held_ != nullptr; });
  return std::move(held_);
}

void TestHandler::ReleaseGate(std::shared_ptr<ResponseStream> stream, std::string chunk) {
  EventLoop& loop = stream->loop();
  loop.Post([s = std::move(stream), c = std::move(chunk)]() mutable {
    s->Write(std::move(c));
    s->Finish();
    s.reset();
  });
}

void TestHandler::RunOnLoop(ResponseStream& stream, const std::function<void()>& fn) {
  std::promise<void> done;
  stream.loop().Post([&] {
    fn();
    done.set_value();
  });
  done.get_future().wait_for(kDeadline);
}

void TestHandler::DropOnLoop(std::shared_ptr<ResponseStream> stream) {
  EventLoop& loop = stream->loop();
  loop.Post([s = std::move(stream)]() mutable { s.reset(); });
}

void TestHandler::Clear() {
  std::lock_guard lock(mu_);
  held_.reset();
  pair_.clear();
}

std::vector<Request> TestHandler::requests() {
  std::lock_guard lock(mu_);
  return requests_;
}

std::vector<std::string> TestHandler::error_ids() {
  std::lock_guard lock(mu_);
  return error_ids_;
}

// ---------------------------------------------------------------- fixture

ServerTest::ServerTest() {
  options_.host = "127.0.0.1";
  options_.port = 0;
  options_.threads = 2;
  options_.drain_timeout = std::chrono::milliseconds(5000);
}

ServerTest::~ServerTest() {
  StopServer();
  handler_.Clear();
  server_.reset();
}

void ServerTest::StartServer() {
  server_ = Server::Create(options_, handler_, clock_, random_);
  Status listen = server_->Listen();
  ASSERT_TRUE(listen.ok()) << listen.ToString();
  run_ = std::async(std::launch::async, [this] { server_->Run(false); });
}

bool ServerTest::StopServer() {
  if (!run_.valid()) return true;
  server_->Shutdown();
  if (run_.wait_for(kDeadline * 2) != std::future_status::ready) {
    ADD_FAILURE() << "Server::Run() did not return after Shutdown()";
    std::abort();  // a hung drain must not hang the suite
  }
  run_.get();
  return true;
}

bool IsImfFixdate(const std::string& value) {
  static const std::regex re(
      R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$)");
  return std::regex_match(value, re);
}

bool IsUuid(const std::string& value) {
  static const std::regex re(
      R"(^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$)");
  return std::regex_match(value, re);
}

}  // namespace bp::http::testing
