// Winograd F(2x2, 3x3), fused and tiled: for a block of output tiles the input patches are
// transformed into V [16 positions][tiles][in_c] (sized to stay in L2), the 16 per-position
// products V_p U_p [tiles x in_c] x [in_c x out_c] run on the GEMM micro-kernel with the
// transformed filter U (packed once per call) and V read in place as row-major panels, and
// the results are inverse-transformed straight into y. The filter gradient is the adjoint:
// dU_p = sum over tiles V_p^T Z_p with Z = A dy A^T (a GEMM per position over fixed chunks of
// tiles), then dw = G^T dU G.
//
// Matrices (Lavin & Gray): B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],
// G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], A^T = [1 1 1 0; 0 1 -1 -1].
#include "winograd.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "aligned_buffer.h"
#include "conv_internal.h"
#include "gemm.h"
#include "threadpool.h"

namespace samlab {

namespace {

constexpr int kPositions = 16;

// The transforms are channel loops the compiler vectorises: built for AVX-512 and AVX2 as
// well (chosen at load time), since with the baseline SSE2 they cost more than the products.
#if defined(__x86_64__) && defined(__GNUC__)
#define SAMLAB_TRANSFORM __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SAMLAB_TRANSFORM
#endif
#define SAMLAB_INLINE inline __attribute__((always_inline))
// Vector values inside always-inlined helpers: no ABI crosses a call.
#pragma GCC diagnostic ignored "-Wpsabi"  // the 4x4 transformed tile

// The filter's 1-D transforms, each applied to rows of n channels (contiguous, vectorised).
// G: 3 -> 4.
inline void g3(const float* __restrict a0, const float* __restrict a1, const float* __restrict a2,
               float* __restrict o0, float* __restrict o1, float* __restrict o2, float* __restrict o3, int n) {
  for (int c = 0; c < n; ++c) {
    const float s = 0.5f * (a0[c] + a2[c]), h = 0.5f * a1[c];
    o0[c] = a0[c];
    o1[c] = s + h;
    o2[c] = s - h;
    o3[c] = a2[c];
  }
}

// G^T (the adjoint of G): 4 -> 3.
inline void gt4(const float* __restrict a0, const float* __restrict a1, const float* __restrict a2,
                const float* __restrict a3, float* __restrict o0, float* __restrict o1, float* __restrict o2, int n) {
  for (int c = 0; c < n; ++c) {
    const float s = 0.5f * (a1[c] + a2[c]);
    o0[c] = a0[c] + s;
    o1[c] = 0.5f * (a1[c] - a2[c]);
    o2[c] = s + a3[c];
  }
}

// The tiles of the output, 2x2 each, in order (b, ty, tx).
struct TileGrid {
  int th, tw;
  int64_t count;
  explicit TileGrid(const ConvGeometry& g)
      : th((g.out_h + 1) / 2), tw((g.out_w + 1) / 2), count(int64_t(g.batch) * ((g.out_h + 1) / 2) * ((g.out_w + 1) / 2)) {}
};

// The tile transforms keep one tile's values in registers, 16 channels at a time (a GCC/Clang
// vector type: one zmm with AVX-512, split into narrower registers elsewhere), with a scalar
// tail; `V` is that vector type or float.
typedef float Lanes __attribute__((vector_size(64)));
constexpr int kLanes = 16;

template <class V>
SAMLAB_INLINE V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <class V>
SAMLAB_INLINE void store(float* p, const V& v) {
  std::memcpy(p, &v, sizeof(V));
}

// v[p * step] = (B^T d B)[p] for channel c of the 4x4 patch d[i*4 + j].
template <class V>
SAMLAB_INLINE void input_lanes(const float* const* d, int c, float* v, ptrdiff_t step) {
  V t[4][4];
  for (int j = 0; j < 4; ++j) {
    const V a0 = load<V>(d[j] + c), a1 = load<V>(d[4 + j] + c), a2 = load<V>(d[8 + j] + c), a3 = load<V>(d[12 + j] + c);
    t[0][j] = a0 - a2;
    t[1][j] = a1 + a2;
    t[2][j] = a2 - a1;
    t[3][j] = a1 - a3;
  }
  for (int i = 0; i < 4; ++i) {
    float* o = v + 4 * i * step + c;
    store(o, V(t[i][0] - t[i][2]));
    store(o + step, V(t[i][1] + t[i][2]));
    store(o + 2 * step, V(t[i][2] - t[i][1]));
    store(o + 3 * step, V(t[i][1] - t[i][3]));
  }
}

// z[p * step] = (A e A^T)[p] for channel c of the 2x2 block e[i*2 + j] of dy.
template <class V>
SAMLAB_INLINE void output_grad_lanes(const float* const* e, int c, float* z, ptrdiff_t step) {
  V t[4][2];
  for (int j = 0; j < 2; ++j) {
    const V a0 = load<V>(e[j] + c), a1 = load<V>(e[2 + j] + c);
    t[0][j] = a0;
    t[1][j] = a0 + a1;
    t[2][j] = a0 - a1;
    t[3][j] = -a1;
  }
  for (int i = 0; i < 4; ++i) {
    float* o = z + 4 * i * step + c;
    store(o, t[i][0]);
    store(o + step, V(t[i][0] + t[i][1]));
    store(o + 2 * step, V(t[i][0] - t[i][1]));
    store(o + 3 * step, V(-t[i][1]));
  }
}

// y[i*2 + j][c] = (A^T m A)[i][j] for channel c, m[p * step].
template <class V>
SAMLAB_INLINE void output_lanes(const float* m, ptrdiff_t step, int c, float* const* y) {
  V s[2][4];
  for (int j = 0; j < 4; ++j) {
    const V a0 = load<V>(m + j * step + c), a1 = load<V>(m + (4 + j) * step + c), a2 = load<V>(m + (8 + j) * step + c),
            a3 = load<V>(m + (12 + j) * step + c);
    s[0][j] = a0 + a1 + a2;
    s[1][j] = a1 - a2 - a3;
  }
  for (int i = 0; i < 2; ++i) {
    store(y[2 * i] + c, V(s[i][0] + s[i][1] + s[i][2]));
    store(y[2 * i + 1] + c, V(s[i][1] - s[i][2] - s[i][3]));
  }
}

// v[p * pos_step + c] = (B^T d B)[p] for the 4x4 input patch of the tile (zeros outside the image).
SAMLAB_TRANSFORM void input_tile(const ConvGeometry& g, const float* x, const GridCursor& t, const float* zeros, float* v,
                                 ptrdiff_t pos_step) {
  const int n = g.in_c;
  const float* xb = x + static_cast<ptrdiff_t>(t.b) * g.in_h * g.in_w * n;
  const int iy0 = 2 * t.y - g.pad_top, ix0 = 2 * t.x - g.pad_left;
  const float* d[kPositions];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      const int iy = iy0 + i, ix = ix0 + j;
      d[i * 4 + j] = (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w) ? xb + (static_cast<ptrdiff_t>(iy) * g.in_w + ix) * n : zeros;
    }
  int c = 0;
  for (; c + kLanes <= n; c += kLanes) input_lanes<Lanes>(d, c, v, pos_step);
  for (; c < n; ++c) input_lanes<float>(d, c, v, pos_step);
}

// z[p * pos_step + c] = (A dy A^T)[p] for the tile's 2x2 block of dy (zeros past the output).
SAMLAB_TRANSFORM void output_grad_tile(const ConvGeometry& g, const float* dy, const GridCursor& t, const float* zeros, float* z,
                                       ptrdiff_t pos_step) {
  const int n = g.out_c;
  const float* db = dy + static_cast<ptrdiff_t>(t.b) * g.out_h * g.out_w * n;
  const float* e[4];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      const int oy = 2 * t.y + i, ox = 2 * t.x + j;
      e[i * 2 + j] = (oy < g.out_h && ox < g.out_w) ? db + (static_cast<ptrdiff_t>(oy) * g.out_w + ox) * n : zeros;
    }
  int c = 0;
  for (; c + kLanes <= n; c += kLanes) output_grad_lanes<Lanes>(e, c, z, pos_step);
  for (; c < n; ++c) output_grad_lanes<float>(e, c, z, pos_step);
}

// The tile's 2x2 outputs = A^T m A, m[p * pos_step + c]; outputs past the image go to `sink`
// (out_c floats).
SAMLAB_TRANSFORM void output_tile(const ConvGeometry& g, const float* m, ptrdiff_t pos_step, const GridCursor& t, float* sink,
                                  float* y) {
  const int n = g.out_c;
  float* yb = y + static_cast<ptrdiff_t>(t.b) * g.out_h * g.out_w * n;
  float* o[4];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      const int oy = 2 * t.y + i, ox = 2 * t.x + j;
      o[i * 2 + j] = (oy < g.out_h && ox < g.out_w) ? yb + (static_cast<ptrdiff_t>(oy) * g.out_w + ox) * n : sink;
    }
  int c = 0;
  for (; c + kLanes <= n; c += kLanes) output_lanes<Lanes>(m, pos_step, c, o);
  for (; c < n; ++c) output_lanes<float>(m, pos_step, c, o);
}

thread_local AlignedBuffer tls_u;         // the caller's transformed, packed filter, read by the pool
thread_local AlignedBuffer tls_partials;  // the caller's filter-gradient partial sums, written by the pool
thread_local AlignedBuffer tls_v;         // a block's transformed input tiles
thread_local AlignedBuffer tls_m;         // a block's products (forward) or transformed dy tiles (filter gradient)
thread_local AlignedBuffer tls_sink;      // where outputs past the image go

// Tiles per block: V and M ([16][tiles][channels] each) together about 1 MiB (L2), in whole
// micro-tiles, at most 16 of them.
int block_tiles(int in_c, int out_width, int mr) {
  const int fit = (1 << 18) / (kPositions * std::max(1, in_c + out_width));
  return std::max(1, std::min(fit / mr, 16)) * mr;
}

// SAMLAB_NATIVE_WINOGRAD=0 keeps every convolution on the direct paths (A/B checks).
WinogradMode initial_mode() {
  const char* v = std::getenv("SAMLAB_NATIVE_WINOGRAD");
  return v != nullptr && std::strcmp(v, "0") == 0 ? WinogradMode::Never : WinogradMode::Auto;
}

std::atomic<int> winograd_mode{static_cast<int>(initial_mode())};

}  // namespace

FilterView FilterView::of(const ConvGeometry& g, const float* w) {
  const ptrdiff_t c = g.in_c, n = g.out_c;
  return FilterView{w, 3 * c * n, c * n, n, 1};
}

bool winograd_possible(const ConvGeometry& g) {
  return g.filter_h == 3 && g.filter_w == 3 && g.stride_h == 1 && g.stride_w == 1 && g.dilation_h == 1 &&
         g.dilation_w == 1 && g.batch > 0 && g.out_h > 0 && g.out_w > 0 && g.in_c > 0 && g.out_c > 0;
}

bool winograd_selected(const ConvGeometry& g, ConvPass pass) {
  (void)pass;  // one rule for the three passes, as measured
  // Few channels leave the transforms as costly as the products they save: at 16 channels (32x32
  // images) the direct paths tie or win, from 32 on (8x8 to 32x32 images, up to 512 channels)
  // Winograd wins every pass. The 3-channel first layer stays direct.
  return winograd_possible(g) && std::min(g.in_c, g.out_c) >= 32;
}

void set_winograd_mode(WinogradMode mode) { winograd_mode.store(static_cast<int>(mode)); }

bool winograd_use(const ConvGeometry& g, ConvPass pass) {
  switch (static_cast<WinogradMode>(winograd_mode.load())) {
    case WinogradMode::Never:
      return false;
    case WinogradMode::Always:
      return winograd_possible(g);
    default:
      return winograd_selected(g, pass);
  }
}

void winograd_forward(const ConvGeometry& g, const float* x, const FilterView& w, float* y) {
  const GemmKernel& kern = gemm_kernel_for(g.out_c);
  const int mr = kern.mr, nr = kern.nr, c_n = g.in_c, n = g.out_c;
  const int panels = (n + nr - 1) / nr;
  const int ldo = panels * nr;
  // U [16][panel][in_c][nr] = G w G^T, zero past out_c.
  const ptrdiff_t u_pos = static_cast<ptrdiff_t>(panels) * c_n * nr;
  float* u = tls_u.get(static_cast<size_t>(kPositions) * u_pos);
  parallel_for(c_n, 8, [&](int64_t c0, int64_t c1) {
    std::vector<float> buf(static_cast<size_t>(9 + 12 + 16) * ldo, 0.f);
    float* wr = buf.data();                           // the 9 taps' rows of out_c
    float* q = wr + static_cast<ptrdiff_t>(9) * ldo;  // G w: [4][3]
    float* r = q + static_cast<ptrdiff_t>(12) * ldo;  // G w G^T: [4][4]
    auto W = [&](int p) { return wr + static_cast<ptrdiff_t>(p) * ldo; };
    auto Q = [&](int p) { return q + static_cast<ptrdiff_t>(p) * ldo; };
    auto R = [&](int p) { return r + static_cast<ptrdiff_t>(p) * ldo; };
    for (int64_t ci = c0; ci < c1; ++ci) {
      for (int ky = 0; ky < 3; ++ky)
        for (int kx = 0; kx < 3; ++kx) {
          const float* s = w.p + ky * w.sy + kx * w.sx + ci * w.sc;
          float* d = W(ky * 3 + kx);
          for (int co = 0; co < n; ++co) d[co] = s[co * w.sn];
        }
      for (int kx = 0; kx < 3; ++kx) g3(W(kx), W(3 + kx), W(6 + kx), Q(kx), Q(3 + kx), Q(6 + kx), Q(9 + kx), ldo);
      for (int a = 0; a < 4; ++a) g3(Q(3 * a), Q(3 * a + 1), Q(3 * a + 2), R(4 * a), R(4 * a + 1), R(4 * a + 2), R(4 * a + 3), ldo);
      for (int p = 0; p < kPositions; ++p)
        for (int pn = 0; pn < panels; ++pn)
          std::memcpy(u + p * u_pos + (static_cast<ptrdiff_t>(pn) * c_n + ci) * nr, R(p) + pn * nr, sizeof(float) * nr);
    }
  });
  const TileGrid grid(g);
  const int bt = block_tiles(c_n, ldo, mr);
  const int64_t blocks = (grid.count + bt - 1) / bt;
  const std::vector<float> zeros(static_cast<size_t>(c_n), 0.f);
  const ptrdiff_t v_pos = static_cast<ptrdiff_t>(bt) * c_n, m_pos = static_cast<ptrdiff_t>(bt) * ldo;
  // Every block writes its own outputs, each one a fixed-order sum: no thread-count dependence.
  ThreadPool::global().run(static_cast<int>(blocks), [&](int blk, int) {
    float* v = tls_v.get(static_cast<size_t>(kPositions) * v_pos);
    float* m = tls_m.get(static_cast<size_t>(kPositions) * m_pos);
    float* sink = tls_sink.get(static_cast<size_t>(n));
    const int64_t t0 = int64_t(blk) * bt;
    const int tiles = static_cast<int>(std::min<int64_t>(bt, grid.count - t0));
    GridCursor cur(grid.th, grid.tw, t0);
    for (int s = 0; s < tiles; ++s, cur.next()) input_tile(g, x, cur, zeros.data(), v + static_cast<ptrdiff_t>(s) * c_n, v_pos);
    const int rows = (tiles + mr - 1) / mr * mr;  // the last micro-tile's spare rows are zero, their products dropped
    for (int p = 0; p < kPositions; ++p)
      std::memset(v + p * v_pos + static_cast<ptrdiff_t>(tiles) * c_n, 0, sizeof(float) * (rows - tiles) * c_n);
    for (int p = 0; p < kPositions; ++p)
      for (int pn = 0; pn < panels; ++pn) {
        const float* up = u + p * u_pos + static_cast<ptrdiff_t>(pn) * c_n * nr;
        for (int r0 = 0; r0 < rows; r0 += mr)
          kern.full_rows(c_n, v + p * v_pos + static_cast<ptrdiff_t>(r0) * c_n, up, m + p * m_pos + static_cast<ptrdiff_t>(r0) * ldo + pn * nr,
                         ldo, false);
      }
    GridCursor out(grid.th, grid.tw, t0);
    for (int s = 0; s < tiles; ++s, out.next()) output_tile(g, m + static_cast<ptrdiff_t>(s) * ldo, m_pos, out, sink, y);
  });
}

void winograd_filter_grad(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int c_n = g.in_c, n = g.out_c;
  const TileGrid grid(g);
  // With an in-place micro-kernel (AVX-512) each product reads V_p and Z_p where the transforms
  // wrote them, mr input channels by nr output channels (dU's rows padded to whole micro-tiles,
  // Z's to whole panels); elsewhere gemm_block packs them.
  const GemmKernel& kern = gemm_kernel_for(n);
  const bool in_place = kern.kstrided != nullptr;
  const int mr = kern.mr, nr = kern.nr;
  const int rows = in_place ? (c_n + mr - 1) / mr * mr : c_n;  // dU rows per position
  const int ldz = in_place ? (n + nr - 1) / nr * nr : n;       // Z's row stride, dU's too
  const int bt = block_tiles(c_n, ldz, 16);
  // Fixed chunks of tiles (at most 8, at least 256 tiles each; whole blocks), set by the
  // geometry alone: each gives one partial dU, added in chunk order.
  const int64_t per_chunk = std::max<int64_t>(256, (grid.count + 7) / 8);
  const int64_t chunk_tiles = (per_chunk + bt - 1) / bt * bt;
  const int chunks = static_cast<int>((grid.count + chunk_tiles - 1) / chunk_tiles);
  const size_t du_pos = static_cast<size_t>(rows) * ldz;
  const size_t du_size = kPositions * du_pos;  // dU [16][rows][ldz]
  float* partial = tls_partials.get(du_size * chunks);
  const std::vector<float> zeros(static_cast<size_t>(std::max(c_n, n)), 0.f);
  const ptrdiff_t v_pos = static_cast<ptrdiff_t>(bt) * c_n, z_pos = static_cast<ptrdiff_t>(bt) * ldz;
  ThreadPool::global().run(chunks, [&](int chunk, int) {
    // The last micro-tile of input channels reads up to mr - 1 floats past V.
    float* v = tls_v.get(static_cast<size_t>(kPositions) * v_pos + mr);
    float* z = tls_m.get(static_cast<size_t>(kPositions) * z_pos);
    std::memset(v + kPositions * v_pos, 0, sizeof(float) * mr);
    if (ldz != n) std::memset(z, 0, sizeof(float) * kPositions * z_pos);  // the padding columns stay zero
    float* du = partial + du_size * chunk;
    const int64_t c0 = chunk * chunk_tiles, c1 = std::min(grid.count, c0 + chunk_tiles);
    GridCursor cur(grid.th, grid.tw, c0);
    for (int64_t t0 = c0; t0 < c1; t0 += bt) {
      const int tiles = static_cast<int>(std::min<int64_t>(bt, c1 - t0));
      for (int s = 0; s < tiles; ++s, cur.next()) {
        input_tile(g, x, cur, zeros.data(), v + static_cast<ptrdiff_t>(s) * c_n, v_pos);
        output_grad_tile(g, dy, cur, zeros.data(), z + static_cast<ptrdiff_t>(s) * ldz, z_pos);
      }
      for (int p = 0; p < kPositions; ++p) {
        float* dup = du + p * du_pos;
        if (in_place) {
          for (int r0 = 0; r0 < rows; r0 += mr)
            for (int j0 = 0; j0 < ldz; j0 += nr)
              kern.kstrided(tiles, v + p * v_pos + r0, c_n, z + p * z_pos + j0, ldz, dup + static_cast<ptrdiff_t>(r0) * ldz + j0, ldz, t0 != c0);
        } else {
          const StridedA a(v + p * v_pos, 1, c_n);  // A(ci, tile) = V_p[tile, ci]
          const StridedB b(z + p * z_pos, n, 1);    // B(tile, co) = Z_p[tile, co]
          gemm_block(a, b, 0, c_n, 0, n, 0, tiles, dup, n, t0 != c0);
        }
      }
    }
  });
  // Add the chunks in order, then dw = G^T dU G, into tfjs's [3, 3, in_c, out_c].
  parallel_for(c_n, 4, [&](int64_t ci0, int64_t ci1) {
    std::vector<float> buf(static_cast<size_t>(16 + 12 + 9) * n);
    float* s = buf.data();
    float* q = s + static_cast<ptrdiff_t>(16) * n;
    float* r = q + static_cast<ptrdiff_t>(12) * n;
    auto S = [&](int p) { return s + static_cast<ptrdiff_t>(p) * n; };
    auto Q = [&](int p) { return q + static_cast<ptrdiff_t>(p) * n; };
    auto R = [&](int p) { return r + static_cast<ptrdiff_t>(p) * n; };
    for (int64_t ci = ci0; ci < ci1; ++ci) {
      for (int p = 0; p < kPositions; ++p) {
        const size_t row = p * du_pos + static_cast<size_t>(ci) * ldz;
        float* sp = S(p);
        std::memcpy(sp, partial + row, sizeof(float) * n);
        for (int c = 1; c < chunks; ++c) {
          const float* pc = partial + du_size * c + row;
          for (int co = 0; co < n; ++co) sp[co] += pc[co];
        }
      }
      for (int b = 0; b < 4; ++b) gt4(S(b), S(4 + b), S(8 + b), S(12 + b), Q(b), Q(4 + b), Q(8 + b), n);  // Q[ky][b]
      for (int ky = 0; ky < 3; ++ky) gt4(Q(4 * ky), Q(4 * ky + 1), Q(4 * ky + 2), Q(4 * ky + 3), R(3 * ky), R(3 * ky + 1), R(3 * ky + 2), n);
      for (int k = 0; k < 9; ++k) std::memcpy(dw + (static_cast<ptrdiff_t>(k) * c_n + ci) * n, R(k), sizeof(float) * n);
    }
  });
}

}  // namespace samlab
