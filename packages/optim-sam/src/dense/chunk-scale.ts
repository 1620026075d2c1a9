import * as tf from "@tensorflow/tfjs-core"
import { NORM_EPS } from "../perturbation.js"
import type { DenseCache } from "./forward.js"
import type { DenseLayer } from "./structure.js"

/** [batch, d] -> [chunks, m, d] */
export const byChunk = (t: tf.Tensor2D, chunks: number): tf.Tensor3D => tf.reshape(t, [chunks, t.shape[0] / chunks, t.shape[1]])

/**
 * One dense layer's share of `m^2 ||g_c||^2` for every chunk, where `g_c = (1/m) sum_{i in c} grad_i`,
 * without forming any g_c: the layer's per-example gradient is the outer product `a_i delta_i^T`
 * (bias: `delta_i`), so the share is `sum_{i,j in c} (a_i . a_j + bias) (delta_i . delta_j)`, a
 * block-diagonal Gram product. Cost O(batch * m * width). Returns [chunks].
 */
export const denseNormSquared = (a: tf.Tensor2D, delta: tf.Tensor2D, bias: boolean, chunks: number): tf.Tensor1D => {
  const b = bias ? 1 : 0
  if (a.shape[0] === chunks) return tf.mul(tf.add(tf.sum(tf.square(a), 1), b), tf.sum(tf.square(delta), 1))
  const a3 = byChunk(a, chunks)
  const d3 = byChunk(delta, chunks)
  return tf.sum(tf.mul(tf.add(tf.matMul(a3, a3, false, true), b), tf.matMul(d3, d3, false, true)), [1, 2])
}

/** `s_c = rho / (||g_c|| + 1e-12)` from the chunks' squared gradient norms [chunks]. */
export const scalesFromNormSquared = (normSquared: tf.Tensor1D, rho: number): tf.Tensor1D =>
  tf.div(rho, tf.add(tf.sqrt(tf.relu(normSquared)), NORM_EPS)) as tf.Tensor1D

/** `s_c` for every chunk of a dense stack, summing `denseNormSquared` over its layers. Returns [chunks]. */
export const chunkScales = (layers: readonly DenseLayer[], cache: DenseCache, deltas: readonly tf.Tensor2D[], chunks: number, rho: number): tf.Tensor1D => {
  const m = cache.logits.shape[0] / chunks
  const perLayer = layers.map((layer, l) => denseNormSquared(cache.inputs[l]!, deltas[l]!, layer.bias !== undefined, chunks))
  return scalesFromNormSquared(tf.div(tf.addN(perLayer), m * m), rho)
}
