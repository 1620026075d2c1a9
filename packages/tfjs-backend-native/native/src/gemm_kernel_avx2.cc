// AVX2+FMA GEMM micro-kernel, 6x16: twelve ymm accumulators, two B vectors and one
// broadcast A value per step. Compiled for avx2/fma by function attribute only, so the
// library still runs on CPUs without them (dispatch.cc picks it at run time).
#include "dispatch.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace samlab {

namespace {
constexpr int MR = 6;
constexpr int NR = 16;

#define SAMLAB_AVX2 __attribute__((target("avx2,fma")))

// RowPanel: A panel row-major (a[r*kc + k]) instead of k-interleaved (a[k*6 + r]).
template <bool RowPanel>
SAMLAB_AVX2 inline void kernel_6x16_impl(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  // Element r of A's step-`k` column: interleaved a[k*6 + r], or row-major a[r*kc + k].
  const ptrdiff_t rs = RowPanel ? kc : 1;
  const ptrdiff_t ks = RowPanel ? 1 : MR;
#define SAMLAB_STEP(KK, OFF_B)                                      \
  {                                                                 \
    const float* ak = a + (KK) * ks;                                \
    const __m256 b0 = _mm256_load_ps(b + (OFF_B));                  \
    const __m256 b1 = _mm256_load_ps(b + (OFF_B) + 8);              \
    __m256 av = _mm256_broadcast_ss(ak);                            \
    c00 = _mm256_fmadd_ps(av, b0, c00);                             \
    c01 = _mm256_fmadd_ps(av, b1, c01);                             \
    av = _mm256_broadcast_ss(ak + rs);                              \
    c10 = _mm256_fmadd_ps(av, b0, c10);                             \
    c11 = _mm256_fmadd_ps(av, b1, c11);                             \
    av = _mm256_broadcast_ss(ak + 2 * rs);                          \
    c20 = _mm256_fmadd_ps(av, b0, c20);                             \
    c21 = _mm256_fmadd_ps(av, b1, c21);                             \
    av = _mm256_broadcast_ss(ak + 3 * rs);                          \
    c30 = _mm256_fmadd_ps(av, b0, c30);                             \
    c31 = _mm256_fmadd_ps(av, b1, c31);                             \
    av = _mm256_broadcast_ss(ak + 4 * rs);                          \
    c40 = _mm256_fmadd_ps(av, b0, c40);                             \
    c41 = _mm256_fmadd_ps(av, b1, c41);                             \
    av = _mm256_broadcast_ss(ak + 5 * rs);                          \
    c50 = _mm256_fmadd_ps(av, b0, c50);                             \
    c51 = _mm256_fmadd_ps(av, b1, c51);                             \
  }
  int k = 0;
  for (; k + 4 <= kc; k += 4) {
    if (!RowPanel) _mm_prefetch(reinterpret_cast<const char*>(a + 96), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(b + 256), _MM_HINT_T0);
    SAMLAB_STEP(0, 0)
    SAMLAB_STEP(1, 16)
    SAMLAB_STEP(2, 32)
    SAMLAB_STEP(3, 48)
    a += 4 * ks;
    b += 4 * NR;
  }
  for (; k < kc; ++k) {
    SAMLAB_STEP(0, 0)
    a += ks;
    b += NR;
  }
#undef SAMLAB_STEP
#define SAMLAB_STORE(ROW, V0, V1)                                               \
  {                                                                             \
    float* cr = c + (ROW) * ldc;                                                \
    if (accumulate) {                                                           \
      _mm256_storeu_ps(cr, _mm256_add_ps(_mm256_loadu_ps(cr), V0));             \
      _mm256_storeu_ps(cr + 8, _mm256_add_ps(_mm256_loadu_ps(cr + 8), V1));     \
    } else {                                                                    \
      _mm256_storeu_ps(cr, V0);                                                 \
      _mm256_storeu_ps(cr + 8, V1);                                             \
    }                                                                           \
  }
  SAMLAB_STORE(0, c00, c01)
  SAMLAB_STORE(1, c10, c11)
  SAMLAB_STORE(2, c20, c21)
  SAMLAB_STORE(3, c30, c31)
  SAMLAB_STORE(4, c40, c41)
  SAMLAB_STORE(5, c50, c51)
#undef SAMLAB_STORE
}

SAMLAB_AVX2 void kernel_6x16(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  kernel_6x16_impl<false>(kc, a, b, c, ldc, accumulate);
}

SAMLAB_AVX2 void kernel_6x16_rows(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  kernel_6x16_impl<true>(kc, a, b, c, ldc, accumulate);
}
}  // namespace

GemmKernel gemm_kernel_avx2() { return GemmKernel{MR, NR, kernel_6x16, kernel_6x16_rows, "avx2+fma 6x16"}; }

}  // namespace samlab

#else

namespace samlab {
GemmKernel gemm_kernel_avx2() { return gemm_kernel_generic(); }
}  // namespace samlab

#endif
