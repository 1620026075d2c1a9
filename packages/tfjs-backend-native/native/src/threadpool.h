// A small persistent thread pool: the calling thread takes part, workers spin briefly
// between jobs (kernels come back to back) and then sleep. One job at a time; a call
// made while a job runs (from a task, or from another JS isolate) runs serially inline.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace samlab {

class ThreadPool {
 public:
  // Threads including the caller; <= 0 means the number of usable cores.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(task, thread) for every task in [0, tasks); returns when all are done.
  // `thread` is in [0, size()) and is stable within a call (use it for scratch space).
  void run(int tasks, const std::function<void(int task, int thread)>& fn);

  // The process-wide pool, sized by SAMLAB_NATIVE_THREADS or the usable cores.
  static ThreadPool& global();
  // Replaces the global pool (tests and benchmarks); not safe while a job runs.
  static void resize_global(int threads);

 private:
  void worker_loop(int thread);
  void work(int thread);

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;  // one job at a time
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(int, int)>* fn_ = nullptr;
  int tasks_ = 0;
  std::atomic<int> next_task_{0};
  std::atomic<int> busy_{0};
  std::atomic<uint64_t> generation_{0};
  bool stop_ = false;
};

// Number of usable cores (affinity-aware).
int usable_cores();

// Splits [0, n) into chunks of at least `grain` and runs fn(begin, end) over the pool.
// Small ranges run inline on the caller, waking no thread.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& fn);

}  // namespace samlab
