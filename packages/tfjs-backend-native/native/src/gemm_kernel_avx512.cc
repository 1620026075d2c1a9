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

// A read in place from an image (no packing): A(r, s*len + j) = a[s*seg_step + r*rs + j], the
// forward convolution of 32 or more channels in the padded layout of conv_s1_direct. Two base
// pointers, six rows each at offsets 0, rs, ..., 5rs (base + index * scale addressing).
SAMLAB_AVX512 void kernel_12x32_segments(int nseg, int len, ptrdiff_t seg_step, const float* a, ptrdiff_t rs,
                                         const float* b, float* c, ptrdiff_t ldc) {
  __m512 acc[MR][2];
  for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  const ptrdiff_t s1 = rs, s3 = 3 * rs, s5 = 5 * rs;
  for (int s = 0; s < nseg; ++s) {
    const float* base = a + s * seg_step;
    const float* p[2] = {base, base + 6 * s1};
    for (int k = 0; k < len; ++k) {
      const __m512 b0 = _mm512_load_ps(b);
      const __m512 b1 = _mm512_load_ps(b + 16);
      _mm_prefetch(reinterpret_cast<const char*>(b + 8 * NR), _MM_HINT_T0);
#pragma GCC unroll 2
      for (int q = 0; q < 2; ++q) {
        const float* pq = p[q] + k;
        const __m512 a0 = _mm512_set1_ps(pq[0]), a1 = _mm512_set1_ps(pq[s1]), a2 = _mm512_set1_ps(pq[2 * s1]);
        acc[6 * q + 0][0] = _mm512_fmadd_ps(a0, b0, acc[6 * q + 0][0]);
        acc[6 * q + 0][1] = _mm512_fmadd_ps(a0, b1, acc[6 * q + 0][1]);
        acc[6 * q + 1][0] = _mm512_fmadd_ps(a1, b0, acc[6 * q + 1][0]);
        acc[6 * q + 1][1] = _mm512_fmadd_ps(a1, b1, acc[6 * q + 1][1]);
        acc[6 * q + 2][0] = _mm512_fmadd_ps(a2, b0, acc[6 * q + 2][0]);
        acc[6 * q + 2][1] = _mm512_fmadd_ps(a2, b1, acc[6 * q + 2][1]);
        const __m512 a3 = _mm512_set1_ps(pq[s3]), a4 = _mm512_set1_ps(pq[4 * s1]), a5 = _mm512_set1_ps(pq[s5]);
        acc[6 * q + 3][0] = _mm512_fmadd_ps(a3, b0, acc[6 * q + 3][0]);
        acc[6 * q + 3][1] = _mm512_fmadd_ps(a3, b1, acc[6 * q + 3][1]);
        acc[6 * q + 4][0] = _mm512_fmadd_ps(a4, b0, acc[6 * q + 4][0]);
        acc[6 * q + 4][1] = _mm512_fmadd_ps(a4, b1, acc[6 * q + 4][1]);
        acc[6 * q + 5][0] = _mm512_fmadd_ps(a5, b0, acc[6 * q + 5][0]);
        acc[6 * q + 5][1] = _mm512_fmadd_ps(a5, b1, acc[6 * q + 5][1]);
      }
      b += NR;
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < MR; ++r) {
    _mm512_storeu_ps(c + r * ldc, acc[r][0]);
    _mm512_storeu_ps(c + r * ldc + 16, acc[r][1]);
  }
}

// C[0:12, 0:32] (+)= sum over k < kc of a[k*ks + r] b[k*bs + j], both read in place.
SAMLAB_AVX512 void kernel_12x32_kstrided(int kc, const float* a, ptrdiff_t ks, const float* b, ptrdiff_t bs, float* c,
                                         ptrdiff_t ldc, bool accumulate) {
  __m512 acc[MR][2];
  for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) {
      const __m512 av = _mm512_set1_ps(a[r]);
      acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
    }
    a += ks;
    b += bs;
  }
#pragma GCC unroll 12
  for (int r = 0; r < MR; ++r) {
    float* cr = c + r * ldc;
    _mm512_storeu_ps(cr, accumulate ? _mm512_add_ps(_mm512_loadu_ps(cr), acc[r][0]) : acc[r][0]);
    _mm512_storeu_ps(cr + 16, accumulate ? _mm512_add_ps(_mm512_loadu_ps(cr + 16), acc[r][1]) : acc[r][1]);
  }
}

// 24x16, for GEMMs only 16 columns wide (convolutions with 16 channels), where the 12x32 tile
// would compute as many zero columns as real ones: twenty-four zmm accumulators, one B vector
// and the A values broadcast from memory by the FMAs themselves.
constexpr int MR_N = 24;
constexpr int NR_N = 16;

template <bool RowPanel>
SAMLAB_AVX512 inline void kernel_24x16_impl(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  __m512 acc[MR_N];
  for (int r = 0; r < MR_N; ++r) acc[r] = _mm512_setzero_ps();
  if (RowPanel) {
    // Twenty-four row streams would take as many address registers: four base pointers,
    // six rows each, at offsets 0, s, 2s, 3s, 4s, 5s (base + index * scale addressing).
    const ptrdiff_t s1 = kc, s3 = 3 * static_cast<ptrdiff_t>(kc), s5 = 5 * static_cast<ptrdiff_t>(kc);
    const float* p[4] = {a, a + 6 * s1, a + 12 * s1, a + 18 * s1};
    for (int k = 0; k < kc; ++k) {
      const __m512 b0 = _mm512_load_ps(b);
      _mm_prefetch(reinterpret_cast<const char*>(b + 8 * NR_N), _MM_HINT_T0);
#pragma GCC unroll 4
      for (int q = 0; q < 4; ++q) {
        const float* pq = p[q] + k;
        acc[6 * q + 0] = _mm512_fmadd_ps(_mm512_set1_ps(pq[0]), b0, acc[6 * q + 0]);
        acc[6 * q + 1] = _mm512_fmadd_ps(_mm512_set1_ps(pq[s1]), b0, acc[6 * q + 1]);
        acc[6 * q + 2] = _mm512_fmadd_ps(_mm512_set1_ps(pq[2 * s1]), b0, acc[6 * q + 2]);
        acc[6 * q + 3] = _mm512_fmadd_ps(_mm512_set1_ps(pq[s3]), b0, acc[6 * q + 3]);
        acc[6 * q + 4] = _mm512_fmadd_ps(_mm512_set1_ps(pq[4 * s1]), b0, acc[6 * q + 4]);
        acc[6 * q + 5] = _mm512_fmadd_ps(_mm512_set1_ps(pq[s5]), b0, acc[6 * q + 5]);
      }
      b += NR_N;
    }
  } else {
    for (int k = 0; k < kc; ++k) {
      const __m512 b0 = _mm512_load_ps(b);
      _mm_prefetch(reinterpret_cast<const char*>(b + 8 * NR_N), _MM_HINT_T0);
#pragma GCC unroll 24
      for (int r = 0; r < MR_N; ++r) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r]), b0, acc[r]);
      a += MR_N;
      b += NR_N;
    }
  }
#pragma GCC unroll 24
  for (int r = 0; r < MR_N; ++r) {
    float* cr = c + r * ldc;
    _mm512_storeu_ps(cr, accumulate ? _mm512_add_ps(_mm512_loadu_ps(cr), acc[r]) : acc[r]);
  }
}

SAMLAB_AVX512 void kernel_24x16(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  kernel_24x16_impl<false>(kc, a, b, c, ldc, accumulate);
}

SAMLAB_AVX512 void kernel_24x16_rows(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  kernel_24x16_impl<true>(kc, a, b, c, ldc, accumulate);
}
}  // namespace

namespace {
// A read in place from an image (no packing): A(r, s*len + j) = a[s*seg_step + r*rs + j].
// Same FMA order as kernel_24x16 over the same depth, so the same sums bit for bit.
SAMLAB_AVX512 void kernel_24x16_segments(int nseg, int len, ptrdiff_t seg_step, const float* a, ptrdiff_t rs,
                                         const float* b, float* c, ptrdiff_t ldc) {
  __m512 acc[MR_N];
  for (int r = 0; r < MR_N; ++r) acc[r] = _mm512_setzero_ps();
  const ptrdiff_t s1 = rs, s3 = 3 * rs, s5 = 5 * rs;
  for (int s = 0; s < nseg; ++s) {
    const float* base = a + s * seg_step;
    const float* p[4] = {base, base + 6 * s1, base + 12 * s1, base + 18 * s1};
    for (int k = 0; k < len; ++k) {
      const __m512 b0 = _mm512_load_ps(b);
      _mm_prefetch(reinterpret_cast<const char*>(b + 8 * NR_N), _MM_HINT_T0);
#pragma GCC unroll 4
      for (int q = 0; q < 4; ++q) {
        const float* pq = p[q] + k;
        acc[6 * q + 0] = _mm512_fmadd_ps(_mm512_set1_ps(pq[0]), b0, acc[6 * q + 0]);
        acc[6 * q + 1] = _mm512_fmadd_ps(_mm512_set1_ps(pq[s1]), b0, acc[6 * q + 1]);
        acc[6 * q + 2] = _mm512_fmadd_ps(_mm512_set1_ps(pq[2 * s1]), b0, acc[6 * q + 2]);
        acc[6 * q + 3] = _mm512_fmadd_ps(_mm512_set1_ps(pq[s3]), b0, acc[6 * q + 3]);
        acc[6 * q + 4] = _mm512_fmadd_ps(_mm512_set1_ps(pq[4 * s1]), b0, acc[6 * q + 4]);
        acc[6 * q + 5] = _mm512_fmadd_ps(_mm512_set1_ps(pq[s5]), b0, acc[6 * q + 5]);
      }
      b += NR_N;
    }
  }
#pragma GCC unroll 24
  for (int r = 0; r < MR_N; ++r) _mm512_storeu_ps(c + r * ldc, acc[r]);
}

// C[0:24, 0:16] (+)= sum over k < kc of a[k*ks + r] b[k*bs + j]: both operands read in place
// with any k stride (the filter gradient of a stride-1 convolution: taps from a padded image,
// output gradients from a row buffer).
SAMLAB_AVX512 void kernel_24x16_kstrided(int kc, const float* a, ptrdiff_t ks, const float* b, ptrdiff_t bs, float* c,
                                         ptrdiff_t ldc, bool accumulate) {
  __m512 acc[MR_N];
  for (int r = 0; r < MR_N; ++r) acc[r] = _mm512_setzero_ps();
  for (int k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_loadu_ps(b);
#pragma GCC unroll 24
    for (int r = 0; r < MR_N; ++r) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r]), b0, acc[r]);
    a += ks;
    b += bs;
  }
#pragma GCC unroll 24
  for (int r = 0; r < MR_N; ++r) {
    float* cr = c + r * ldc;
    _mm512_storeu_ps(cr, accumulate ? _mm512_add_ps(_mm512_loadu_ps(cr), acc[r]) : acc[r]);
  }
}
}  // namespace

GemmKernel gemm_kernel_avx512() {
  return GemmKernel{MR, NR, kernel_12x32, kernel_12x32_rows, "avx512f 12x32", kernel_12x32_segments, kernel_12x32_kstrided};
}
GemmKernel gemm_kernel_avx512_narrow() {
  return GemmKernel{MR_N, NR_N, kernel_24x16, kernel_24x16_rows, "avx512f 24x16", kernel_24x16_segments,
                    kernel_24x16_kstrided};
}

}  // namespace samlab

#else

namespace samlab {
GemmKernel gemm_kernel_avx512() { return gemm_kernel_generic(); }
GemmKernel gemm_kernel_avx512_narrow() { return gemm_kernel_generic(); }
}  // namespace samlab

#endif
