import * as tf from "@tensorflow/tfjs-core"
import { byChunk } from "./chunk-scale.js"
import { type DenseCache, activate, affine } from "./forward.js"
import type { DenseActivation, DenseLayer } from "./structure.js"

/**
 * The logits of every example at its own chunk's perturbed weights `w + eps_c`, in one
 * batched pass and without forming any `eps_c`. A layer's perturbation is
 * `E_c = (s_c/m) sum_{j in c} a_j delta_j^T` (bias: `(s_c/m) sum_j delta_j`), so for example
 * i of chunk c with perturbed-pass input h_i:
 * `z_i = h_i W + b + (s_c/m) sum_{j in c} (h_i . a_j + 1) delta_j`.
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
  const batch = x.shape[0]
  const chunks = scales.shape[0]
  const m = batch / chunks
  let h = x
  layers.forEach((layer, l) => {
    const a = cache.inputs[l]!
    const d = deltas[l]!
    const bias = layer.bias ? 1 : 0
    let correction: tf.Tensor2D
    if (m === 1) {
      const k = tf.add(tf.sum(tf.mul(h, a), 1), bias)
      correction = tf.mul<tf.Tensor2D>(d, tf.expandDims(tf.mul(k, scales), 1))
    } else {
      const k = tf.add(tf.matMul(byChunk(h, chunks), byChunk(a, chunks), false, true), bias)
      const mixed = tf.mul(tf.matMul(k, byChunk(d, chunks)), tf.reshape(tf.div(scales, m), [chunks, 1, 1]))
      correction = tf.reshape(mixed, [batch, d.shape[1]])
    }
    const z = tf.add<tf.Tensor2D>(affine(h, layer), correction)
    h = l < layers.length - 1 && hiddenActivation ? activate(z, activation) : z
  })
  return h
}
