// 2-D convolution in NHWC with filters [fh, fw, in_c, out_c] (tfjs's layout), as
// implicit GEMMs: the im2col matrix is never materialised, the GEMM packs straight
// from the image.
#pragma once

#include <cstdint>

namespace samlab {

struct ConvGeometry {
  int batch, in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int filter_h, filter_w;
  int stride_h, stride_w;
  int dilation_h, dilation_w;
  int pad_top, pad_left;

  int64_t in_size() const { return int64_t(batch) * in_h * in_w * in_c; }
  int64_t out_size() const { return int64_t(batch) * out_h * out_w * out_c; }
  int64_t filter_size() const { return int64_t(filter_h) * filter_w * in_c * out_c; }
  // Returns nullptr when consistent, else what is wrong.
  const char* validate() const;
};

// y[b, oy, ox, co] = sum x[b, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, ci] w[ky, kx, ci, co]
void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, float* y);

// dx = d(sum y*dy)/dx; dx is overwritten.
void conv2d_backprop_input(const ConvGeometry& g, const float* dy, const float* w, float* dx);

// dw = d(sum y*dy)/dw; dw is overwritten. Partial sums over the batch are taken in
// fixed chunks added in a fixed order, so the result does not depend on the thread count.
void conv2d_backprop_filter(const ConvGeometry& g, const float* x, const float* dy, float* dw);

}  // namespace samlab
