// N-API bindings of the per-channel kernels (batch norm, bias + ReLU). Tensors are [rows, channels]
// Float32Arrays read and written in place; every length is checked against the geometry.
#include "batch_norm_binding.h"

#include <string>

#include "../src/batch_norm.h"
#include "../src/batch_norm_relu.h"
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

// channelAffineRelu(x, scale, offset, residual | null, out, rows, channels)
BINDING(ChannelAffineRelu) {
  return guarded(env, [&] {
    Args a(env, info, "channelAffineRelu", 7);
    auto x = a.f32(0, "x");
    auto scale = a.f32(1, "scale");
    auto offset = a.f32(2, "offset");
    auto residual = a.optional_f32(3, "residual");
    auto out = a.f32(4, "out");
    const Geometry g = geometry(a, 5);
    a.require_length(x, g.rows * g.channels, "x");
    a.require_length(scale, g.channels, "scale");
    a.require_length(offset, g.channels, "offset");
    if (residual.data != nullptr) a.require_length(residual, g.rows * g.channels, "residual");
    a.require_length(out, g.rows * g.channels, "out");
    channel_affine_relu(x.data, scale.data, offset.data, residual.data, out.data, g.rows, g.channels);
    return undefined(env);
  });
}

// channelReluGradSums(dy, x, scale, offset, center | null, sumG, sumGX, rows, channels)
BINDING(ChannelReluGradSums) {
  return guarded(env, [&] {
    Args a(env, info, "channelReluGradSums", 9);
    auto dy = a.f32(0, "dy");
    auto x = a.f32(1, "x");
    auto scale = a.f32(2, "scale");
    auto offset = a.f32(3, "offset");
    auto center = a.optional_f32(4, "center");
    auto sum_g = a.f32(5, "sumG");
    auto sum_gx = a.f32(6, "sumGX");
    const Geometry g = geometry(a, 7);
    a.require_length(dy, g.rows * g.channels, "dy");
    a.require_length(x, g.rows * g.channels, "x");
    a.require_length(scale, g.channels, "scale");
    a.require_length(offset, g.channels, "offset");
    if (center.data != nullptr) a.require_length(center, g.channels, "center");
    a.require_length(sum_g, g.channels, "sumG");
    a.require_length(sum_gx, g.channels, "sumGX");
    channel_relu_grad_sums(dy.data, x.data, scale.data, offset.data, center.data, sum_g.data, sum_gx.data, g.rows,
                           g.channels);
    return undefined(env);
  });
}

// channelReluAffineGrad(dy, x, scale, offset, a, k, c, out, rows, channels)
BINDING(ChannelReluAffineGrad) {
  return guarded(env, [&] {
    Args a(env, info, "channelReluAffineGrad", 10);
    auto dy = a.f32(0, "dy");
    auto x = a.f32(1, "x");
    auto scale = a.f32(2, "scale");
    auto offset = a.f32(3, "offset");
    auto va = a.f32(4, "a");
    auto vk = a.f32(5, "k");
    auto vc = a.f32(6, "c");
    auto out = a.f32(7, "out");
    const Geometry g = geometry(a, 8);
    a.require_length(dy, g.rows * g.channels, "dy");
    a.require_length(x, g.rows * g.channels, "x");
    a.require_length(scale, g.channels, "scale");
    a.require_length(offset, g.channels, "offset");
    a.require_length(va, g.channels, "a");
    a.require_length(vk, g.channels, "k");
    a.require_length(vc, g.channels, "c");
    a.require_length(out, g.rows * g.channels, "out");
    channel_relu_affine_grad(dy.data, x.data, scale.data, offset.data, va.data, vk.data, vc.data, out.data, g.rows,
                             g.channels);
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
      {"channelAffineRelu", nullptr, ChannelAffineRelu, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"channelReluGradSums", nullptr, ChannelReluGradSums, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"channelReluAffineGrad", nullptr, ChannelReluAffineGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasRelu", nullptr, BiasRelu, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}

}  // namespace samlab::napi
