// Runtime choice of SIMD kernels: AVX-512F where the CPU has it, else AVX2+FMA, else a
// portable path. SAMLAB_NATIVE_SIMD=generic or =avx2 caps the choice (tests, comparisons).
#pragma once

#include <cstddef>

namespace samlab {

// C[0:MR, 0:NR] (+)= A panel * B panel [kc x NR]; C row stride ldc. The A panel is
// k-interleaved (a[k*MR + r]) for `full`, row-major (a[r*kc + k]) for `full_rows`.
using MicroKernel = void (*)(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate);

// C[0:MR, 0:NR] = A * B panel [nseg*len x NR] with A read in place (never packed):
// A(r, s*len + j) = a[s*seg_step + r*rs + j]. What a stride-1 convolution's im2col is in a
// zero-padded image (rs = channels, one segment per filter row).
using SegmentKernel = void (*)(int nseg, int len, ptrdiff_t seg_step, const float* a, ptrdiff_t rs, const float* b,
                               float* c, ptrdiff_t ldc);

// C[0:MR, 0:NR] (+)= sum over k < kc of a[k*ks + r] b[k*bs + j], both read in place.
using StridedKernel = void (*)(int kc, const float* a, ptrdiff_t ks, const float* b, ptrdiff_t bs, float* c,
                               ptrdiff_t ldc, bool accumulate);

struct GemmKernel {
  int mr;
  int nr;
  MicroKernel full;       // a full MR x NR tile, k-interleaved A panel
  MicroKernel full_rows;  // the same with a row-major A panel
  const char* name;
  SegmentKernel segments = nullptr;  // where the instruction set has one
  StridedKernel kstrided = nullptr;  // likewise
};

enum class Simd { Generic, Avx2, Avx512 };

struct Dispatch {
  Simd simd;
  GemmKernel gemm;
  // For GEMMs at most half as wide as gemm.nr (N = 16 with AVX-512): a tile of that width,
  // so no half of the work is spent on zero columns. The same as gemm where gemm.nr <= 16.
  GemmKernel narrow;
};

// The kernels for this CPU, chosen once.
const Dispatch& dispatch();
const char* simd_name(Simd s);

// Per-instruction-set kernels, defined in their own translation units.
GemmKernel gemm_kernel_generic();
GemmKernel gemm_kernel_avx2();
GemmKernel gemm_kernel_avx512();
GemmKernel gemm_kernel_avx512_narrow();

// The largest micro-kernel tile any dispatch may choose (scratch for edge tiles).
constexpr int kMaxMR = 24;
constexpr int kMaxNR = 32;

}  // namespace samlab
