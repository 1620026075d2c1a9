// The machine's fp32 peak, measured: independent fused multiply-add chains on every thread
// of the pool, with the SIMD width the GEMM kernels use (16 lanes with AVX-512, else 8).
#pragma once

#include <cstdint>

namespace samlab {

struct PeakMeasurement {
  double gflops;   // all threads together
  int threads;
  int64_t flops;   // counted in the timed run
  double seconds;  // wall time of the timed run
};

// Runs `iterations` rounds of the FMA loop on every thread after a short warm-up.
PeakMeasurement measure_peak(int64_t iterations);

}  // namespace samlab
