import * as tf from "@tensorflow/tfjs-core"
import { byChunk } from "./chunk-scale.js"
import { type DenseCache, activate, affine } from "./forward.js"
import type { DenseActivation, DenseLayer } from "./structure.js"

/**
 * What one dense layer's chunk perturbation adds to its pre-activation, without forming it:
 * the perturbation is `E_c = (s_c/m) sum_{j in c} a_j delta_j^T` (bias: `(s_c/m) sum_j delta_j`),
 * so for example i of chunk c with perturbed-pass input h_i it adds
 * `(s_c/m) sum_{j in c} (h_i . a_j + bias) delta_j`. `a`, `delta` (at w) and `scales` [chunks] are constants.
 */
export const denseCorrection = (h: tf.Tensor2D, a: tf.Tensor2D, delta: tf.Tensor2D, bias: boolean, scales: tf.Tensor1D): tf.Tensor2D => {
  const batch = h.shape[0]
  const chunks = scales.shape[0]
  const b = bias ? 1 : 0
  if (chunks === batch) return tf.mul<tf.Tensor2D>(delta, tf.expandDims(tf.mul(tf.add(tf.sum(tf.mul(h, a), 1), b), scales), 1))
  const k = tf.add(tf.matMul(byChunk(h, chunks), byChunk(a, chunks), false, true), b)
  const mixed = tf.mul(tf.matMul(k, byChunk(delta, chunks)), tf.reshape(tf.div(scales, batch / chunks), [chunks, 1, 1]))
  return tf.reshape(mixed, [batch, delta.shape[1]])
}

/**
 * The logits of every example at its own chunk's perturbed weights `w + eps_c`, in one
 * batched pass and without forming any `eps_c` (`denseCorrection` per layer).
 * `cache`, `deltas` and `scales` are constants (computed at w, outside any gradient tape);
 * differentiating the result in `layers`' weights gives the gradient at the perturbed point.
 */
export const perturbedDenseLogits = (
  layers: readonly DenseLayer[],
  x: tf.Tensor2D,
  cache: DenseCache,
  deltas: readonly tf.Tensor2D[],
  scales: tf.Tensor1D,
  activation: DenseActivation,
  hiddenActivation: boolean
): tf.Tensor2D => {
  let h = x
  layers.forEach((layer, l) => {
    const z = tf.add<tf.Tensor2D>(affine(h, layer), denseCorrection(h, cache.inputs[l]!, deltas[l]!, layer.bias !== undefined, scales))
    h = l < layers.length - 1 && hiddenActivation ? activate(z, activation) : z
  })
  return h
}
