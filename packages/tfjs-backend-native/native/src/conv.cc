#include "conv.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "aligned_buffer.h"
#include "conv_internal.h"
#include "gemm.h"
#include "threadpool.h"
#include "winograd.h"

namespace samlab {

const char* ConvGeometry::validate() const {
  if (batch < 0 || in_h < 0 || in_w < 0 || in_c < 0 || out_h < 0 || out_w < 0 || out_c < 0) return "negative dimension";
  if (filter_h <= 0 || filter_w <= 0) return "filter size must be positive";
  if (stride_h <= 0 || stride_w <= 0) return "strides must be positive";
  if (dilation_h <= 0 || dilation_w <= 0) return "dilations must be positive";
  // The GEMMs index rows, columns and depth with int.
  const int64_t limit = INT32_MAX;
  if (int64_t(batch) * out_h * out_w > limit || int64_t(batch) * in_h * in_w > limit) return "more than 2^31 pixels";
  if (int64_t(filter_h) * filter_w * in_c > limit || int64_t(filter_h) * filter_w * out_c > limit) return "filter too large";
  return nullptr;
}

namespace {

// The taps [t0, t0 + n) of an im2col row (tap = (ky, kx, ci)) split into segments that
// stay within one filter row: inside the image (and with dilation_w 1) a segment is one
// contiguous run of input. Built once per packing call, so the per-pixel work is a few
// copies with no integer division.
struct TapSegments {
  struct Segment {
    int ky;      // filter row
    int in_row;  // offset within the filter row, kx * in_c + ci
    int len;     // taps
  };
  std::vector<Segment> segs;

  TapSegments(const ConvGeometry& g, int t0, int n) {
    const int row_len = g.filter_w * g.in_c;
    int t = t0;
    while (t < t0 + n) {
      const int ky = t / row_len;
      const int in_row = t - ky * row_len;
      const int len = std::min(row_len - in_row, t0 + n - t);
      segs.push_back({ky, in_row, len});
      t += len;
    }
  }
};

// Writes the taps of `segs` of the im2col row of the cursor's pixel to dst[0], dst[stride],
// ...: zeros where a tap falls in the padding.
inline void gather_row(const ConvGeometry& g, const float* x, const GridCursor& px, const TapSegments& taps, float* dst,
                       int stride) {
  const int ci_n = g.in_c;
  const int iy0 = px.y * g.stride_h - g.pad_top;
  const int ix0 = px.x * g.stride_w - g.pad_left;
  const float* xb = x + static_cast<ptrdiff_t>(px.b) * g.in_h * g.in_w * ci_n;
  const bool row_inside = g.dilation_w == 1 && ix0 >= 0 && ix0 + g.filter_w <= g.in_w;
  for (const auto& sg : taps.segs) {
    const int iy = iy0 + sg.ky * g.dilation_h;
    if (iy < 0 || iy >= g.in_h) {
      for (int c = 0; c < sg.len; ++c) dst[c * stride] = 0.f;
    } else if (row_inside) {
      const float* src = xb + (static_cast<ptrdiff_t>(iy) * g.in_w + ix0) * ci_n + sg.in_row;
      if (stride == 1) {
        for (int c = 0; c < sg.len; ++c) dst[c] = src[c];
      } else {
        for (int c = 0; c < sg.len; ++c) dst[c * stride] = src[c];
      }
    } else {
      // Near the left/right border (or dilated): tap by tap within the row.
      const float* xrow = xb + static_cast<ptrdiff_t>(iy) * g.in_w * ci_n;
      int t = sg.in_row;
      float* d = dst;
      while (t < sg.in_row + sg.len) {
        const int kx = t / ci_n;
        const int ci = t - kx * ci_n;
        const int run = std::min(ci_n - ci, sg.in_row + sg.len - t);
        const int ix = ix0 + kx * g.dilation_w;
        if (ix >= 0 && ix < g.in_w) {
          const float* src = xrow + static_cast<ptrdiff_t>(ix) * ci_n + ci;
          for (int c = 0; c < run; ++c) d[c * stride] = src[c];
        } else {
          for (int c = 0; c < run; ++c) d[c * stride] = 0.f;
        }
        d += static_cast<ptrdiff_t>(run) * stride;
        t += run;
      }
    }
    dst += static_cast<ptrdiff_t>(sg.len) * stride;
  }
}

// Right operand of the filter gradient taken as dw^T = dy^T im2col(x): B(p, tap) =
// im2col(x)(pixel p, tap), packed a pixel row at a time (contiguous runs of taps).
class Im2colB final : public PackB {
 public:
  Im2colB(const ConvGeometry& g, const float* x) : g_(g), x_(x) {}

  void pack(int k0, int kc, int j0, int nc, int nr, float* dst) const override {
    // Each pixel's row of taps is gathered once into a contiguous scratch row, then cut
    // into the nr-wide panels (an L1-resident copy, cheaper than a gather per panel).
    const TapSegments taps(g_, j0, nc);
    const int panels = (nc + nr - 1) / nr;
    std::vector<float> row(static_cast<size_t>(panels) * nr, 0.f);
    GridCursor px(g_.out_h, g_.out_w, k0);
    for (int kk = 0; kk < kc; ++kk, px.next()) {
      gather_row(g_, x_, px, taps, row.data(), 1);
      for (int p = 0; p < panels; ++p)
        std::memcpy(dst + (static_cast<ptrdiff_t>(p) * kc + kk) * nr, row.data() + static_cast<ptrdiff_t>(p) * nr, sizeof(float) * nr);
    }
  }

 private:
  const ConvGeometry& g_;
  const float* x_;
};

thread_local AlignedBuffer tls_padded;     // one zero-padded image (direct path)
thread_local AlignedBuffer tls_rows;       // its output rows, padded width
thread_local AlignedBuffer tls_direct_b;   // the caller's packed filter, read by the pool
thread_local AlignedBuffer tls_partials;   // the caller's filter-gradient partial sums, written by the pool

// Strided in-place filter gradients: at least this many output pixels per image, and output
// rows at least this wide (shorter runs spend too much of each kernel call on its tile's loads
// and stores; 8 still beat the packed GEMM at 8x8 outputs).
constexpr int64_t kStridedFilterMinPixels = 64;
constexpr int64_t kStridedFilterMinRun = 8;

// The filter gradient of an undilated convolution with both operands read in place from a
// zero-padded copy of each image (Hp x Wp, just the rows and columns the taps reach):
// dw[tap, co] = sum over pixels of xp[pixel's corner + ky*Wp*C + kx*C + ci] dy[pixel, co], mr
// consecutive taps of one filter row at a time (with the micro-kernel gemm() would use for
// out_c columns: 24x16 or 12x32 with AVX-512). The pixels run as "k" of the kernel in runs
// whose corners are evenly spaced in xp: with stride 1 the whole image is one run, over the
// virtual pixels v = oy*Wp + ox (the padded width, dy spread to it with zeros in the dropped
// columns); with larger strides each output row is a run (corners s_w*C apart), so no im2col
// is packed (it was about 40% of a stride-2 filter gradient). Each group of
// `images_per_group` images (fixed by the geometry, at least 2048 pixels) is one task and gives
// one partial sum, its images and runs added in order; the partials are added in group order,
// so the result does not depend on the thread count. (One partial per image made the partials,
// 128 x taps x out_c floats at batch 128, cost more memory traffic than the products on 16x16
// images with 128 channels.)
bool conv_direct_filter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  if (g.dilation_h != 1 || g.dilation_w != 1) return false;
  const GemmKernel& kern = gemm_kernel_for(g.out_c);
  if (kern.kstrided == nullptr) return false;
  const int mr = kern.mr, nr = kern.nr, n = g.out_c, c_n = g.in_c;
  const bool unit = g.stride_h == 1 && g.stride_w == 1;
  const int wp = (g.out_w - 1) * g.stride_w + g.filter_w, hp = (g.out_h - 1) * g.stride_h + g.filter_h;
  // Runs of pixels: one of out_h * Wp virtual pixels (stride 1), or one per output row.
  const int runs = unit ? 1 : g.out_h;
  const int64_t run_len = unit ? static_cast<int64_t>(g.out_h) * wp : g.out_w;
  const int64_t pixels = runs * run_len;
  const int seg_len = g.filter_w * c_n;
  const int seg_tiles = (seg_len + mr - 1) / mr;
  const int rows = g.filter_h * seg_tiles * mr;  // partial-sum rows: taps, each filter row padded to tiles
  // The last tap tile of the last filter row reads up to mr - 1 floats past the image.
  const int64_t floats = (static_cast<int64_t>(hp) * wp + 1) * c_n + mr;
  // Small images (8x8) would give per-image partial sums as large as their work: those keep
  // the packed GEMM's 2048-pixel chunks.
  const int64_t min_pixels = unit ? 256 : kStridedFilterMinPixels;
  const int64_t min_run = unit ? 1 : kStridedFilterMinRun;
  if (pixels < min_pixels || pixels > 4096 || run_len < min_run || floats > (int64_t(1) << 22) || g.out_h <= 0 || g.out_w <= 0)
    return false;
  const int panels = (n + nr - 1) / nr;
  const int ldo = panels * nr;
  const size_t wsize = static_cast<size_t>(rows) * ldo;
  const int images_per_group = static_cast<int>(std::min<int64_t>(g.batch, (2048 + pixels - 1) / pixels));
  const int groups = (g.batch + images_per_group - 1) / images_per_group;
  float* partial = tls_partials.get(wsize * groups);
  const int ix0 = std::max(0, -g.pad_left), ix1 = std::min(g.in_w, wp - g.pad_left);
  const int iy0 = std::max(0, -g.pad_top), iy1 = std::min(g.in_h, hp - g.pad_top);
  const ptrdiff_t run_step = static_cast<ptrdiff_t>(g.stride_h) * wp * c_n;  // between output rows' corners
  const ptrdiff_t pixel_step = static_cast<ptrdiff_t>(g.stride_w) * c_n;     // between pixels of a run
  ThreadPool::global().run(groups, [&](int group, int) {
    float* xp = tls_padded.get(static_cast<size_t>(floats));
    float* dyv = tls_rows.get(static_cast<size_t>(pixels) * ldo);
    // Padding and dropped columns stay zero across the group's images: only the interiors are rewritten.
    std::memset(xp, 0, sizeof(float) * static_cast<size_t>(floats));
    std::memset(dyv, 0, sizeof(float) * static_cast<size_t>(pixels) * ldo);
    float* pb = partial + wsize * group;
    const int b0 = group * images_per_group, b1 = std::min(g.batch, b0 + images_per_group);
    // dy's output rows sit dy_row * ldo apart in dyv: Wp (stride 1, spread to the padded width) or out_w.
    const int64_t dy_row = unit ? wp : g.out_w;
    for (int bi = b0; bi < b1; ++bi) {
      const float* xb = x + static_cast<ptrdiff_t>(bi) * g.in_h * g.in_w * c_n;
      if (ix1 > ix0)
        for (int iy = iy0; iy < iy1; ++iy)
          std::memcpy(xp + (static_cast<ptrdiff_t>(iy + g.pad_top) * wp + ix0 + g.pad_left) * c_n,
                      xb + (static_cast<ptrdiff_t>(iy) * g.in_w + ix0) * c_n, sizeof(float) * (ix1 - ix0) * c_n);
      const float* dyb = dy + static_cast<ptrdiff_t>(bi) * g.out_h * g.out_w * n;
      for (int oy = 0; oy < g.out_h; ++oy)
        for (int ox = 0; ox < g.out_w; ++ox)
          std::memcpy(dyv + (oy * dy_row + ox) * ldo, dyb + (static_cast<ptrdiff_t>(oy) * g.out_w + ox) * n, sizeof(float) * n);
      for (int ky = 0; ky < g.filter_h; ++ky)
        for (int tt = 0; tt < seg_tiles; ++tt) {
          float* o = pb + static_cast<ptrdiff_t>((ky * seg_tiles + tt) * mr) * ldo;
          for (int r = 0; r < runs; ++r) {
            const float* a = xp + r * run_step + static_cast<ptrdiff_t>(ky) * wp * c_n + tt * mr;
            const float* b = dyv + r * run_len * ldo;
            for (int p = 0; p < panels; ++p)
              kern.kstrided(static_cast<int>(run_len), a, pixel_step, b + p * nr, ldo, o + p * nr, ldo, bi > b0 || r > 0);
          }
        }
    }
  });
  // Add the groups' partial sums in order, into tfjs's [fh, fw, in_c, out_c].
  const int taps = g.filter_h * seg_len;
  parallel_for(taps, 16, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t ky = t / seg_len;
      const size_t row = static_cast<size_t>(ky * seg_tiles * mr + (t - ky * seg_len)) * ldo;
      float* out = dw + t * n;
      for (int co = 0; co < n; ++co) out[co] = partial[row + co];
      for (int b = 1; b < groups; ++b) {
        const float* p = partial + wsize * b + row;
        for (int co = 0; co < n; ++co) out[co] += p[co];
      }
    }
  });
  return true;
}

}  // namespace

void Im2colA::pack(int i0, int mc, int k0, int kc, int mr, float* dst) const {
  const TapSegments taps(g_, k0, kc);
  GridCursor px(g_.out_h, g_.out_w, i0);
  for (int ir = 0; ir < mc; ir += mr) {
    const int rows = std::min(mr, mc - ir);
    float* d = dst + static_cast<ptrdiff_t>(ir) * kc;
    for (int r = 0; r < rows; ++r, px.next()) gather_row(g_, x_, px, taps, d + static_cast<ptrdiff_t>(r) * kc, 1);
    for (int r = rows; r < mr; ++r) std::memset(d + static_cast<ptrdiff_t>(r) * kc, 0, sizeof(float) * kc);
  }
}

// Stride-1, undilated convolution y = conv(x, B) with no im2col at all, where the
// micro-kernel has an in-place variant (AVX-512, both tiles): each image is copied into a zero-padded
// [Hp x Wp x C] buffer (Hp = out_h + fh - 1, Wp = out_w + fw - 1). Output pixel (oy, ox) is
// then "virtual pixel" v = oy*Wp + ox, and its im2col row is, filter row by filter row,
// fw*C contiguous floats at xp[(v + ky*Wp)*C]: a matrix with row stride C that the kernel
// reads in place. The out_w..Wp-1 columns of each output row are computed and dropped.
// B [fh*fw*C x N] is packed once. Each image is one task and each output one k-ordered FMA
// chain: the result does not depend on the thread count.
// Returns false (nothing done) where the path does not apply.
bool conv_s1_direct(const ConvGeometry& t, const float* x, const PackB& b, float* y) {
  if (t.stride_h != 1 || t.stride_w != 1 || t.dilation_h != 1 || t.dilation_w != 1) return false;
  const GemmKernel& g = gemm_kernel_for(t.out_c);
  if (g.segments == nullptr) return false;
  const int mr = g.mr, nr = g.nr, n = t.out_c, c_n = t.in_c;
  const int64_t k = static_cast<int64_t>(t.filter_h) * t.filter_w * c_n;
  const int wp = t.out_w + t.filter_w - 1, hp = t.out_h + t.filter_h - 1;
  const int64_t virt = static_cast<int64_t>(t.out_h) * wp;
  const int64_t tiles = (virt + mr - 1) / mr;
  // The last tile reads up to (fh-1) rows plus fw pixels past its first pixel.
  const int64_t pixels = tiles * mr + static_cast<int64_t>(t.filter_h - 1) * wp + t.filter_w;
  if (k > 2048 || pixels * c_n > (int64_t(1) << 22) || t.out_h <= 0 || t.out_w <= 0) return false;
  // The dropped columns are wasted work: on narrow images (8x8: a fifth) the wide tile does
  // better with im2col packing (about a sixth of its time) than with them.
  if (nr > 16 && 8 * (wp - t.out_w) > wp) return false;
  const int panels = (n + nr - 1) / nr;
  const int ldo = panels * nr;
  float* bp = tls_direct_b.get(static_cast<size_t>(panels) * nr * k);
  b.pack(0, static_cast<int>(k), 0, n, nr, bp);
  const int seg_len = t.filter_w * c_n;
  const ptrdiff_t seg_step = static_cast<ptrdiff_t>(wp) * c_n;
  // The image's columns that land inside the padded width, and the rows inside its height.
  const int ix0 = std::max(0, -t.pad_left), ix1 = std::min(t.in_w, wp - t.pad_left);
  const int iy0 = std::max(0, -t.pad_top), iy1 = std::min(t.in_h, hp - t.pad_top);
  ThreadPool::global().run(t.batch, [&](int bi, int) {
    float* xp = tls_padded.get(static_cast<size_t>(pixels) * c_n);
    float* out = tls_rows.get(static_cast<size_t>(tiles) * mr * ldo);
    std::memset(xp, 0, sizeof(float) * static_cast<size_t>(pixels) * c_n);
    const float* xb = x + static_cast<ptrdiff_t>(bi) * t.in_h * t.in_w * c_n;
    if (ix1 > ix0)
      for (int iy = iy0; iy < iy1; ++iy)
        std::memcpy(xp + (static_cast<ptrdiff_t>(iy + t.pad_top) * wp + ix0 + t.pad_left) * c_n,
                    xb + (static_cast<ptrdiff_t>(iy) * t.in_w + ix0) * c_n, sizeof(float) * (ix1 - ix0) * c_n);
    for (int64_t tile = 0; tile < tiles; ++tile) {
      const float* a = xp + tile * mr * c_n;
      float* o = out + tile * mr * ldo;
      for (int p = 0; p < panels; ++p)
        g.segments(t.filter_h, seg_len, seg_step, a, c_n, bp + static_cast<ptrdiff_t>(p) * nr * k, o + p * nr, ldo);
    }
    float* yb = y + static_cast<ptrdiff_t>(bi) * t.out_h * t.out_w * n;
    for (int oy = 0; oy < t.out_h; ++oy) {
      const float* src = out + static_cast<ptrdiff_t>(oy) * wp * ldo;
      float* dst = yb + static_cast<ptrdiff_t>(oy) * t.out_w * n;
      if (ldo == n) {
        std::memcpy(dst, src, sizeof(float) * t.out_w * n);
      } else {
        for (int ox = 0; ox < t.out_w; ++ox) std::memcpy(dst + ox * n, src + static_cast<ptrdiff_t>(ox) * ldo, sizeof(float) * n);
      }
    }
  });
  return true;
}

void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  const int m = g.batch * g.out_h * g.out_w;
  const int k = g.filter_h * g.filter_w * g.in_c;
  if (winograd_use(g, ConvPass::Forward)) {
    winograd_forward(g, x, FilterView::of(g, w), y);
    return;
  }
  StridedB b(w, g.out_c, 1);
  if (conv_s1_direct(g, x, b, y)) return;
  Im2colA a(g, x);
  gemm(m, g.out_c, k, a, b, y, g.out_c, false);
}

void conv2d_backprop_filter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  // dw^T [out_c x taps] = dy^T [out_c x pixels] * im2col(x) [pixels x taps]: packing the
  // im2col side as B copies contiguous runs of taps, the dy side is a plain transpose.
  if (winograd_use(g, ConvPass::FilterGrad)) {
    winograd_filter_grad(g, x, dy, dw);
    return;
  }
  if (conv_direct_filter(g, x, dy, dw)) return;
  const int taps = g.filter_h * g.filter_w * g.in_c;
  const int pixels = g.batch * g.out_h * g.out_w;
  const int co_n = g.out_c;
  const size_t wsize = static_cast<size_t>(taps) * co_n;
  StridedA a(dy, 1, co_n);  // A(co, p) = dy[p, co]
  Im2colB b(g, x);
  // Fixed-size chunks of pixels (independent of the thread count) reduce into private
  // partial sums, added in chunk order: the result does not depend on the thread count.
  const int chunk = 2048;
  const int chunks = std::max(1, (pixels + chunk - 1) / chunk);
  float* partial = tls_partials.get(wsize * chunks);
  if (chunks == 1) {
    gemm(co_n, taps, pixels, a, b, partial, taps, false);
  } else {
    ThreadPool::global().run(chunks, [&](int c, int) {
      const int p0 = c * chunk;
      const int p1 = std::min(pixels, p0 + chunk);
      gemm_block(a, b, 0, co_n, 0, taps, p0, p1, partial + wsize * c, taps, false);
    });
  }
  // Sum the chunks and transpose [out_c x taps] to tfjs's [taps x out_c].
  parallel_for(taps, 64, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      float* out = dw + t * co_n;
      for (int co = 0; co < co_n; ++co) out[co] = partial[static_cast<size_t>(co) * taps + t];
      for (int c = 1; c < chunks; ++c) {
        const float* p = partial + wsize * c;
        for (int co = 0; co < co_n; ++co) out[co] += p[static_cast<size_t>(co) * taps + t];
      }
    }
  });
}

}  // namespace samlab
