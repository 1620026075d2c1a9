// ReLU with its bias add and its gradient with the bias's, on a row-major tensor seen as
// [rows, channels] (NHWC: the channel is the last axis): one pass each where tfjs runs
// Add + Relu forward and Step + Multiply + Sum backward.
#pragma once

#include <cstdint>

namespace samlab {

// y[r, j] = relu(x[r, j] + bias[j]), relu(v) = v < 0 ? 0 : v (NaN stays NaN, as the Relu kernel).
void bias_relu(const float* x, const float* bias, float* y, int64_t rows, int64_t channels);

// dx = dy * step(y) with step(v) = NaN for NaN, 1 for v > 0, else 0 (tfjs's Relu gradient,
// dy * step(x), read from the output y = relu(x), which is positive or NaN exactly where x is);
// when sum_dx is not null, also sum_dx[j] = sum_r dx[r, j] (in double over fixed row chunks).
void relu_grad(const float* dy, const float* y, float* dx, float* sum_dx, int64_t rows, int64_t channels);

}  // namespace samlab
