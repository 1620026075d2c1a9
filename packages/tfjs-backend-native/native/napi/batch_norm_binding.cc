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

// The arguments of one per-channel call, whose last two are rows and channels: each array is
// checked as it is read, a full one for rows x channels values, a per-channel one for channels.
struct ChannelArgs {
  Args a;
  Geometry g;

  ChannelArgs(napi_env env, napi_callback_info info, const char* fn, size_t expected)
      : a(env, info, fn, expected), g(geometry(a, expected - 2)) {}

  Args::F32 full(size_t i, const char* name) const { return sized(a.f32(i, name), g.rows * g.channels, name); }
  Args::F32 per_channel(size_t i, const char* name) const { return sized(a.f32(i, name), g.channels, name); }
  // Null or undefined give {nullptr, 0}.
  Args::F32 optional_full(size_t i, const char* name) const { return sized(a.optional_f32(i, name), g.rows * g.channels, name); }
  Args::F32 optional_per_channel(size_t i, const char* name) const { return sized(a.optional_f32(i, name), g.channels, name); }

 private:
  Args::F32 sized(Args::F32 array, int64_t needed, const char* name) const {
    if (array.data != nullptr) a.require_length(array, needed, name);
    return array;
  }
};

#define BINDING(NAME) napi_value NAME(napi_env env, napi_callback_info info)

// channelMoments(x, mean, variance, rows, channels)
BINDING(ChannelMoments) {
  return guarded(env, [&] {
    const ChannelArgs c(env, info, "channelMoments", 5);
    const auto x = c.full(0, "x");
    const auto mean = c.per_channel(1, "mean");
    const auto variance = c.per_channel(2, "variance");
    channel_moments(x.data, c.g.rows, c.g.channels, mean.data, variance.data);
    return undefined(env);
  });
}

// channelAffine(x, scale, offset, out, rows, channels)
BINDING(ChannelAffine) {
  return guarded(env, [&] {
    const ChannelArgs c(env, info, "channelAffine", 6);
    const auto x = c.full(0, "x");
    const auto scale = c.per_channel(1, "scale");
    const auto offset = c.per_channel(2, "offset");
    const auto out = c.full(3, "out");
    channel_affine(x.data, scale.data, offset.data, out.data, c.g.rows, c.g.channels);
    return undefined(env);
  });
}

// channelGradSums(dy, x, center | null, sumDy, sumDyX, rows, channels)
BINDING(ChannelGradSums) {
  return guarded(env, [&] {
    const ChannelArgs c(env, info, "channelGradSums", 7);
    const auto dy = c.full(0, "dy");
    const auto x = c.full(1, "x");
    const auto center = c.optional_per_channel(2, "center");
    const auto sum_dy = c.per_channel(3, "sumDy");
    const auto sum_dyx = c.per_channel(4, "sumDyX");
    channel_grad_sums(dy.data, x.data, center.data, sum_dy.data, sum_dyx.data, c.g.rows, c.g.channels);
    return undefined(env);
  });
}

// channelAffineGrad(dy, x, a, k, c, out, rows, channels)
BINDING(ChannelAffineGrad) {
  return guarded(env, [&] {
    const ChannelArgs c(env, info, "channelAffineGrad", 8);
    const auto dy = c.full(0, "dy");
    const auto x = c.full(1, "x");
    const auto va = c.per_channel(2, "a");
    const auto vk = c.per_channel(3, "k");
    const auto vc = c.per_channel(4, "c");
    const auto out = c.full(5, "out");
    channel_affine_grad(dy.data, x.data, va.data, vk.data, vc.data, out.data, c.g.rows, c.g.channels);
    return undefined(env);
  });
}

// batchNormTrain(x, gamma, beta, movingMean, movingVar, residual | null, relu, epsilon, momentum,
//                y, mean, variance, newMovingMean, newMovingVar, rows, channels)
BINDING(BatchNormTrain) {
  return guarded(env, [&] {
    const ChannelArgs c(env, info, "batchNormTrain", 16);
    const auto x = c.full(0, "x");
    const auto gamma = c.per_channel(1, "gamma");
    const auto beta = c.per_channel(2, "beta");
    const auto moving_mean = c.per_channel(3, "movingMean");
    const auto moving_var = c.per_channel(4, "movingVar");
    const auto residual = c.optional_full(5, "residual");
    const bool relu = c.a.boolean(6, "relu");
    if (residual.data != nullptr && !relu) c.a.range_error("a residual needs relu");
    const double epsilon = c.a.number(7, "epsilon");
    const double momentum = c.a.number(8, "momentum");
    const auto y = c.full(9, "y");
    const auto mean = c.per_channel(10, "mean");
    const auto variance = c.per_channel(11, "variance");
    const auto new_mean = c.per_channel(12, "newMovingMean");
    const auto new_var = c.per_channel(13, "newMovingVar");
    batch_norm_train(x.data, gamma.data, beta.data, moving_mean.data, moving_var.data, residual.data, relu, epsilon, momentum,
                     {y.data, mean.data, variance.data, new_mean.data, new_var.data}, c.g.rows, c.g.channels);
    return undefined(env);
  });
}

// batchNormTrainGrad(dy, x, gamma, beta, mean, variance, relu, epsilon, dx, dgamma, dbeta, rows, channels)
BINDING(BatchNormTrainGrad) {
  return guarded(env, [&] {
    const ChannelArgs c(env, info, "batchNormTrainGrad", 13);
    const auto dy = c.full(0, "dy");
    const auto x = c.full(1, "x");
    const auto gamma = c.per_channel(2, "gamma");
    const auto beta = c.per_channel(3, "beta");
    const auto mean = c.per_channel(4, "mean");
    const auto variance = c.per_channel(5, "variance");
    const bool relu = c.a.boolean(6, "relu");
    const double epsilon = c.a.number(7, "epsilon");
    const auto dx = c.full(8, "dx");
    const auto dgamma = c.per_channel(9, "dgamma");
    const auto dbeta = c.per_channel(10, "dbeta");
    batch_norm_train_grad(dy.data, x.data, gamma.data, beta.data, mean.data, variance.data, relu, epsilon, dx.data,
                          dgamma.data, dbeta.data, c.g.rows, c.g.channels);
    return undefined(env);
  });
}

// biasRelu(x, bias, out, rows, channels)
BINDING(BiasRelu) {
  return guarded(env, [&] {
    const ChannelArgs c(env, info, "biasRelu", 5);
    const auto x = c.full(0, "x");
    const auto bias = c.per_channel(1, "bias");
    const auto out = c.full(2, "out");
    bias_relu(x.data, bias.data, out.data, c.g.rows, c.g.channels);
    return undefined(env);
  });
}

// reluGrad(dy, y, dx, sumDx | null, rows, channels)
BINDING(ReluGrad) {
  return guarded(env, [&] {
    const ChannelArgs c(env, info, "reluGrad", 6);
    const auto dy = c.full(0, "dy");
    const auto y = c.full(1, "y");
    const auto dx = c.full(2, "dx");
    const auto sum_dx = c.optional_per_channel(3, "sumDx");
    relu_grad(dy.data, y.data, dx.data, sum_dx.data, c.g.rows, c.g.channels);
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
