// Bindings of the per-channel kernels (native/src/batch_norm.h, batch_norm_train.h,
// bias_relu.h).
#pragma once

#include <node_api.h>

namespace samlab::napi {

// Adds channelMoments, channelAffine, channelGradSums, channelAffineGrad,
// batchNormTrain, batchNormTrainGrad, biasRelu and reluGrad to `exports`.
void define_batch_norm_bindings(napi_env env, napi_value exports);

}  // namespace samlab::napi
