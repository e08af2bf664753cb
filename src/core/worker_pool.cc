#include "core/worker_pool.h"

#include <algorithm>
#include <utility>

namespace bp {

WorkerPool::WorkerPool(Options options) : capacity_(std::max<size_t>(1, options.queue_capacity)) {
  const int threads = std::max(1, options.threads);
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::TrySubmit(Job job) {
  {
    MutexLock lock(mu_);
    if (stopping_ || queue_.size() >= capacity_) return false;
    queue_.push_back(std::move(job));
  }
  wake_.NotifyOne();
  return true;
}

size_t WorkerPool::queued() const {
  MutexLock lock(mu_);
  return queue_.size();
}

void WorkerPool::Loop() {
  while (true) {
    Job job;
    {
      MutexLock lock(mu_);
      while (!stopping_ && queue_.empty()) wake_.Wait(mu_);
      // Stop() hands the waiting jobs back itself.
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job(true);
  }
}

void WorkerPool::Stop() {
  std::deque<Job> left;
  {
    MutexLock lock(mu_);
    stopping_ = true;
    left.swap(queue_);
  }
  wake_.NotifyAll();
  for (Job& job : left) job(false);
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace bp
