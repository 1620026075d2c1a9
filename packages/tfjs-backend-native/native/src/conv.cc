#include "conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "aligned_buffer.h"
#include "gemm.h"
#include "threadpool.h"

namespace samlab {

const char* ConvGeometry::validate() const {
  if (batch < 0 || in_h < 0 || in_w < 0 || in_c < 0 || out_h < 0 || out_w < 0 || out_c < 0) return "negative dimension";
  if (filter_h <= 0 || filter_w <= 0) return "filter size must be positive";
  if (stride_h <= 0 || stride_w <= 0) return "strides must be positive";
  if (dilation_h <= 0 || dilation_w <= 0) return "dilations must be positive";
  return nullptr;
}

namespace {

// Left operand of the forward pass: A(i, k) = im2col(x)(pixel i, tap k), pixel
// i = (b, oy, ox), tap k = (ky, kx, ci). Zero where the tap falls in the padding.
class Im2colA final : public PackA {
 public:
  Im2colA(const ConvGeometry& g, const float* x) : g_(g), x_(x) {}

  void pack(int i0, int mc, int k0, int kc, int mr, float* dst) const override {
    const int ci_n = g_.in_c;
    for (int ir = 0; ir < mc; ir += mr) {
      const int rows = std::min(mr, mc - ir);
      float* d = dst + static_cast<ptrdiff_t>(ir) * kc;
      for (int r = 0; r < rows; ++r) {
        int i = i0 + ir + r;
        const int ox = i % g_.out_w;
        i /= g_.out_w;
        const int oy = i % g_.out_h;
        const int b = i / g_.out_h;
        const int iy0 = oy * g_.stride_h - g_.pad_top;
        const int ix0 = ox * g_.stride_w - g_.pad_left;
        const float* xb = x_ + static_cast<ptrdiff_t>(b) * g_.in_h * g_.in_w * ci_n;
        // Walk taps [k0, k0 + kc) as runs of contiguous input channels.
        int k = k0;
        int ci = k % ci_n;
        int t = k / ci_n;
        int kx = t % g_.filter_w;
        int ky = t / g_.filter_w;
        float* dk = d + r;
        while (k < k0 + kc) {
          const int run = std::min(ci_n - ci, k0 + kc - k);
          const int iy = iy0 + ky * g_.dilation_h;
          const int ix = ix0 + kx * g_.dilation_w;
          if (iy >= 0 && iy < g_.in_h && ix >= 0 && ix < g_.in_w) {
            const float* s = xb + (static_cast<ptrdiff_t>(iy) * g_.in_w + ix) * ci_n + ci;
            for (int c = 0; c < run; ++c) dk[c * mr] = s[c];
          } else {
            for (int c = 0; c < run; ++c) dk[c * mr] = 0.f;
          }
          dk += run * mr;
          k += run;
          ci = 0;
          if (++kx == g_.filter_w) {
            kx = 0;
            ++ky;
          }
        }
      }
      for (int r = rows; r < mr; ++r)
        for (int k = 0; k < kc; ++k) d[k * mr + r] = 0.f;
    }
  }

 private:
  const ConvGeometry& g_;
  const float* x_;
};

// Left operand of the filter gradient: A(k, i) = im2col(x)(pixel i, tap k), i.e. the
// transposed im2col matrix, rows = taps, depth = pixels.
class Im2colTransposedA final : public PackA {
 public:
  Im2colTransposedA(const ConvGeometry& g, const float* x) : g_(g), x_(x) {}

  void pack(int i0, int mc, int k0, int kc, int mr, float* dst) const override {
    const int ci_n = g_.in_c;
    std::vector<int> dy_off(mr), dx_off(mr), ch(mr);
    for (int ir = 0; ir < mc; ir += mr) {
      const int rows = std::min(mr, mc - ir);
      float* d = dst + static_cast<ptrdiff_t>(ir) * kc;
      for (int r = 0; r < rows; ++r) {
        const int tap = i0 + ir + r;
        ch[r] = tap % ci_n;
        const int t = tap / ci_n;
        dx_off[r] = (t % g_.filter_w) * g_.dilation_w;
        dy_off[r] = (t / g_.filter_w) * g_.dilation_h;
      }
      int p = k0;
      int ox = p % g_.out_w;
      int oy = (p / g_.out_w) % g_.out_h;
      int b = p / (g_.out_w * g_.out_h);
      for (int kk = 0; kk < kc; ++kk) {
        const int iy0 = oy * g_.stride_h - g_.pad_top;
        const int ix0 = ox * g_.stride_w - g_.pad_left;
        const float* xb = x_ + static_cast<ptrdiff_t>(b) * g_.in_h * g_.in_w * ci_n;
        float* dk = d + kk * mr;
        int r = 0;
        for (; r < rows; ++r) {
          const int iy = iy0 + dy_off[r];
          const int ix = ix0 + dx_off[r];
          dk[r] = (iy >= 0 && iy < g_.in_h && ix >= 0 && ix < g_.in_w)
                      ? xb[(static_cast<ptrdiff_t>(iy) * g_.in_w + ix) * ci_n + ch[r]]
                      : 0.f;
        }
        for (; r < mr; ++r) dk[r] = 0.f;
        if (++ox == g_.out_w) {
          ox = 0;
          if (++oy == g_.out_h) {
            oy = 0;
            ++b;
          }
        }
      }
    }
  }

 private:
  const ConvGeometry& g_;
  const float* x_;
};

// Right operand of the stride-1 input gradient, seen as a forward convolution of dy:
// B(k, ci) with k = (ky', kx', co) = w[fh-1-ky', fw-1-kx', ci, co].
class FlippedFilterB final : public PackB {
 public:
  FlippedFilterB(const ConvGeometry& g, const float* w) : g_(g), w_(w) {}

  void pack(int k0, int kc, int j0, int nc, int nr, float* dst) const override {
    const int co_n = g_.out_c;
    for (int jr = 0; jr < nc; jr += nr) {
      const int cols = std::min(nr, nc - jr);
      float* d = dst + static_cast<ptrdiff_t>(jr) * kc;
      for (int kk = 0; kk < kc; ++kk) {
        const int k = k0 + kk;
        const int co = k % co_n;
        const int t = k / co_n;
        const int kx = g_.filter_w - 1 - t % g_.filter_w;
        const int ky = g_.filter_h - 1 - t / g_.filter_w;
        const float* s = w_ + ((static_cast<ptrdiff_t>(ky) * g_.filter_w + kx) * g_.in_c + j0 + jr) * co_n + co;
        float* dk = d + kk * nr;
        int c = 0;
        for (; c < cols; ++c) dk[c] = s[static_cast<ptrdiff_t>(c) * co_n];
        for (; c < nr; ++c) dk[c] = 0.f;
      }
    }
  }

 private:
  const ConvGeometry& g_;
  const float* w_;
};

thread_local AlignedBuffer tls_cols;

}  // namespace

void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  const int m = g.batch * g.out_h * g.out_w;
  const int k = g.filter_h * g.filter_w * g.in_c;
  Im2colA a(g, x);
  StridedB b(w, g.out_c, 1);
  gemm(m, g.out_c, k, a, b, y, g.out_c, false);
}

void conv2d_backprop_input(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  if (g.stride_h == 1 && g.stride_w == 1) {
    // With unit strides the input gradient is a convolution of dy with the flipped,
    // channel-swapped filter: dx[y, x] = sum dy[y + pt - ky*dh, x + pl - kx*dw] w[ky, kx].
    ConvGeometry t = g;
    t.in_h = g.out_h;
    t.in_w = g.out_w;
    t.in_c = g.out_c;
    t.out_h = g.in_h;
    t.out_w = g.in_w;
    t.out_c = g.in_c;
    t.pad_top = (g.filter_h - 1) * g.dilation_h - g.pad_top;
    t.pad_left = (g.filter_w - 1) * g.dilation_w - g.pad_left;
    Im2colA a(t, dy);
    FlippedFilterB b(g, w);
    const int m = g.batch * g.in_h * g.in_w;
    gemm(m, g.in_c, g.filter_h * g.filter_w * g.out_c, a, b, dx, g.in_c, false);
    return;
  }
  // Strided: per block of output pixels, dcols = dy_block * w^T, then scatter-add the
  // columns into dx (col2im). Tasks own whole images, so no two threads add to one pixel.
  std::memset(dx, 0, sizeof(float) * static_cast<size_t>(g.in_size()));
  const int taps = g.filter_h * g.filter_w * g.in_c;
  const int pixels = g.out_h * g.out_w;
  const int block = std::max(1, std::min(pixels, 32768 / std::max(taps, 1)));
  StridedA a(dy, g.out_c, 1);
  StridedB b(w, 1, g.out_c);  // B(co, tap) = w[tap, co]
  ThreadPool::global().run(g.batch, [&](int batch_index, int) {
    float* cols = tls_cols.get(static_cast<size_t>(block) * taps);
    float* dxb = dx + static_cast<ptrdiff_t>(batch_index) * g.in_h * g.in_w * g.in_c;
    for (int p0 = 0; p0 < pixels; p0 += block) {
      const int p1 = std::min(pixels, p0 + block);
      const int row0 = batch_index * pixels + p0;
      gemm_block(a, b, row0, row0 + (p1 - p0), 0, taps, 0, g.out_c, cols, taps, false);
      for (int p = p0; p < p1; ++p) {
        const int oy = p / g.out_w, ox = p % g.out_w;
        const float* cp = cols + static_cast<ptrdiff_t>(p - p0) * taps;
        for (int ky = 0; ky < g.filter_h; ++ky) {
          const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          if (iy < 0 || iy >= g.in_h) continue;
          for (int kx = 0; kx < g.filter_w; ++kx) {
            const int ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            float* dp = dxb + (static_cast<ptrdiff_t>(iy) * g.in_w + ix) * g.in_c;
            const float* sp = cp + (ky * g.filter_w + kx) * g.in_c;
            for (int c = 0; c < g.in_c; ++c) dp[c] += sp[c];
          }
        }
      }
    }
  });
}

void conv2d_backprop_filter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int taps = g.filter_h * g.filter_w * g.in_c;
  const int pixels = g.batch * g.out_h * g.out_w;
  const size_t wsize = static_cast<size_t>(taps) * g.out_c;
  Im2colTransposedA a(g, x);
  StridedB b(dy, g.out_c, 1);
  // Fixed-size chunks of pixels (independent of the thread count) reduce into private
  // partial filters, summed in chunk order.
  const int chunk = 4096;
  const int chunks = std::max(1, (pixels + chunk - 1) / chunk);
  if (chunks == 1) {
    gemm(taps, g.out_c, pixels, a, b, dw, g.out_c, false);
    return;
  }
  std::vector<float> partial(wsize * chunks);
  ThreadPool::global().run(chunks, [&](int c, int) {
    const int p0 = c * chunk;
    const int p1 = std::min(pixels, p0 + chunk);
    gemm_block(a, b, 0, taps, 0, g.out_c, p0, p1, partial.data() + wsize * c, g.out_c, false);
  });
  std::memcpy(dw, partial.data(), sizeof(float) * wsize);
  for (int c = 1; c < chunks; ++c) {
    const float* p = partial.data() + wsize * c;
    for (size_t i = 0; i < wsize; ++i) dw[i] += p[i];
  }
}

}  // namespace samlab
