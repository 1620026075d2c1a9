import * as tf from "@tensorflow/tfjs-core"
import { backendHasKernels } from "../../backend/own-kernels.js"
import type { Params } from "../../params/params.js"
import { batchNorm, batchNormOnTrainKernels, hasTrainKernels } from "./batch-norm.js"
import { relu, reluKernelNames } from "./relu.js"

/**
 * `relu(batchNorm(x) + residual)` (`residual` optional, x's shape): a batch norm followed by a
 * ReLU, as a ResNet's units end. In training mode on a backend with the training kernels
 * (`batchNormTrainKernelNames`; with a residual also SamlabReluGrad), one call forward and one
 * backward (plus the ReLU's gradient with a residual), the ReLU and the residual's add inside
 * the forward pass and the ReLU's mask read inside the backward; elsewhere exactly
 * `relu(tf.add(batchNorm(...), residual))`. The same moving statistics either way.
 */
export const batchNormRelu = (
  params: Params,
  state: Params,
  name: string,
  x: tf.Tensor4D,
  training: boolean,
  newState: Record<string, tf.Tensor>,
  residual?: tf.Tensor4D
): tf.Tensor4D => {
  const reluGradRegistered = backendHasKernels(reluKernelNames.reluGrad)
  if (!training || !hasTrainKernels() || (residual !== undefined && !reluGradRegistered)) {
    const y = batchNorm(params, state, name, x, training, newState)
    return relu(residual === undefined ? y : tf.add<tf.Tensor4D>(y, residual))
  }
  return batchNormOnTrainKernels(params, state, name, x, newState, true, residual)
}
