#include "bench/loopback.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <sys/socket.h>

#include <unistd.h>

namespace bp::bench {

namespace {

constexpr std::string_view kHeadEnd = "\r\n\r\n";
constexpr std::string_view kBaselineResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

Status OsError(std::string_view what) {
  return IoError(std::string(what) + ": " + std::strerror(errno));
}

// Receive timeout, and Nagle off: a request/response exchange must never wait
// for a delayed ACK.
void TuneSocket(int fd) {
  timeval timeout{.tv_sec = 5, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

Status SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return OsError("send");
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// One recv appended to `buffer`. Errors: kIo on timeout, failure or EOF.
Status RecvSome(int fd, std::string& buffer) {
  char chunk[16 * 1024];
  for (;;) {
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return OsError("recv");
    if (n == 0) return IoError("recv: the peer closed the connection");
    buffer.append(chunk, static_cast<size_t>(n));
    return Status::Ok();
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// The Content-Length of a header block (request or status line first), or
// nullopt when absent or not a plain decimal number.
std::optional<size_t> ContentLength(std::string_view head) {
  size_t line_start = head.find("\r\n");
  while (line_start != std::string_view::npos && line_start + 2 < head.size()) {
    line_start += 2;
    size_t line_end = head.find("\r\n", line_start);
    std::string_view line = head.substr(line_start, line_end - line_start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        EqualsIgnoreCase(line.substr(0, colon), "content-length")) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (value.empty() || value.size() > 12) return std::nullopt;
      size_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<size_t>(c - '0');
      }
      return n;
    }
    line_start = line_end;
  }
  return std::nullopt;
}

}  // namespace

std::string SerializeRequest(const http::Request& request) {
  std::string out = request.method + " " + request.target + " HTTP/1.1\r\n";
  for (const http::Header& h : request.headers) out += h.name + ": " + h.value + "\r\n";
  out += "\r\n";
  out += request.body;
  return out;
}

// ---- LoopbackClient --------------------------------------------------------

LoopbackClient::~LoopbackClient() { Close(); }

Status LoopbackClient::Connect(uint16_t port) {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return OsError("socket");
  TuneSocket(fd_);
  sockaddr_in addr = Loopback(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Status error = OsError("connect to 127.0.0.1:" + std::to_string(port));
    Close();
    return error;
  }
  return Status::Ok();
}

void LoopbackClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Result<size_t> LoopbackClient::ReadHead() {
  for (;;) {
    size_t end = buffer_.find(kHeadEnd);
    if (end != std::string::npos) return end + kHeadEnd.size();
    if (buffer_.size() > size_t{64} * 1024)
      return ValidationError("response header block over 64 KiB");
    BP_RETURN_IF_ERROR(RecvSome(fd_, buffer_));
  }
}

Status LoopbackClient::ReadAtLeast(size_t bytes) {
  while (buffer_.size() < bytes) BP_RETURN_IF_ERROR(RecvSome(fd_, buffer_));
  return Status::Ok();
}

Result<unsigned> LoopbackClient::RoundTrip(std::string_view request) {
  if (fd_ < 0) return IoError("not connected");
  BP_RETURN_IF_ERROR(SendAll(fd_, request));
  BP_ASSIGN_OR_RETURN(size_t head_size, ReadHead());
  std::string_view head(buffer_.data(), head_size);
  constexpr std::string_view kVersion = "HTTP/1.1 ";
  if (head.substr(0, kVersion.size()) != kVersion || head.size() < kVersion.size() + 3) {
    return ValidationError("not an HTTP/1.1 response: " + std::string(head.substr(0, 40)));
  }
  unsigned status = 0;
  for (char c : head.substr(kVersion.size(), 3)) {
    if (c < '0' || c > '9') return ValidationError("malformed status line");
    status = status * 10 + static_cast<unsigned>(c - '0');
  }
  std::optional<size_t> length = ContentLength(head);
  if (!length) return ValidationError("response without Content-Length (chunked is not supported)");
  BP_RETURN_IF_ERROR(ReadAtLeast(head_size + *length));
  body_.assign(buffer_, head_size, *length);
  buffer_.erase(0, head_size + *length);
  return status;
}

// ---- BaselineServer ----------------------------------------------------------

BaselineServer::~BaselineServer() {
  Join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

Status BaselineServer::Start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return OsError("socket");
  TuneSocket(listen_fd_);  // SO_RCVTIMEO bounds accept() too
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0) return OsError("bind");
  if (::listen(listen_fd_, 1) != 0) return OsError("listen");
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return OsError("getsockname");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
  return Status::Ok();
}

void BaselineServer::Join() {
  if (thread_.joinable()) thread_.join();
}

void BaselineServer::Serve() {
  int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;  // timed out: the client never came; it reports its own error
  TuneSocket(fd);
  std::string buffer;
  while (RecvSome(fd, buffer).ok()) {
    while (AnswerBuffered(fd, buffer)) {
    }
  }
  ::close(fd);
}

bool BaselineServer::AnswerBuffered(int fd, std::string& buffer) {
  size_t end = buffer.find(kHeadEnd);
  if (end == std::string::npos) return false;
  size_t head_size = end + kHeadEnd.size();
  size_t total =
      head_size + ContentLength(std::string_view(buffer).substr(0, head_size)).value_or(0);
  if (buffer.size() < total) return false;
  buffer.erase(0, total);
  if (!SendAll(fd, kBaselineResponse).ok()) return false;
  ++answered_;
  return true;
}

}  // namespace bp::bench
