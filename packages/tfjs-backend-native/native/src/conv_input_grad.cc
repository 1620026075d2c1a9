// The input gradient dx of a convolution. With unit strides it is one forward convolution
// of dy with the flipped, channel-swapped filter; with larger strides, dx's pixels split into
// stride_h x stride_w phases, each a stride-1 convolution of dy with the taps that reach it
// (no zero-stuffing, no col2im). Dilated strided convolutions and few input channels keep
// col2im.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "aligned_buffer.h"
#include "conv.h"
#include "conv_internal.h"
#include "gemm.h"
#include "threadpool.h"
#include "winograd.h"

namespace samlab {

namespace {

// One axis of the input gradient's phase decomposition. Input positions i = p + s*q (phase
// p < s) receive gradient only from the filter taps k = r + s*j, j < taps: as a function of q a
// stride-1 correlation of dy with those taps flipped, padded by `pad` (negative: starts inside).
// With stride 1 there is one phase, every tap, and the filter's dilation carries over.
struct AxisPhase {
  int first_tap;  // r
  int taps;       // J (0: the phase gets no gradient)
  int pad;        // leading padding of the stride-1 correlation over dy
  int outputs;    // positions p, p + s, ... inside the input
};

AxisPhase axis_phase(int in, int filter, int stride, int dilation, int pad, int p) {
  // Taps k with (p + pad - k*dilation) divisible by the stride; with stride > 1 the
  // dilation is 1 (the callers keep dilated strided convolutions on col2im).
  const int shifted = p + pad;
  const int r = ((shifted % stride) + stride) % stride;
  const int c = (shifted - r) / stride;
  AxisPhase a;
  a.first_tap = r;
  a.taps = r < filter ? (filter - r + stride - 1) / stride : 0;
  a.pad = (a.taps - 1) * dilation - c;
  a.outputs = in > p ? (in - p + stride - 1) / stride : 0;
  return a;
}

// Right operand of one phase of the input gradient, seen as a forward convolution of dy:
// B(k, ci) with k = (j'y, j'x, co) = w[ry + sy*(Jy-1-j'y), rx + sx*(Jx-1-j'x), ci, co] (with
// unit strides, the whole filter flipped and channel-swapped).
class PhaseFilterB final : public PackB {
 public:
  PhaseFilterB(const ConvGeometry& g, const float* w, const AxisPhase& py, const AxisPhase& px)
      : g_(g), w_(w), py_(py), px_(px) {}

  void pack(int k0, int kc, int j0, int nc, int nr, float* dst) const override {
    const int co_n = g_.out_c;
    for (int jr = 0; jr < nc; jr += nr) {
      const int cols = std::min(nr, nc - jr);
      float* d = dst + static_cast<ptrdiff_t>(jr) * kc;
      for (int kk = 0; kk < kc; ++kk) {
        const int k = k0 + kk;
        const int co = k % co_n;
        const int t = k / co_n;
        const int kx = px_.first_tap + g_.stride_w * (px_.taps - 1 - t % px_.taps);
        const int ky = py_.first_tap + g_.stride_h * (py_.taps - 1 - t / px_.taps);
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
  AxisPhase py_, px_;
};

thread_local AlignedBuffer tls_cols;   // col2im's columns, per thread
thread_local AlignedBuffer tls_phase;  // the phases of a strided input gradient

// The stride-1 convolution over dy whose output is the input gradient's phase (ay, ax).
ConvGeometry phase_geometry(const ConvGeometry& g, const AxisPhase& ay, const AxisPhase& ax) {
  ConvGeometry t = g;
  t.in_h = g.out_h;
  t.in_w = g.out_w;
  t.in_c = g.out_c;
  t.out_h = ay.outputs;
  t.out_w = ax.outputs;
  t.out_c = g.in_c;
  t.filter_h = ay.taps;
  t.filter_w = ax.taps;
  t.stride_h = t.stride_w = 1;
  t.pad_top = ay.pad;
  t.pad_left = ax.pad;
  return t;
}

// out = conv(dy, b) over geometry t: in place where conv_s1_direct applies, else the implicit GEMM.
void correlate_phase(const ConvGeometry& t, const float* dy, const PackB& b, float* out) {
  if (conv_s1_direct(t, dy, b, out)) return;
  Im2colA a(t, dy);
  gemm(t.batch * t.out_h * t.out_w, t.out_c, t.filter_h * t.filter_w * t.in_c, a, b, out, t.out_c, false);
}

// The phases of a strided input gradient, each [batch, ay.outputs, ax.outputs, in_c] in
// scratch (null: no tap reaches it), written into dx in one pass over its rows.
struct Phase {
  AxisPhase ay, ax;
  const float* values;
};

void place_phases(const ConvGeometry& g, const std::vector<Phase>& phases, float* dx) {
  const int c_n = g.in_c;
  const size_t bytes = sizeof(float) * c_n;
  parallel_for(int64_t(g.batch) * g.in_h, 8, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.in_h;
      const int iy = static_cast<int>(r - b * g.in_h);
      const int py = iy % g.stride_h, qy = iy / g.stride_h;
      float* d = dx + r * g.in_w * c_n;
      for (int ix = 0; ix < g.in_w; ++ix, d += c_n) {
        const Phase& ph = phases[py * g.stride_w + ix % g.stride_w];
        if (ph.values == nullptr) {
          std::memset(d, 0, bytes);
        } else {
          const int64_t q = (b * ph.ay.outputs + qy) * ph.ax.outputs + ix / g.stride_w;
          std::memcpy(d, ph.values + q * c_n, bytes);
        }
      }
    }
  });
}

}  // namespace

void conv2d_backprop_input(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  // Few input channels make the transposed convolution's GEMMs too narrow (N = in_c):
  // below 8 the col2im route (N = taps) wins despite its scatter.
  const bool strided = g.stride_h > 1 || g.stride_w > 1;
  if (winograd_use(g, ConvPass::InputGrad)) {
    // A 3x3 stride-1 convolution of dy (padding 2 - pad) with the flipped, channel-swapped
    // filter w'(ky, kx, co, ci) = w[2 - ky, 2 - kx, ci, co], on the forward's Winograd path.
    const AxisPhase ay = axis_phase(g.in_h, 3, 1, 1, g.pad_top, 0);
    const AxisPhase ax = axis_phase(g.in_w, 3, 1, 1, g.pad_left, 0);
    const ptrdiff_t c = g.in_c, n = g.out_c;
    winograd_forward(phase_geometry(g, ay, ax), dy, FilterView{w + 8 * c * n, -3 * c * n, -c * n, 1, n}, dx);
    return;
  }
  if (g.in_c >= 8 && !(strided && (g.dilation_h > 1 || g.dilation_w > 1))) {
    if (!strided) {
      // With unit strides the input gradient is one convolution of dy with the flipped,
      // channel-swapped filter: dx[y, x] = sum dy[y + pt - ky*dh, x + pl - kx*dw] w[ky, kx].
      const AxisPhase ay = axis_phase(g.in_h, g.filter_h, 1, g.dilation_h, g.pad_top, 0);
      const AxisPhase ax = axis_phase(g.in_w, g.filter_w, 1, g.dilation_w, g.pad_left, 0);
      correlate_phase(phase_geometry(g, ay, ax), dy, PhaseFilterB(g, w, ay, ax), dx);
      return;
    }
    // Strided: each phase (dx's pixels p + s*q) is a stride-1 convolution of dy with the taps
    // that reach it, computed whole into scratch, then copied into place (every dx pixel
    // belongs to exactly one phase, so nothing is added).
    float* scratch = tls_phase.get(static_cast<size_t>(g.in_size()));
    std::vector<Phase> phases;
    for (int py = 0; py < g.stride_h; ++py)
      for (int px = 0; px < g.stride_w; ++px) {
        const AxisPhase ay = axis_phase(g.in_h, g.filter_h, g.stride_h, 1, g.pad_top, py);
        const AxisPhase ax = axis_phase(g.in_w, g.filter_w, g.stride_w, 1, g.pad_left, px);
        const bool reached = ay.taps > 0 && ax.taps > 0 && ay.outputs > 0 && ax.outputs > 0;
        if (reached) correlate_phase(phase_geometry(g, ay, ax), dy, PhaseFilterB(g, w, ay, ax), scratch);
        phases.push_back({ay, ax, reached ? scratch : nullptr});
        if (reached) scratch += int64_t(g.batch) * ay.outputs * ax.outputs * g.in_c;
      }
    place_phases(g, phases, dx);
    return;
  }
  // Few input channels, or strided and dilated: per block of output pixels, dcols = dy_block *
  // w^T, then scatter-add the columns into dx (col2im). Tasks own whole images, so no two threads add to one pixel.
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

}  // namespace samlab
