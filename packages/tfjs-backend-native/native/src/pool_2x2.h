// Max pooling over 2x2 windows with stride 2, no padding or dilation (every CNN's
// `maxPool(x, 2, 2, "valid")`): the windows tile the input, so each output pixel's four taps
// are read once, with the maximum and the gradient's first-maximum choice kept in registers
// (the general loops in pool.cc stage them through memory per window and channel).
// The same values as pool.cc's general path, bit for bit (NaN and -Infinity included).
#pragma once

#include "pool.h"

namespace samlab {

// True when g is 2x2 windows, stride 2, no padding, no dilation.
bool is_pool_2x2(const PoolGeometry& g);

void max_pool_2x2(const PoolGeometry& g, const float* x, float* y);
// Writes every dx pixel a window covers; the caller zeroes the rest (an odd last row or column).
void max_pool_grad_2x2(const PoolGeometry& g, const float* x, const float* dy, float* dx);

}  // namespace samlab
