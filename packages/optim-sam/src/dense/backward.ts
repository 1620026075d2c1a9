import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "@samlab/core-tensor"
import { type DenseCache, activationSlope } from "./forward.js"
import type { DenseActivation, DenseLayer } from "./structure.js"

/**
 * Back-propagated signals `delta_l` = d(sum_i <v_i, f(x_i)>) / d z_l, one row per example,
 * for the output cotangent `v` [batch, K]: `delta_L = v`,
 * `delta_l = (delta_{l+1} W_{l+1}^T) * act'(z_l)`. With `v = u` (the logit term) row i is
 * example i's own loss gradient with respect to the layer's pre-activation.
 */
export const denseDeltas = (
  layers: readonly DenseLayer[],
  cache: DenseCache,
  cotangent: tf.Tensor2D,
  activation: DenseActivation,
  hiddenActivation: boolean
): tf.Tensor2D[] => {
  const deltas: tf.Tensor2D[] = new Array(layers.length)
  let delta = cotangent
  for (let l = layers.length - 1; l >= 0; l--) {
    deltas[l] = delta
    if (l > 0) {
      const back = tf.matMul<tf.Tensor2D>(delta, layers[l]!.kernel, false, true)
      delta = hiddenActivation ? tf.mul<tf.Tensor2D>(back, activationSlope(cache.outputs[l - 1]!, activation)) : back
    }
  }
  return deltas
}

/** Weight gradients from layer inputs and signals: `A_{l-1}^T delta_l` and `sum_i delta_l`, keyed like `params`. */
export const gradsFromDeltas = (layers: readonly DenseLayer[], cache: DenseCache, deltas: readonly tf.Tensor2D[], params: Params): Params => {
  const byName: Record<string, tf.Tensor> = {}
  layers.forEach((layer, l) => {
    byName[`${layer.name}/kernel`] = tf.matMul(cache.inputs[l]!, deltas[l]!, true, false)
    if (layer.bias) byName[`${layer.name}/bias`] = tf.sum(deltas[l]!, 0)
  })
  const out: Record<string, tf.Tensor> = {}
  for (const k of Object.keys(params)) out[k] = byName[k]!
  return out
}
