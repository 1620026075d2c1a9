// AVX-512F GEMM micro-kernel, 12x32: twenty-four zmm accumulators, two B vectors and one
// broadcast A value per step (27 of the 32 zmm registers). Compiled for avx512f by function
// attribute only; dispatch.cc picks it at run time on CPUs that have AVX-512F. Where 512-bit
// FMAs run at full width it does twice the AVX2 kernel's work per instruction.
#include "dispatch.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace samlab {

namespace {
constexpr int MR = 12;
constexpr int NR = 32;

#define SAMLAB_AVX512 __attribute__((target("avx512f")))

// RowPanel: A panel row-major (a[r*kc + k]) instead of k-interleaved (a[k*12 + r]).
template <bool RowPanel>
SAMLAB_AVX512 inline void kernel_12x32_impl(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  __m512 acc[MR][2];
  for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  const ptrdiff_t rs = RowPanel ? kc : 1;
  const ptrdiff_t ks = RowPanel ? 1 : MR;
  for (int k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_load_ps(b);
    const __m512 b1 = _mm512_load_ps(b + 16);
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * NR), _MM_HINT_T0);
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) {
      const __m512 av = _mm512_set1_ps(a[r * rs]);
      acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
    }
    a += ks;
    b += NR;
  }
#pragma GCC unroll 12
  for (int r = 0; r < MR; ++r) {
    float* cr = c + r * ldc;
    if (accumulate) {
      _mm512_storeu_ps(cr, _mm512_add_ps(_mm512_loadu_ps(cr), acc[r][0]));
      _mm512_storeu_ps(cr + 16, _mm512_add_ps(_mm512_loadu_ps(cr + 16), acc[r][1]));
    } else {
      _mm512_storeu_ps(cr, acc[r][0]);
      _mm512_storeu_ps(cr + 16, acc[r][1]);
    }
  }
}

SAMLAB_AVX512 void kernel_12x32(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  kernel_12x32_impl<false>(kc, a, b, c, ldc, accumulate);
}

SAMLAB_AVX512 void kernel_12x32_rows(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  kernel_12x32_impl<true>(kc, a, b, c, ldc, accumulate);
}
}  // namespace

GemmKernel gemm_kernel_avx512() { return GemmKernel{MR, NR, kernel_12x32, kernel_12x32_rows, "avx512f 12x32"}; }

}  // namespace samlab

#else

namespace samlab {
GemmKernel gemm_kernel_avx512() { return gemm_kernel_generic(); }
}  // namespace samlab

#endif
