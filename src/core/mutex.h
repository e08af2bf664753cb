#pragma once
// A std::mutex that clang's -Wthread-safety analysis understands, and its
// scoped lock. libstdc++'s std::mutex carries no capability annotations, so
// GUARDED_BY(std::mutex) cannot be checked; these thin wrappers can.
//
// Use these (not std::mutex) for shared mutable state, so STYLE.md E.25's
// GUARDED_BY/REQUIRES annotations are checked at compile time.

#include <chrono>
#include <condition_variable>
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
  friend class CondVar;
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

// A condition variable over a Mutex the caller holds (through a MutexLock).
// Wait/WaitFor release the mutex while blocked and hold it again on return,
// so the analysis sees it held throughout, as it is for the caller's code.
class CondVar final {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void Wait(Mutex& mu) BP_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // False on timeout.
  template <class Rep, class Period>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> timeout) BP_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool woken = cv_.wait_for(lock, timeout) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace bp
