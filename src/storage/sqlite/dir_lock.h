#pragma once
// An exclusive advisory lock on a file (flock(2)), held while the object
// lives. Used to keep two servers off one state directory. Private to
// storage/sqlite.
//
// flock locks belong to the open file description, so a second Acquire of
// the same file fails even from the same process, and the kernel releases
// the lock when the holder exits, however it exits (kill -9 included).

#include <filesystem>

#include "core/status.h"

namespace bp::storage::sqlite {

class DirLock final {
 public:
  // Creates `lock_file` if absent, locks it without waiting and writes the
  // holder's pid into it (for the error message other processes see).
  // kResourceInUse, naming the file and the holder's pid, when another open
  // holds the lock; kIo when the file cannot be opened or locked.
  static Result<DirLock> Acquire(const std::filesystem::path& lock_file);

  DirLock(DirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirLock& operator=(DirLock&&) = delete;
  DirLock(const DirLock&) = delete;
  ~DirLock();  // closes the file, releasing the lock

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

// fsync(2) on a directory, so that entries created in it (the database, its
// WAL, the lock file) survive power loss. kIo on failure.
Status SyncDirectory(const std::filesystem::path& dir);

}  // namespace bp::storage::sqlite
