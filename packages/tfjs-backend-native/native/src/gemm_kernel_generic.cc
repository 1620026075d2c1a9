// Portable GEMM micro-kernel: plain loops the compiler vectorizes for the baseline ISA.
#include "dispatch.h"

namespace samlab {

namespace {
constexpr int MR = 4;
constexpr int NR = 8;

// Writes (or adds) an MR x NR accumulator tile into C.
void store_tile(const float (&acc)[MR][NR], float* c, ptrdiff_t ldc, bool accumulate) {
  for (int r = 0; r < MR; ++r) {
    float* cr = c + r * ldc;
    if (accumulate) {
      for (int j = 0; j < NR; ++j) cr[j] += acc[r][j];
    } else {
      for (int j = 0; j < NR; ++j) cr[j] = acc[r][j];
    }
  }
}

void kernel_4x8(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  float acc[MR][NR] = {};
  for (int k = 0; k < kc; ++k) {
    for (int r = 0; r < MR; ++r) {
      const float av = a[r];
      for (int j = 0; j < NR; ++j) acc[r][j] += av * b[j];
    }
    a += MR;
    b += NR;
  }
  store_tile(acc, c, ldc, accumulate);
}
void kernel_4x8_rows(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, bool accumulate) {
  float acc[MR][NR] = {};
  for (int k = 0; k < kc; ++k) {
    for (int r = 0; r < MR; ++r) {
      const float av = a[r * kc + k];
      for (int j = 0; j < NR; ++j) acc[r][j] += av * b[j];
    }
    b += NR;
  }
  store_tile(acc, c, ldc, accumulate);
}
}  // namespace

GemmKernel gemm_kernel_generic() { return GemmKernel{MR, NR, kernel_4x8, kernel_4x8_rows, "generic 4x8"}; }

}  // namespace samlab
