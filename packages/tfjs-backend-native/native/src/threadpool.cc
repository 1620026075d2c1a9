#include "threadpool.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SAMLAB_PAUSE() _mm_pause()
#else
#define SAMLAB_PAUSE() std::this_thread::yield()
#endif

namespace samlab {

namespace {
thread_local bool in_pool_task = false;
// How long a thread spins before it sleeps: enough to bridge the JavaScript between two
// kernels of a training step, short enough not to burn a core while JavaScript runs long.
constexpr auto kSpin = std::chrono::microseconds(100);

// Spins until `done()` or the spin budget is spent; true when `done()` became true.
template <typename F>
bool spin_until(F&& done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      SAMLAB_PAUSE();
    }
    if (std::chrono::steady_clock::now() >= deadline) return done();
  }
}
}  // namespace

int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = usable_cores();
  threads = std::min(threads, 256);
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { worker_loop(t); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::work(int thread) {
  const bool was = in_pool_task;
  in_pool_task = true;
  for (;;) {
    int task = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (task >= tasks_) break;
    (*fn_)(task, thread);
  }
  in_pool_task = was;
}

void ThreadPool::worker_loop(int thread) {
  uint64_t seen = 0;
  for (;;) {
    // Spin a little for the next job, then sleep.
    if (!spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stop_) return;
    work(thread);
    if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
  }
}

void ThreadPool::run(int tasks, const std::function<void(int, int)>& fn) {
  if (tasks <= 0) return;
  std::unique_lock<std::mutex> job(job_mutex_, std::try_to_lock);
  if (tasks == 1 || workers_.empty() || in_pool_task || !job.owns_lock()) {
    // Nested or concurrent call: run inline so it cannot deadlock.
    for (int t = 0; t < tasks; ++t) fn(t, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = &fn;
    tasks_ = tasks;
    next_task_.store(0, std::memory_order_relaxed);
    busy_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  work(0);
  // Wait for the workers: spin first (they are usually nearly done), then sleep.
  if (!spin_until([&] { return busy_.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return busy_.load(std::memory_order_acquire) == 0; });
  }
  fn_ = nullptr;
}

namespace {
std::unique_ptr<ThreadPool>& global_slot() {
  static std::unique_ptr<ThreadPool> pool;
  return pool;
}

int threads_from_env() {
  const char* s = std::getenv("SAMLAB_NATIVE_THREADS");
  if (s == nullptr || *s == '\0') return 0;
  int n = std::atoi(s);
  return n > 0 ? n : 0;
}
}  // namespace

ThreadPool& ThreadPool::global() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (!global_slot()) global_slot() = std::make_unique<ThreadPool>(threads_from_env());
  });
  return *global_slot();
}

void ThreadPool::resize_global(int threads) {
  global();  // make sure the once-initialisation has happened
  global_slot().reset();
  global_slot() = std::make_unique<ThreadPool>(threads > 0 ? threads : threads_from_env());
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  ThreadPool& pool = ThreadPool::global();
  grain = std::max<int64_t>(grain, 1);
  int64_t max_chunks = (n + grain - 1) / grain;
  int chunks = static_cast<int>(std::min<int64_t>(max_chunks, pool.size()));
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  pool.run(chunks, [&](int task, int) {
    int64_t begin = n * task / chunks;
    int64_t end = n * (task + 1) / chunks;
    if (begin < end) fn(begin, end);
  });
}

}  // namespace samlab
