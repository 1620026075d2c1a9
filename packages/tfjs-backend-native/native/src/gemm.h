// Cache-blocked packed SGEMM (the BLIS loop structure) with pluggable packing, so the
// same driver serves plain matrices in any transpose and implicit-im2col convolutions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dispatch.h"

namespace samlab {

// Packs rows [i0, i0+mc) x depth [k0, k0+kc) of the left operand into panels of `mr`
// rows, zero past mc. Panel p starts at dst + p*kc*mr and is k-interleaved,
// [k*mr + r] = A(i0 + p*mr + r, k0 + k), or, when row_panels() is true, row-major,
// [r*kc + k]: the cheap layout when rows of A are contiguous in memory.
class PackA {
 public:
  virtual ~PackA() = default;
  virtual void pack(int i0, int mc, int k0, int kc, int mr, float* dst) const = 0;
  virtual bool row_panels() const { return false; }
};

// Packs depth [k0, k0+kc) x columns [j0, j0+nc) of the right operand into panels of `nr`
// columns: dst[p*kc*nr + k*nr + c] = B(k0 + k, j0 + p*nr + c), zero past nc.
class PackB {
 public:
  virtual ~PackB() = default;
  virtual void pack(int k0, int kc, int j0, int nc, int nr, float* dst) const = 0;
};

// A(i, k) = data[i*row_stride + k*col_stride]: any transpose of a dense matrix.
class StridedA final : public PackA {
 public:
  StridedA(const float* data, ptrdiff_t row_stride, ptrdiff_t col_stride) : p_(data), rs_(row_stride), cs_(col_stride) {}
  void pack(int i0, int mc, int k0, int kc, int mr, float* dst) const override;
  bool row_panels() const override { return cs_ == 1 && rs_ != 1; }

 private:
  const float* p_;
  ptrdiff_t rs_, cs_;
};

// B(k, j) = data[k*row_stride + j*col_stride].
class StridedB final : public PackB {
 public:
  StridedB(const float* data, ptrdiff_t row_stride, ptrdiff_t col_stride) : p_(data), rs_(row_stride), cs_(col_stride) {}
  void pack(int k0, int kc, int j0, int nc, int nr, float* dst) const override;

 private:
  const float* p_;
  ptrdiff_t rs_, cs_;
};

// Single-threaded: C[i - i0, j - j0] (+)= sum over k in [k0, k1) of A(i, k) B(k, j), for
// i in [i0, i1), j in [j0, j1); `c` points at element (i0, j0), row stride ldc.
void gemm_block(const PackA& a, const PackB& b, int i0, int i1, int j0, int j1, int k0, int k1, float* c, ptrdiff_t ldc,
                bool accumulate);

// Multi-threaded over the global pool: C[M x N] (+)= A[M x K] B[K x N]. Every element
// of C is computed by one thread in a fixed order, so results do not depend on the
// thread count.
void gemm(int m, int n, int k, const PackA& a, const PackB& b, float* c, ptrdiff_t ldc, bool accumulate);

// Dense row-major convenience: C = op(A) op(B) (+ C), op = transpose when asked.
// A is [M x K] (or [K x M] when trans_a), B is [K x N] (or [N x K] when trans_b).
void sgemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, ptrdiff_t lda, const float* b, ptrdiff_t ldb,
           float* c, ptrdiff_t ldc, bool accumulate);

// The micro-kernel gemm() uses for a product `n` columns wide: dispatch().narrow where it
// computes at least a quarter fewer columns than dispatch().gemm, else dispatch().gemm.
const GemmKernel& gemm_kernel_for(int n);

// Block sizes (exposed for tests and tuning).
struct GemmBlocking {
  int mc, kc, nc;
};
GemmBlocking gemm_blocking();

}  // namespace samlab
