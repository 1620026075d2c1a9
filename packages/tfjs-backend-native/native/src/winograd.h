// Winograd F(2x2, 3x3) convolutions for 3x3, stride-1, undilated filters in NHWC (any padding):
// per 2x2 output tile, y = A^T [(G w G^T) ⊙ (B^T d B)] A, 16 multiplies per tile and channel
// pair instead of 36. The 16 per-position products run on the GEMM micro-kernels.
#pragma once

#include <cstddef>

#include "conv.h"

namespace samlab {

// w(ky, kx, ci, co) = p[ky*sy + kx*sx + ci*sc + co*sn]: tfjs's [3, 3, in_c, out_c], or the
// flipped, channel-swapped filter the input gradient convolves dy with (negative strides).
struct FilterView {
  const float* p;
  ptrdiff_t sy, sx, sc, sn;
  // tfjs's layout for the geometry's in_c and out_c.
  static FilterView of(const ConvGeometry& g, const float* w);
};

enum class ConvPass { Forward = 0, InputGrad = 1, FilterGrad = 2 };

// Whether the geometry can take the Winograd path at all (3x3, stride 1, undilated).
bool winograd_possible(const ConvGeometry& g);

// The selection rule: whether `pass` of the convolution `g` (the layer's own geometry, also
// for the input gradient) runs on Winograd. Where it was measured to beat the direct path.
bool winograd_selected(const ConvGeometry& g, ConvPass pass);

// For tests and measurements: Auto follows winograd_selected, Never and Always override it
// (Always still needs winograd_possible).
enum class WinogradMode { Auto, Never, Always };
void set_winograd_mode(WinogradMode mode);
bool winograd_use(const ConvGeometry& g, ConvPass pass);

// y = conv(x, w) over g (winograd_possible(g) must hold; g.in_c/out_c are w's in/out channels).
void winograd_forward(const ConvGeometry& g, const float* x, const FilterView& w, float* y);

// dw (tfjs's layout) = d(sum y*dy)/dw. Partial sums over fixed chunks of tiles, added in
// chunk order: the result does not depend on the thread count.
void winograd_filter_grad(const ConvGeometry& g, const float* x, const float* dy, float* dw);

}  // namespace samlab
