// Bindings of the per-channel batch-norm kernels (native/src/batch_norm.h).
#pragma once

#include <node_api.h>

namespace samlab::napi {

// Adds channelMoments, channelAffine, channelGradSums and channelAffineGrad to `exports`.
void define_batch_norm_bindings(napi_env env, napi_value exports);

}  // namespace samlab::napi
