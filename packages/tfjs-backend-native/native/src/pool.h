// 2-D max and average pooling in NHWC, forward and backward, with tfjs's conventions:
// max ignores NaN (an all-NaN window gives -Infinity) and its gradient goes to the first
// maximum in row-major window order; average divides by the number of in-bounds pixels
// forward but by the full window size backward (as tfjs's cpu kernels do).
#pragma once

#include <cstdint>

namespace samlab {

struct PoolGeometry {
  int batch, in_h, in_w, channels;
  int out_h, out_w;
  int filter_h, filter_w;
  int stride_h, stride_w;
  int dilation_h, dilation_w;
  int pad_top, pad_left;

  int64_t in_size() const { return int64_t(batch) * in_h * in_w * channels; }
  int64_t out_size() const { return int64_t(batch) * out_h * out_w * channels; }
  const char* validate() const;
};

void max_pool(const PoolGeometry& g, const float* x, float* y);
// dx is overwritten.
void max_pool_grad(const PoolGeometry& g, const float* x, const float* dy, float* dx);
void avg_pool(const PoolGeometry& g, const float* x, float* y);
// dx is overwritten.
void avg_pool_grad(const PoolGeometry& g, const float* dy, float* dx);

}  // namespace samlab
