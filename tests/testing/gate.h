#pragma once
// A gate for concurrency tests: threads that Pass() while it is closed wait
// there until the test opens it, and the test can wait until a number of
// them have reached it (AwaitWaiting counts every Pass(), open or closed).

#include "core/mutex.h"

namespace bp::testing {

class Gate {
 public:
  explicit Gate(bool open) : open_(open) {}

  void Pass() {
    MutexLock lock(mu_);
    ++waiting_;
    cv_.NotifyAll();
    while (!open_) cv_.Wait(mu_);
  }
  void AwaitWaiting(int n) {
    MutexLock lock(mu_);
    while (waiting_ < n) cv_.Wait(mu_);
  }
  void Open() {
    MutexLock lock(mu_);
    open_ = true;
    cv_.NotifyAll();
  }
  void Close() {
    MutexLock lock(mu_);
    open_ = false;
  }

 private:
  Mutex mu_;
  CondVar cv_;
  int waiting_ BP_GUARDED_BY(mu_) = 0;
  bool open_ BP_GUARDED_BY(mu_);
};

}  // namespace bp::testing
