#pragma once
// A std::mutex that clang's -Wthread-safety analysis understands, and its
// scoped lock. libstdc++'s std::mutex carries no capability annotations, so
// GUARDED_BY(std::mutex) cannot be checked; these thin wrappers can.
//
// Use these (not std::mutex) for shared mutable state, so STYLE.md E.25's
// GUARDED_BY/REQUIRES annotations are checked at compile time.

#include <mutex>

#if defined(__clang__)
#define BP_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define BP_THREAD_ANNOTATION_(x)
#endif

#define BP_CAPABILITY(x) BP_THREAD_ANNOTATION_(capability(x))
#define BP_SCOPED_CAPABILITY BP_THREAD_ANNOTATION_(scoped_lockable)
#define BP_GUARDED_BY(x) BP_THREAD_ANNOTATION_(guarded_by(x))
#define BP_PT_GUARDED_BY(x) BP_THREAD_ANNOTATION_(pt_guarded_by(x))
#define BP_REQUIRES(...) BP_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define BP_EXCLUDES(...) BP_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#define BP_ACQUIRE(...) BP_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define BP_RELEASE(...) BP_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))

namespace bp {

// Non-recursive exclusive lock. Not copyable or movable.
class BP_CAPABILITY("mutex") Mutex final {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() BP_ACQUIRE() { mu_.lock(); }
  void Unlock() BP_RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Holds `mu` for the lifetime of the object.
class BP_SCOPED_CAPABILITY MutexLock final {
 public:
  explicit MutexLock(Mutex& mu) BP_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() BP_RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace bp
