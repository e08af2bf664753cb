#include "planner/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

namespace bp::planner {

namespace {

Status Failure(const std::filesystem::path& path, std::string_view what, int err) {
  return IoError(path.string() + ": " + std::string(what) + ": " + std::strerror(err));
}

Status WriteAll(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status(ErrorCode::kIo, n < 0 ? std::strerror(errno) : "short write");
    content.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Failure(dir, "cannot open the directory to sync it", errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Failure(dir, "cannot sync the directory", err);
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content,
                           mode_t mode) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::string temp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return Failure(path, "cannot create a temporary file beside it", errno);
  auto abandon = [&](Status status) {
    ::close(fd);
    ::unlink(temp.c_str());
    return status;
  };
  if (::fchmod(fd, mode) != 0) return abandon(Failure(path, "cannot set the file mode", errno));
  if (Status s = WriteAll(fd, content); !s.ok()) {
    return abandon(IoError(path.string() + ": cannot write: " + s.message()));
  }
  if (::fsync(fd) != 0) return abandon(Failure(path, "cannot sync", errno));
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return Failure(path, "cannot close", err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return Failure(path, "cannot replace", err);
  }
  return SyncDirectory(dir);
}

Result<std::string> ReadSmallFile(const std::filesystem::path& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Failure(path, "cannot open", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return IoError(path.string() + ": not a regular file");
  }
  std::string out;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Failure(path, "cannot read", err);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return IoError(path.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace bp::planner
