#include "batch_norm_train.h"

#include <cmath>
#include <vector>

#include "batch_norm.h"
#include "batch_norm_relu.h"

namespace samlab {

namespace {

// scale = gamma inv and offset = beta - mean scale per channel, in double rounded once; the
// forward and backward calls derive the same floats from the same inputs, so the backward's
// ReLU mask is the forward's.
void batch_norm_affine(const float* gamma, const float* beta, const float* mean, const float* variance, double epsilon,
                       std::vector<float>& scale, std::vector<float>& offset, int64_t channels) {
  scale.resize(static_cast<size_t>(channels));
  offset.resize(static_cast<size_t>(channels));
  for (int64_t j = 0; j < channels; ++j) {
    const double s = gamma[j] / std::sqrt(static_cast<double>(variance[j]) + epsilon);
    scale[static_cast<size_t>(j)] = static_cast<float>(s);
    offset[static_cast<size_t>(j)] = static_cast<float>(beta[j] - mean[j] * s);
  }
}

}  // namespace

void batch_norm_train(const float* x, const float* gamma, const float* beta, const float* moving_mean,
                      const float* moving_var, const float* residual, bool relu, double epsilon, double momentum,
                      const BatchNormTrainOut& out, int64_t rows, int64_t channels) {
  if (channels <= 0) return;
  channel_moments(x, rows, channels, out.mean, out.variance);
  const double unbias = rows > 1 ? static_cast<double>(rows) / static_cast<double>(rows - 1) : NAN;
  for (int64_t j = 0; j < channels; ++j) {
    out.moving_mean[j] = static_cast<float>((1 - momentum) * moving_mean[j] + momentum * out.mean[j]);
    out.moving_var[j] = static_cast<float>((1 - momentum) * moving_var[j] + momentum * unbias * out.variance[j]);
  }
  std::vector<float> scale, offset;
  batch_norm_affine(gamma, beta, out.mean, out.variance, epsilon, scale, offset, channels);
  if (relu)
    channel_affine_relu(x, scale.data(), offset.data(), residual, out.y, rows, channels);
  else
    channel_affine(x, scale.data(), offset.data(), out.y, rows, channels);
}

void batch_norm_train_grad(const float* dy, const float* x, const float* gamma, const float* beta, const float* mean,
                           const float* variance, bool relu, double epsilon, float* dx, float* dgamma, float* dbeta,
                           int64_t rows, int64_t channels) {
  if (channels <= 0) return;
  const size_t c = static_cast<size_t>(channels);
  std::vector<float> scale, offset, sum_g(c), sum_gc(c);
  batch_norm_affine(gamma, beta, mean, variance, epsilon, scale, offset, channels);
  if (relu)
    channel_relu_grad_sums(dy, x, scale.data(), offset.data(), mean, sum_g.data(), sum_gc.data(), rows, channels);
  else
    channel_grad_sums(dy, x, mean, sum_g.data(), sum_gc.data(), rows, channels);
  // dx = a g - k x + c: a = gamma inv, k = a inv sum(g xhat) / M, c = k mean - a sum(g) / M.
  std::vector<float> a(c), k(c), cc(c);
  const double m = static_cast<double>(rows);
  for (size_t j = 0; j < c; ++j) {
    const double inv = 1.0 / std::sqrt(static_cast<double>(variance[j]) + epsilon);
    const double aj = gamma[j] * inv;
    const double sum_gxhat = inv * sum_gc[j];
    const double kj = aj * inv * sum_gxhat / m;
    a[j] = static_cast<float>(aj);
    k[j] = static_cast<float>(kj);
    cc[j] = static_cast<float>(kj * mean[j] - aj * sum_g[j] / m);
    dgamma[j] = static_cast<float>(sum_gxhat);
    dbeta[j] = sum_g[j];
  }
  if (relu)
    channel_relu_affine_grad(dy, x, scale.data(), offset.data(), a.data(), k.data(), cc.data(), dx, rows, channels);
  else
    channel_affine_grad(dy, x, a.data(), k.data(), cc.data(), dx, rows, channels);
}

}  // namespace samlab
