// Batch norm's affine map fused with the ReLU after it, on a row-major tensor seen as
// [rows, channels] (NHWC): the forward pass writes relu(x * scale + offset [+ residual]) in
// one pass where three ran (affine, add, ReLU), and without a residual the backward passes
// read the ReLU's mask from x (v = x * scale + offset, recomputed as the forward pass computes
// it) instead of a separate ReLU-gradient pass. Sums accumulate in double over fixed row
// chunks added in chunk order, so results do not depend on the thread count.
#pragma once

#include <cstdint>

namespace samlab {

// y[r, j] = relu(x[r, j] * scale[j] + offset[j] + residual[r, j]); residual may be null (zero).
// relu(v) = v < 0 ? 0 : v (NaN stays NaN, as the Relu kernel).
void channel_affine_relu(const float* x, const float* scale, const float* offset, const float* residual, float* y,
                         int64_t rows, int64_t channels);

// With g = dy * step(x * scale + offset) (the ReLU's gradient behind channel_affine_relu without
// a residual; step is NaN for NaN, 1 above zero, else 0): sum_g[j] = sum_r g[r, j] and
// sum_gx[j] = sum_r g[r, j] (x[r, j] - center[j]), one pass.
void channel_relu_grad_sums(const float* dy, const float* x, const float* scale, const float* offset,
                            const float* center, float* sum_g, float* sum_gx, int64_t rows, int64_t channels);

// dx[r, j] = g[r, j] * a[j] - x[r, j] * k[j] + c[j], g as above.
void channel_relu_affine_grad(const float* dy, const float* x, const float* scale, const float* offset, const float* a,
                              const float* k, const float* c, float* dx, int64_t rows, int64_t channels);

}  // namespace samlab
