import * as tf from "@tensorflow/tfjs-core"
import { NORM_EPS } from "../perturbation.js"
import type { DenseCache } from "./forward.js"
import type { DenseLayer } from "./structure.js"

/** [batch, d] -> [chunks, m, d] */
export const byChunk = (t: tf.Tensor2D, chunks: number): tf.Tensor3D => tf.reshape(t, [chunks, t.shape[0] / chunks, t.shape[1]])

/**
 * `s_c = rho / (||g_c|| + 1e-12)` for every chunk, where `g_c = (1/m) sum_{i in c} grad_i` is
 * the chunk's mean-loss gradient, without forming any g_c: a dense layer's per-example
 * gradient is the outer product `a_i delta_i^T` (bias: `delta_i`), so
 * `||g_c||^2 = (1/m^2) sum_layers sum_{i,j in c} (a_i . a_j + 1) (delta_i . delta_j)`,
 * a block-diagonal Gram product. Cost O(batch * m * width) per layer. Returns [chunks].
 */
export const chunkScales = (layers: readonly DenseLayer[], cache: DenseCache, deltas: readonly tf.Tensor2D[], chunks: number, rho: number): tf.Tensor1D => {
  const m = cache.logits.shape[0] / chunks
  const perLayer = layers.map((layer, l) => {
    const a = cache.inputs[l]!
    const d = deltas[l]!
    const bias = layer.bias ? 1 : 0
    if (m === 1) return tf.mul(tf.add(tf.sum(tf.square(a), 1), bias), tf.sum(tf.square(d), 1))
    const a3 = byChunk(a, chunks)
    const d3 = byChunk(d, chunks)
    const gramA = tf.add(tf.matMul(a3, a3, false, true), bias)
    const gramD = tf.matMul(d3, d3, false, true)
    return tf.sum(tf.mul(gramA, gramD), [1, 2])
  })
  const normSquared = tf.div(tf.addN(perLayer), m * m)
  return tf.div(rho, tf.add(tf.sqrt(tf.relu(normSquared)), NORM_EPS)) as tf.Tensor1D
}
