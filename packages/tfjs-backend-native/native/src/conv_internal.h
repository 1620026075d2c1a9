// Pieces of the convolutions shared between conv.cc (forward, filter gradient) and
// conv_input_grad.cc (input gradient, a forward convolution of dy per phase).
#pragma once

#include "conv.h"
#include "gemm.h"

namespace samlab {

// Walks the points (b, y, x) of a [batch, rows, cols] grid in order from a flat index without
// dividing per step: the output pixels of conv.cc, the output tiles of winograd.cc.
struct GridCursor {
  int rows, cols;
  int b, y, x;
  GridCursor(int grid_rows, int grid_cols, int64_t at) : rows(grid_rows), cols(grid_cols) {
    x = static_cast<int>(at % cols);
    const int64_t rest = at / cols;
    y = static_cast<int>(rest % rows);
    b = static_cast<int>(rest / rows);
  }
  void next() {
    if (++x == cols) {
      x = 0;
      if (++y == rows) {
        y = 0;
        ++b;
      }
    }
  }
};

// Left operand of the forward pass: A(i, k) = im2col(x)(pixel i, tap k), pixel
// i = (b, oy, ox), tap k = (ky, kx, ci). Zero where the tap falls in the padding.
class Im2colA final : public PackA {
 public:
  Im2colA(const ConvGeometry& g, const float* x) : g_(g), x_(x) {}

  // Row-major panels: each pixel's im2col row is gathered with contiguous copies.
  bool row_panels() const override { return true; }
  void pack(int i0, int mc, int k0, int kc, int mr, float* dst) const override;

 private:
  const ConvGeometry& g_;
  const float* x_;
};

// y = conv(x, B) for a stride-1, undilated geometry with no im2col (the image read in place
// from a zero-padded copy), where the micro-kernel allows it and it pays; returns false,
// having done nothing, elsewhere.
bool conv_s1_direct(const ConvGeometry& t, const float* x, const PackB& b, float* y);

}  // namespace samlab
