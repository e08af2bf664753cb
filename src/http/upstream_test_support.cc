#include "http/upstream_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <poll.h>
#include <unistd.h>

namespace bp::http::testing {
namespace {

constexpr int kDeadlineMs = static_cast<int>(kDeadline.count());

}  // namespace

ClientLoop::ClientLoop()
    : work_(boost::asio::make_work_guard(io_)), loop_(io_), thread_([this] { io_.run(); }) {}

ClientLoop::~ClientLoop() {
  Run([this] { loop_.CloseUpstreamPools(); });
  work_.reset();
  io_.stop();
  thread_.join();
}

void ClientLoop::Run(const std::function<void()>& fn) {
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait_for(kDeadline);
}

UpstreamCallbacks CallRecorder::Callbacks() {
  return UpstreamCallbacks{.on_head =
                               [this](const Response& head) {
                                 std::lock_guard lock(mu_);
                                 head_ = head;
                                 cv_.notify_all();
                               },
                           .on_body =
                               [this](std::string_view piece) {
                                 {
                                   std::lock_guard lock(mu_);
                                   pieces_.emplace_back(piece);
                                   cv_.notify_all();
                                 }
                                 if (after_piece) after_piece(piece);
                               },
                           .on_done =
                               [this](const UpstreamResult& result) {
                                 std::lock_guard lock(mu_);
                                 result_ = result;
                                 ++done_count_;
                                 cv_.notify_all();
                               }};
}

bool CallRecorder::WaitDone() {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, kDeadline, [this] { return result_.has_value(); });
}

bool CallRecorder::WaitPieces(size_t n) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, kDeadline, [this, n] {
    return pieces_.size() >= n || result_.has_value();
  }) && pieces_.size() >= n;
}

bool CallRecorder::WaitHead() {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, kDeadline, [this] { return head_.has_value() || result_; }) &&
         head_.has_value();
}

std::optional<Response> CallRecorder::head() {
  std::lock_guard lock(mu_);
  return head_;
}

std::vector<std::string> CallRecorder::pieces() {
  std::lock_guard lock(mu_);
  return pieces_;
}

std::string CallRecorder::body() {
  std::lock_guard lock(mu_);
  std::string all;
  for (const auto& p : pieces_) all += p;
  return all;
}

std::optional<UpstreamResult> CallRecorder::result() {
  std::lock_guard lock(mu_);
  return result_;
}

int CallRecorder::done_count() {
  std::lock_guard lock(mu_);
  return done_count_;
}

void FunctionHandler::Handle(Request&& request, std::shared_ptr<ResponseStream> stream) {
  {
    std::lock_guard lock(mu_);
    seen_.push_back(request);
    ports_.insert(request.remote_port);
  }
  fn_(std::move(request), std::move(stream));
}

Response FunctionHandler::ErrorResponse(const Status& status, std::string_view) {
  return Response{.status = 500, .headers = {}, .body = status.message()};
}

void FunctionHandler::Hold(std::shared_ptr<ResponseStream> stream) {
  std::lock_guard lock(mu_);
  held_.push_back(std::move(stream));
  cv_.notify_all();
}

std::shared_ptr<ResponseStream> FunctionHandler::TakeHeld() {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, kDeadline, [this] { return !held_.empty(); })) return nullptr;
  std::shared_ptr<ResponseStream> stream = std::move(held_.front());
  held_.erase(held_.begin());
  return stream;
}

void FunctionHandler::DropAll() {
  std::vector<std::shared_ptr<ResponseStream>> held;
  {
    std::lock_guard lock(mu_);
    held.swap(held_);
  }
  for (auto& stream : held) {
    ResponseStream& s = *stream;
    TestHandler::RunOnLoop(s, [&stream] { stream.reset(); });
  }
}

size_t FunctionHandler::requests() {
  std::lock_guard lock(mu_);
  return seen_.size();
}

size_t FunctionHandler::connections() {
  std::lock_guard lock(mu_);
  return ports_.size();
}

std::vector<Request> FunctionHandler::seen() {
  std::lock_guard lock(mu_);
  return seen_;
}

LoopbackServer::LoopbackServer(Handler& handler, int threads) {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = threads;
  options.drain_timeout = kDeadline;
  server_ = Server::Create(options, handler, clock_, random_);
  Status listen = server_->Listen();
  EXPECT_TRUE(listen.ok()) << listen.ToString();
  run_ = std::async(std::launch::async, [this] { server_->Run(false); });
}

LoopbackServer::~LoopbackServer() {
  server_->Shutdown();
  if (run_.wait_for(kDeadline * 2) != std::future_status::ready) {
    ADD_FAILURE() << "Server::Run() did not return after Shutdown()";
    std::abort();  // a hung drain must not hang the suite
  }
  run_.get();
}

RawServer::RawServer(int connections, Script script) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return;
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this, connections, script = std::move(script)] {
    for (int i = 0; i < connections; ++i) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, kDeadlineMs) <= 0) return;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      accepted_.fetch_add(1);
      script(fd, i);
      ::close(fd);
    }
  });
}

RawServer::~RawServer() {
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

bool ReadSome(int fd, std::string& buf) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, kDeadlineMs) <= 0) return false;
  char chunk[4096];
  ssize_t n = ::read(fd, chunk, sizeof(chunk));
  if (n <= 0) return false;
  buf.append(chunk, static_cast<size_t>(n));
  return true;
}

void WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

std::string ReadRequest(int fd) {
  std::string buf;
  while (buf.find("\r\n\r\n") == std::string::npos) {
    if (!ReadSome(fd, buf)) return "";
  }
  size_t head_end = buf.find("\r\n\r\n") + 4;
  size_t length = 0;
  size_t at = buf.find("content-length: ");
  if (at != std::string::npos && at < head_end) length = std::stoul(buf.substr(at + 16));
  while (buf.size() < head_end + length) {
    if (!ReadSome(fd, buf)) return "";
  }
  return buf;
}

bool WaitForPeerClose(int fd) {
  std::string ignored;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kDeadlineMs) <= 0) return false;
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n <= 0) return true;
  }
  return false;
}

uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace bp::http::testing
