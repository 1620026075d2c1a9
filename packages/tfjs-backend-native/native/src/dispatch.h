// Runtime choice of SIMD kernels: AVX2+FMA where the CPU has them, a portable path
// otherwise. SAMLAB_NATIVE_SIMD=generic forces the portable path (for tests).
#pragma once

#include <cstddef>

namespace samlab {

// C[0:MR, 0:NR] (+)= A panel * B panel [kc x NR]; C row stride ldc. The A panel is
// k-interleaved (a[k*MR + r]) for `full`, row-major (a[r*kc + k]) for `full_rows`.
using MicroKernel = void (*)(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate);

struct GemmKernel {
  int mr;
  int nr;
  MicroKernel full;       // a full MR x NR tile, k-interleaved A panel
  MicroKernel full_rows;  // the same with a row-major A panel
  const char* name;
};

enum class Simd { Generic, Avx2 };

struct Dispatch {
  Simd simd;
  GemmKernel gemm;
};

// The kernels for this CPU, chosen once.
const Dispatch& dispatch();
const char* simd_name(Simd s);

// Per-instruction-set kernels, defined in their own translation units.
GemmKernel gemm_kernel_generic();
GemmKernel gemm_kernel_avx2();

}  // namespace samlab
