// Training-mode batch norm as two calls, on a row-major tensor seen as [rows, channels] (NHWC):
// the forward (moments, the normalisation with an optional ReLU and residual, the moving
// statistics) and its closed-form gradient, the per-channel arithmetic between the passes done
// here in double where a tfjs caller would run a dozen or two small ops per layer and step.
// Each is two passes over the activations (batch_norm.h, batch_norm_relu.h); results do not
// depend on the thread count.
#pragma once

#include <cstdint>

namespace samlab {

struct BatchNormTrainOut {
  float* y;              // [rows, channels]
  float* mean;           // batch mean per channel
  float* variance;       // biased batch variance per channel
  float* moving_mean;    // (1 - momentum) moving_mean + momentum mean
  float* moving_var;     // (1 - momentum) moving_var + momentum variance rows / (rows - 1)
};

// y = gamma (x - mean) / sqrt(variance + epsilon) + beta, as x scale + offset per channel
// (batch_norm_affine), then + residual (may be null; needs relu) and relu when `relu`.
void batch_norm_train(const float* x, const float* gamma, const float* beta, const float* moving_mean,
                      const float* moving_var, const float* residual, bool relu, double epsilon, double momentum,
                      const BatchNormTrainOut& out, int64_t rows, int64_t channels);

// The gradient of batch_norm_train's y without a residual, from dy (with `relu`, the ReLU's
// mask is read from x through the forward's own scale and offset): with xhat = (x - mean) inv,
// inv = 1 / sqrt(variance + epsilon), g = dy (masked) and M = rows,
// dx = gamma inv (g - sum(g) / M - xhat sum(g xhat) / M), dgamma = sum(g xhat), dbeta = sum(g).
// (With a residual the caller takes g = dy step(y) first and calls this without `relu`.)
void batch_norm_train_grad(const float* dy, const float* x, const float* gamma, const float* beta, const float* mean,
                           const float* variance, bool relu, double epsilon, float* dx, float* dgamma, float* dbeta,
                           int64_t rows, int64_t channels);

}  // namespace samlab
