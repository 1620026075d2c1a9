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

SAMLAB_AVX2 void kernel_6x16(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#define SAMLAB_STEP(OFF_A, OFF_B)                                   \
  {                                                                 \
    const __m256 b0 = _mm256_load_ps(b + (OFF_B));                  \
    const __m256 b1 = _mm256_load_ps(b + (OFF_B) + 8);              \
    __m256 av = _mm256_broadcast_ss(a + (OFF_A) + 0);               \
    c00 = _mm256_fmadd_ps(av, b0, c00);                             \
    c01 = _mm256_fmadd_ps(av, b1, c01);                             \
    av = _mm256_broadcast_ss(a + (OFF_A) + 1);                      \
    c10 = _mm256_fmadd_ps(av, b0, c10);                             \
    c11 = _mm256_fmadd_ps(av, b1, c11);                             \
    av = _mm256_broadcast_ss(a + (OFF_A) + 2);                      \
    c20 = _mm256_fmadd_ps(av, b0, c20);                             \
    c21 = _mm256_fmadd_ps(av, b1, c21);                             \
    av = _mm256_broadcast_ss(a + (OFF_A) + 3);                      \
    c30 = _mm256_fmadd_ps(av, b0, c30);                             \
    c31 = _mm256_fmadd_ps(av, b1, c31);                             \
    av = _mm256_broadcast_ss(a + (OFF_A) + 4);                      \
    c40 = _mm256_fmadd_ps(av, b0, c40);                             \
    c41 = _mm256_fmadd_ps(av, b1, c41);                             \
    av = _mm256_broadcast_ss(a + (OFF_A) + 5);                      \
    c50 = _mm256_fmadd_ps(av, b0, c50);                             \
    c51 = _mm256_fmadd_ps(av, b1, c51);                             \
  }
  int k = 0;
  for (; k + 4 <= kc; k += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(a + 96), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(b + 256), _MM_HINT_T0);
    SAMLAB_STEP(0, 0)
    SAMLAB_STEP(6, 16)
    SAMLAB_STEP(12, 32)
    SAMLAB_STEP(18, 48)
    a += 4 * MR;
    b += 4 * NR;
  }
  for (; k < kc; ++k) {
    SAMLAB_STEP(0, 0)
    a += MR;
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
}  // namespace

GemmKernel gemm_kernel_avx2() { return GemmKernel{MR, NR, kernel_6x16, "avx2+fma 6x16"}; }

}  // namespace samlab

#else

namespace samlab {
GemmKernel gemm_kernel_avx2() { return gemm_kernel_generic(); }
}  // namespace samlab

#endif
