// N-API bindings of the per-channel kernels (batch norm, bias + ReLU). Tensors are [rows, channels]
// Float32Arrays read and written in place; every length is checked against the geometry.
#include "batch_norm_binding.h"

#include <string>

#include "../src/batch_norm.h"
#include "../src/batch_norm_train.h"
#include "../src/bias_relu.h"
#include "args.h"
#include "guarded.h"

namespace samlab::napi {
namespace {

struct Geometry {
  int64_t rows;
  int64_t channels;
};

Geometry geometry(const Args& a, size_t i) {
  const Geometry g{a.i64(i, "rows"), a.i64(i + 1, "channels")};
  if (g.rows < 0 || g.channels < 1) a.range_error("rows must be >= 0 and channels >= 1");
  return g;
}

#define BINDING(NAME) napi_value NAME(napi_env env, napi_callback_info info)

// channelMoments(x, mean, variance, rows, channels)
BINDING(ChannelMoments) {
  return guarded(env, [&] {
    Args a(env, info, "channelMoments", 5);
    auto x = a.f32(0, "x");
    auto mean = a.f32(1, "mean");
    auto variance = a.f32(2, "variance");
    const Geometry g = geometry(a, 3);
    a.require_length(x, g.rows * g.channels, "x");
    a.require_length(mean, g.channels, "mean");
    a.require_length(variance, g.channels, "variance");
    channel_moments(x.data, g.rows, g.channels, mean.data, variance.data);
    return undefined(env);
  });
}

// channelAffine(x, scale, offset, out, rows, channels)
BINDING(ChannelAffine) {
  return guarded(env, [&] {
    Args a(env, info, "channelAffine", 6);
    auto x = a.f32(0, "x");
    auto scale = a.f32(1, "scale");
    auto offset = a.f32(2, "offset");
    auto out = a.f32(3, "out");
    const Geometry g = geometry(a, 4);
    a.require_length(x, g.rows * g.channels, "x");
    a.require_length(scale, g.channels, "scale");
    a.require_length(offset, g.channels, "offset");
    a.require_length(out, g.rows * g.channels, "out");
    channel_affine(x.data, scale.data, offset.data, out.data, g.rows, g.channels);
    return undefined(env);
  });
}

// channelGradSums(dy, x, center | null, sumDy, sumDyX, rows, channels)
BINDING(ChannelGradSums) {
  return guarded(env, [&] {
    Args a(env, info, "channelGradSums", 7);
    auto dy = a.f32(0, "dy");
    auto x = a.f32(1, "x");
    auto center = a.optional_f32(2, "center");
    auto sum_dy = a.f32(3, "sumDy");
    auto sum_dyx = a.f32(4, "sumDyX");
    const Geometry g = geometry(a, 5);
    a.require_length(dy, g.rows * g.channels, "dy");
    a.require_length(x, g.rows * g.channels, "x");
    if (center.data != nullptr) a.require_length(center, g.channels, "center");
    a.require_length(sum_dy, g.channels, "sumDy");
    a.require_length(sum_dyx, g.channels, "sumDyX");
    channel_grad_sums(dy.data, x.data, center.data, sum_dy.data, sum_dyx.data, g.rows, g.channels);
    return undefined(env);
  });
}

// channelAffineGrad(dy, x, a, k, c, out, rows, channels)
BINDING(ChannelAffineGrad) {
  return guarded(env, [&] {
    Args a(env, info, "channelAffineGrad", 8);
    auto dy = a.f32(0, "dy");
    auto x = a.f32(1, "x");
    auto va = a.f32(2, "a");
    auto vk = a.f32(3, "k");
    auto vc = a.f32(4, "c");
    auto out = a.f32(5, "out");
    const Geometry g = geometry(a, 6);
    a.require_length(dy, g.rows * g.channels, "dy");
    a.require_length(x, g.rows * g.channels, "x");
    a.require_length(va, g.channels, "a");
    a.require_length(vk, g.channels, "k");
    a.require_length(vc, g.channels, "c");
    a.require_length(out, g.rows * g.channels, "out");
    channel_affine_grad(dy.data, x.data, va.data, vk.data, vc.data, out.data, g.rows, g.channels);
    return undefined(env);
  });
}

// batchNormTrain(x, gamma, beta, movingMean, movingVar, residual | null, relu, epsilon, momentum,
//                y, mean, variance, newMovingMean, newMovingVar, rows, channels)
BINDING(BatchNormTrain) {
  return guarded(env, [&] {
    Args a(env, info, "batchNormTrain", 16);
    auto x = a.f32(0, "x");
    auto gamma = a.f32(1, "gamma");
    auto beta = a.f32(2, "beta");
    auto moving_mean = a.f32(3, "movingMean");
    auto moving_var = a.f32(4, "movingVar");
    auto residual = a.optional_f32(5, "residual");
    const bool relu = a.boolean(6, "relu");
    const double epsilon = a.number(7, "epsilon");
    const double momentum = a.number(8, "momentum");
    auto y = a.f32(9, "y");
    auto mean = a.f32(10, "mean");
    auto variance = a.f32(11, "variance");
    auto new_mean = a.f32(12, "newMovingMean");
    auto new_var = a.f32(13, "newMovingVar");
    const Geometry g = geometry(a, 14);
    if (residual.data != nullptr && !relu) a.range_error("a residual needs relu");
    a.require_length(x, g.rows * g.channels, "x");
    a.require_length(gamma, g.channels, "gamma");
    a.require_length(beta, g.channels, "beta");
    a.require_length(moving_mean, g.channels, "movingMean");
    a.require_length(moving_var, g.channels, "movingVar");
    if (residual.data != nullptr) a.require_length(residual, g.rows * g.channels, "residual");
    a.require_length(y, g.rows * g.channels, "y");
    a.require_length(mean, g.channels, "mean");
    a.require_length(variance, g.channels, "variance");
    a.require_length(new_mean, g.channels, "newMovingMean");
    a.require_length(new_var, g.channels, "newMovingVar");
    batch_norm_train(x.data, gamma.data, beta.data, moving_mean.data, moving_var.data, residual.data, relu, epsilon, momentum,
                     {y.data, mean.data, variance.data, new_mean.data, new_var.data}, g.rows, g.channels);
    return undefined(env);
  });
}

// batchNormTrainGrad(dy, x, gamma, beta, mean, variance, relu, epsilon, dx, dgamma, dbeta, rows, channels)
BINDING(BatchNormTrainGrad) {
  return guarded(env, [&] {
    Args a(env, info, "batchNormTrainGrad", 13);
    auto dy = a.f32(0, "dy");
    auto x = a.f32(1, "x");
    auto gamma = a.f32(2, "gamma");
    auto beta = a.f32(3, "beta");
    auto mean = a.f32(4, "mean");
    auto variance = a.f32(5, "variance");
    const bool relu = a.boolean(6, "relu");
    const double epsilon = a.number(7, "epsilon");
    auto dx = a.f32(8, "dx");
    auto dgamma = a.f32(9, "dgamma");
    auto dbeta = a.f32(10, "dbeta");
    const Geometry g = geometry(a, 11);
    a.require_length(dy, g.rows * g.channels, "dy");
    a.require_length(x, g.rows * g.channels, "x");
    a.require_length(gamma, g.channels, "gamma");
    a.require_length(beta, g.channels, "beta");
    a.require_length(mean, g.channels, "mean");
    a.require_length(variance, g.channels, "variance");
    a.require_length(dx, g.rows * g.channels, "dx");
    a.require_length(dgamma, g.channels, "dgamma");
    a.require_length(dbeta, g.channels, "dbeta");
    batch_norm_train_grad(dy.data, x.data, gamma.data, beta.data, mean.data, variance.data, relu, epsilon, dx.data,
                          dgamma.data, dbeta.data, g.rows, g.channels);
    return undefined(env);
  });
}

// biasRelu(x, bias, out, rows, channels)
BINDING(BiasRelu) {
  return guarded(env, [&] {
    Args a(env, info, "biasRelu", 5);
    auto x = a.f32(0, "x");
    auto bias = a.f32(1, "bias");
    auto out = a.f32(2, "out");
    const Geometry g = geometry(a, 3);
    a.require_length(x, g.rows * g.channels, "x");
    a.require_length(bias, g.channels, "bias");
    a.require_length(out, g.rows * g.channels, "out");
    bias_relu(x.data, bias.data, out.data, g.rows, g.channels);
    return undefined(env);
  });
}

// reluGrad(dy, y, dx, sumDx | null, rows, channels)
BINDING(ReluGrad) {
  return guarded(env, [&] {
    Args a(env, info, "reluGrad", 6);
    auto dy = a.f32(0, "dy");
    auto y = a.f32(1, "y");
    auto dx = a.f32(2, "dx");
    auto sum_dx = a.optional_f32(3, "sumDx");
    const Geometry g = geometry(a, 4);
    a.require_length(dy, g.rows * g.channels, "dy");
    a.require_length(y, g.rows * g.channels, "y");
    a.require_length(dx, g.rows * g.channels, "dx");
    if (sum_dx.data != nullptr) a.require_length(sum_dx, g.channels, "sumDx");
    relu_grad(dy.data, y.data, dx.data, sum_dx.data, g.rows, g.channels);
    return undefined(env);
  });
}

#undef BINDING

}  // namespace

void define_batch_norm_bindings(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"channelMoments", nullptr, ChannelMoments, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"channelAffine", nullptr, ChannelAffine, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"channelGradSums", nullptr, ChannelGradSums, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"channelAffineGrad", nullptr, ChannelAffineGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormTrain", nullptr, BatchNormTrain, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormTrainGrad", nullptr, BatchNormTrainGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasRelu", nullptr, BiasRelu, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}

}  // namespace samlab::napi
