#include "gemm.h"

#include <algorithm>
#include <cstring>

#include "aligned_buffer.h"
#include "dispatch.h"
#include "threadpool.h"

namespace samlab {

namespace {
// KC x NR of B (16 KB at 256 x 16) stays in L1 while MC x KC of A (150 KB) sits in L2.
constexpr int kKC = 256;
constexpr int kMC = 144;
constexpr int kNC = 2048;

int round_down(int x, int m) { return std::max(m, x / m * m); }

thread_local AlignedBuffer tls_pack_a;
thread_local AlignedBuffer tls_pack_b;
}  // namespace

namespace {
GemmBlocking blocking_for(const GemmKernel& g) { return GemmBlocking{round_down(kMC, g.mr), kKC, round_down(kNC, g.nr)}; }

// The micro-kernel for a GEMM `n` columns wide: the narrow one where it saves at least a
// quarter of the columns computed (N = 16, or 48, with the 32-wide AVX-512 tile).
const GemmKernel& kernel_for(int n) {
  const Dispatch& d = dispatch();
  if (d.narrow.nr >= d.gemm.nr) return d.gemm;
  const int64_t wide = (static_cast<int64_t>(n) + d.gemm.nr - 1) / d.gemm.nr * d.gemm.nr;
  const int64_t narrow = (static_cast<int64_t>(n) + d.narrow.nr - 1) / d.narrow.nr * d.narrow.nr;
  return 4 * narrow <= 3 * wide ? d.narrow : d.gemm;
}
}  // namespace

const GemmKernel& gemm_kernel_for(int n) { return kernel_for(n); }

GemmBlocking gemm_blocking() { return blocking_for(dispatch().gemm); }

void StridedA::pack(int i0, int mc, int k0, int kc, int mr, float* dst) const {
  for (int ir = 0; ir < mc; ir += mr) {
    const int rows = std::min(mr, mc - ir);
    float* d = dst + static_cast<ptrdiff_t>(ir) * kc;
    const float* base = p_ + static_cast<ptrdiff_t>(i0 + ir) * rs_ + static_cast<ptrdiff_t>(k0) * cs_;
    if (rs_ == 1) {
      // Columns of A are contiguous (A stored transposed): copy mr values per k.
      for (int k = 0; k < kc; ++k) {
        const float* s = base + static_cast<ptrdiff_t>(k) * cs_;
        float* dk = d + k * mr;
        int r = 0;
        for (; r < rows; ++r) dk[r] = s[r];
        for (; r < mr; ++r) dk[r] = 0.f;
      }
    } else if (cs_ == 1) {
      // Rows of A are contiguous: row-major panels, one copy per row.
      for (int r = 0; r < rows; ++r) std::memcpy(d + static_cast<ptrdiff_t>(r) * kc, base + static_cast<ptrdiff_t>(r) * rs_, sizeof(float) * kc);
      for (int r = rows; r < mr; ++r) std::memset(d + static_cast<ptrdiff_t>(r) * kc, 0, sizeof(float) * kc);
    } else {
      for (int r = 0; r < rows; ++r) {
        const float* s = base + static_cast<ptrdiff_t>(r) * rs_;
        for (int k = 0; k < kc; ++k) d[k * mr + r] = s[static_cast<ptrdiff_t>(k) * cs_];
      }
      for (int r = rows; r < mr; ++r)
        for (int k = 0; k < kc; ++k) d[k * mr + r] = 0.f;
    }
  }
}

void StridedB::pack(int k0, int kc, int j0, int nc, int nr, float* dst) const {
  for (int jr = 0; jr < nc; jr += nr) {
    const int cols = std::min(nr, nc - jr);
    float* d = dst + static_cast<ptrdiff_t>(jr) * kc;
    const float* base = p_ + static_cast<ptrdiff_t>(k0) * rs_ + static_cast<ptrdiff_t>(j0 + jr) * cs_;
    if (cs_ == 1) {
      // Rows of B are contiguous: one copy of nr values per k.
      for (int k = 0; k < kc; ++k) {
        const float* s = base + static_cast<ptrdiff_t>(k) * rs_;
        float* dk = d + k * nr;
        if (cols == nr) {
          std::memcpy(dk, s, sizeof(float) * nr);
        } else {
          int c = 0;
          for (; c < cols; ++c) dk[c] = s[c];
          for (; c < nr; ++c) dk[c] = 0.f;
        }
      }
    } else {
      // B stored transposed: each column is contiguous in k.
      for (int c = 0; c < cols; ++c) {
        const float* s = base + static_cast<ptrdiff_t>(c) * cs_;
        if (rs_ == 1) {
          for (int k = 0; k < kc; ++k) d[k * nr + c] = s[k];
        } else {
          for (int k = 0; k < kc; ++k) d[k * nr + c] = s[static_cast<ptrdiff_t>(k) * rs_];
        }
      }
      for (int c = cols; c < nr; ++c)
        for (int k = 0; k < kc; ++k) d[k * nr + c] = 0.f;
    }
  }
}

namespace {
// gemm_block's body; `prepacked`, when given, holds all of A packed by prepack_a (then
// i0 and k0 must be 0) and replaces the per-block packing of A.
void gemm_block_impl(const GemmKernel& g, const PackA& a, const PackB& b, int i0, int i1, int j0, int j1, int k0, int k1,
                     float* c, ptrdiff_t ldc, bool accumulate, const float* prepacked) {
  if (i1 <= i0 || j1 <= j0) return;
  if (k1 <= k0) {
    if (!accumulate)
      for (int i = i0; i < i1; ++i) std::memset(c + (i - i0) * ldc, 0, sizeof(float) * (j1 - j0));
    return;
  }
  const GemmBlocking blk = blocking_for(g);
  const int mr = g.mr, nr = g.nr;
  const int kc_max = std::min(blk.kc, k1 - k0);
  const int mc_max = std::min(blk.mc, (i1 - i0 + mr - 1) / mr * mr);
  const int nc_max = std::min(blk.nc, (j1 - j0 + nr - 1) / nr * nr);
  float* pa = prepacked ? nullptr : tls_pack_a.get(static_cast<size_t>(mc_max) * kc_max);
  const ptrdiff_t m_padded = static_cast<ptrdiff_t>((i1 - i0 + mr - 1) / mr) * mr;
  float* pb = tls_pack_b.get(static_cast<size_t>(nc_max) * kc_max);
  alignas(64) float tile[kMaxMR * kMaxNR];
  const MicroKernel kernel = a.row_panels() ? g.full_rows : g.full;

  for (int jc = j0; jc < j1; jc += blk.nc) {
    const int nc = std::min(blk.nc, j1 - jc);
    for (int pc = k0; pc < k1; pc += blk.kc) {
      const int kc = std::min(blk.kc, k1 - pc);
      const bool acc = accumulate || pc != k0;
      b.pack(pc, kc, jc, nc, nr, pb);
      for (int ic = i0; ic < i1; ic += blk.mc) {
        const int mc = std::min(blk.mc, i1 - ic);
        if (prepacked) {
          pa = const_cast<float*>(prepacked) + static_cast<ptrdiff_t>(pc - k0) * m_padded + static_cast<ptrdiff_t>(ic - i0) * kc;
        } else {
          a.pack(ic, mc, pc, kc, mr, pa);
        }
        for (int jr = 0; jr < nc; jr += nr) {
          const int cols = std::min(nr, nc - jr);
          const float* bp = pb + static_cast<ptrdiff_t>(jr) * kc;
          for (int ir = 0; ir < mc; ir += mr) {
            const int rows = std::min(mr, mc - ir);
            const float* ap = pa + static_cast<ptrdiff_t>(ir) * kc;
            float* ct = c + static_cast<ptrdiff_t>(ic - i0 + ir) * ldc + (jc - j0 + jr);
            if (rows == mr && cols == nr) {
              kernel(kc, ap, bp, ct, ldc, acc);
            } else {
              kernel(kc, ap, bp, tile, nr, false);
              for (int r = 0; r < rows; ++r) {
                float* cr = ct + static_cast<ptrdiff_t>(r) * ldc;
                const float* tr = tile + r * nr;
                if (acc) {
                  for (int j = 0; j < cols; ++j) cr[j] += tr[j];
                } else {
                  for (int j = 0; j < cols; ++j) cr[j] = tr[j];
                }
              }
            }
          }
        }
      }
    }
  }
}

// Packs all of A [m x k] once, KC block by KC block, each block as mr-row panels over
// the whole of m: what gemm_block_impl reads when A is shared by several column tasks.
void prepack_a(const GemmKernel& g, const PackA& a, int m, int k, float* dst) {
  const GemmBlocking blk = blocking_for(g);
  const ptrdiff_t m_padded = static_cast<ptrdiff_t>((m + g.mr - 1) / g.mr) * g.mr;
  const int kblocks = (k + blk.kc - 1) / blk.kc;
  const int mblocks = (m + blk.mc - 1) / blk.mc;
  ThreadPool::global().run(kblocks * mblocks, [&](int t, int) {
    const int pc = (t / mblocks) * blk.kc, ic = (t % mblocks) * blk.mc;
    const int kc = std::min(blk.kc, k - pc), mc = std::min(blk.mc, m - ic);
    a.pack(ic, mc, pc, kc, g.mr, dst + static_cast<ptrdiff_t>(pc) * m_padded + static_cast<ptrdiff_t>(ic) * kc);
  });
}

thread_local AlignedBuffer shared_pack_a;  // the calling thread's, read by the pool during one call
}  // namespace

void gemm_block(const PackA& a, const PackB& b, int i0, int i1, int j0, int j1, int k0, int k1, float* c, ptrdiff_t ldc,
                bool accumulate) {
  gemm_block_impl(kernel_for(j1 - j0), a, b, i0, i1, j0, j1, k0, k1, c, ldc, accumulate, nullptr);
}

void gemm(int m, int n, int k, const PackA& a, const PackB& b, float* c, ptrdiff_t ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  ThreadPool& pool = ThreadPool::global();
  const GemmKernel& g = kernel_for(n);
  const GemmBlocking blk = blocking_for(g);
  const int threads = pool.size();
  const double flops = 2.0 * m * n * std::max(k, 1);
  const int tiles_m = (m + g.mr - 1) / g.mr;
  const int tiles_n = (n + g.nr - 1) / g.nr;
  if (threads == 1 || flops < 2.0e5 || (tiles_m < 2 && tiles_n < 2)) {
    gemm_block_impl(g, a, b, 0, m, 0, n, 0, k, c, ldc, accumulate, nullptr);
    return;
  }
  // Splitting M repacks B in every task, splitting N repacks A: split the side whose
  // other operand is cheaper to repack, in whole micro-tiles.
  const bool split_m = tiles_n < threads || (tiles_m >= threads && static_cast<int64_t>(n) <= m);
  if (split_m) {
    // Tall problems (convolutions) get several MC-sized tasks per thread for balance.
    const int unit = g.mr;
    int tasks = std::min(tiles_m, threads);
    if (m >= 4 * threads * blk.mc) tasks = std::min((m + blk.mc - 1) / blk.mc, 4 * threads);
    pool.run(tasks, [&](int t, int) {
      const int lo = static_cast<int>(static_cast<int64_t>(tiles_m) * t / tasks) * unit;
      const int hi = std::min(m, static_cast<int>(static_cast<int64_t>(tiles_m) * (t + 1) / tasks) * unit);
      if (lo < hi) gemm_block_impl(g, a, b, lo, hi, 0, n, 0, k, c + static_cast<ptrdiff_t>(lo) * ldc, ldc, accumulate, nullptr);
    });
  } else {
    // Columns split: A is packed once and shared, so tasks can be small (a thread that
    // gets descheduled leaves its remaining tasks to the others).
    const int unit = g.nr;
    const size_t packed_size = static_cast<size_t>((m + g.mr - 1) / g.mr) * g.mr * std::max(k, 1);
    const bool share_a = k > 0 && packed_size <= (size_t(4) << 20);
    const float* packed = nullptr;
    if (share_a) {
      float* buf = shared_pack_a.get(packed_size);
      prepack_a(g, a, m, k, buf);
      packed = buf;
    }
    const int tasks = share_a ? std::min(tiles_n, 4 * threads) : std::min(tiles_n, threads);
    pool.run(tasks, [&](int t, int) {
      const int lo = static_cast<int>(static_cast<int64_t>(tiles_n) * t / tasks) * unit;
      const int hi = std::min(n, static_cast<int>(static_cast<int64_t>(tiles_n) * (t + 1) / tasks) * unit);
      if (lo < hi) gemm_block_impl(g, a, b, 0, m, lo, hi, 0, k, c + lo, ldc, accumulate, packed);
    });
  }
}

void sgemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, ptrdiff_t lda, const float* b, ptrdiff_t ldb,
           float* c, ptrdiff_t ldc, bool accumulate) {
  StridedA pa = trans_a ? StridedA(a, 1, lda) : StridedA(a, lda, 1);
  StridedB pb = trans_b ? StridedB(b, 1, ldb) : StridedB(b, ldb, 1);
  gemm(m, n, k, pa, pb, c, ldc, accumulate);
}

}  // namespace samlab
