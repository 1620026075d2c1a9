// Per-channel kernels for training-mode batch normalisation on a row-major tensor seen as
// [rows, channels] (NHWC: rows = N*H*W, the channel is the last axis). Each is one pass
// over its full-size operands; the per-channel sums accumulate in double over fixed row
// chunks that are added in chunk order, so results do not depend on the thread count.
#pragma once

#include <cstdint>

namespace samlab {

// mean[j] and biased variance[j] of x[:, j], in one pass: shifted sums in double,
// s1 = sum(x - K), s2 = sum((x - K)^2) with K = x[0, j] (a sample, so the cancellation in
// s2 - s1^2 / rows costs a few bits of a double, not of a float). rows == 0 gives NaN.
void channel_moments(const float* x, int64_t rows, int64_t channels, float* mean, float* variance);

// y[r, j] = x[r, j] * scale[j] + offset[j].
void channel_affine(const float* x, const float* scale, const float* offset, float* y, int64_t rows, int64_t channels);

// sum_dy[j] = sum_r dy[r, j] and sum_dyx[j] = sum_r dy[r, j] (x[r, j] - center[j]), one pass;
// center may be null (zero).
void channel_grad_sums(const float* dy, const float* x, const float* center, float* sum_dy, float* sum_dyx, int64_t rows,
                       int64_t channels);

// dx[r, j] = dy[r, j] * a[j] - x[r, j] * k[j] + c[j].
void channel_affine_grad(const float* dy, const float* x, const float* a, const float* k, const float* c, float* dx,
                         int64_t rows, int64_t channels);

}  // namespace samlab
