#include "storage/sqlite/dir_lock.h"

#include <cstring>
#include <string>
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

namespace bp::storage::sqlite {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

// The pid the holder wrote, or "" if unreadable.
std::string ReadHolder(int fd) {
  char buffer[32] = {};
  const ssize_t n = pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return std::string();
  std::string text(buffer, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void WriteHolder(int fd) {
  const std::string pid = std::to_string(getpid()) + "\n";
  // Diagnostics only: a failed write leaves the lock itself intact.
  if (ftruncate(fd, 0) == 0) (void)!pwrite(fd, pid.data(), pid.size(), 0);
}

}  // namespace

Result<DirLock> DirLock::Acquire(const std::filesystem::path& lock_file) {
  const int fd = open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return IoError("cannot open lock file " + lock_file.string() + ": " + ErrnoText(errno));
  }
  DirLock lock(fd);
  int rc;
  do {
    rc = flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) {
      return IoError("cannot lock " + lock_file.string() + ": " + ErrnoText(err));
    }
    const std::string holder = ReadHolder(fd);
    return Status(ErrorCode::kResourceInUse,
                  "state directory " + lock_file.parent_path().string() +
                      " is in use by another bedrock-profiles process" +
                      (holder.empty() ? std::string() : " (pid " + holder + ")") + " holding " +
                      lock_file.string() + "; stop it or choose another --state directory");
  }
  WriteHolder(fd);
  return lock;
}

DirLock::~DirLock() {
  if (fd_ >= 0) close(fd_);
}

Status SyncDirectory(const std::filesystem::path& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open directory " + dir.string() + ": " + ErrnoText(errno));
  const int rc = fsync(fd);
  const int err = errno;
  close(fd);
  if (rc != 0) return IoError("cannot sync directory " + dir.string() + ": " + ErrnoText(err));
  return Status::Ok();
}

}  // namespace bp::storage::sqlite
