#include "peak.h"

#include <atomic>
#include <chrono>

#include "dispatch.h"
#include "threadpool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace samlab {
namespace {

// Ten independent accumulators hide the FMA latency (4-5 cycles) on two FMA ports.
constexpr int kChains = 10;

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma"))) float fma_avx2(int64_t iterations, float seed) {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(seed + static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.9999999f);
  const __m256 b = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(32) float out[8];
  _mm256_store_ps(out, sum);
  return out[0] + out[7];
}

__attribute__((target("avx512f"))) float fma_avx512(int64_t iterations, float seed) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(seed + static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.9999999f);
  const __m512 b = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  return _mm512_reduce_add_ps(sum);
}
#endif

float fma_generic(int64_t iterations, float seed) {
  float acc[kChains * 8];
  for (int i = 0; i < kChains * 8; ++i) acc[i] = seed + static_cast<float>(i);
  for (int64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains * 8; ++i) acc[i] = acc[i] * 0.9999999f + 1e-7f;
  }
  float sum = 0;
  for (int i = 0; i < kChains * 8; ++i) sum += acc[i];
  return sum;
}

// Lanes of the vectors the loop uses: the GEMM kernels' width.
int lanes() { return dispatch().simd == Simd::Avx512 ? 16 : 8; }

float run_chains(int64_t iterations, float seed) {
#if defined(__x86_64__) || defined(__i386__)
  if (dispatch().simd == Simd::Avx512) return fma_avx512(iterations, seed);
  if (dispatch().simd == Simd::Avx2) return fma_avx2(iterations, seed);
#endif
  return fma_generic(iterations, seed);
}

}  // namespace

PeakMeasurement measure_peak(int64_t iterations) {
  ThreadPool& pool = ThreadPool::global();
  const int threads = pool.size();
  std::atomic<float> sink{0};
  auto round = [&](int64_t n) {
    pool.run(threads, [&](int task, int) { sink.store(run_chains(n, static_cast<float>(task))); });
  };
  round(iterations / 10 + 1);  // warm-up: wake the workers, settle the clock
  const auto t0 = std::chrono::steady_clock::now();
  round(iterations);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // One FMA is 2 flops per lane, per chain, per iteration, per thread (the portable loop runs 8 lanes' worth).
  const int64_t flops = iterations * kChains * 2 * lanes() * threads;
  return {seconds > 0 ? static_cast<double>(flops) / seconds / 1e9 : 0.0, threads, flops, seconds};
}

}  // namespace samlab
