import * as tf from "@tensorflow/tfjs-core"
import { imagePatches } from "./patches.js"
import type { ConvLayer } from "./structure.js"

/** A convolution's gradient for every chunk of examples: the chunk's mean-loss gradient, [chunks, size * size * in, out] and [chunks, out]. */
export interface ConvChunkGradient {
  readonly kernel: tf.Tensor3D
  readonly bias: tf.Tensor2D | undefined
}

/**
 * `g_c = (1/m) sum_{i in c} grad_i` of one convolution for every chunk c of m consecutive
 * examples, from the layer's input `a` [batch, h, w, in] and per-example signal `delta`
 * [batch, outH, outW, out] (example i's loss gradient in the pre-activation): with the
 * chunk's examples laid end to end along the positions, it is one batched product
 * `patches_c^T delta_c / m`, the cost of one filter gradient. Per-example gradients of a
 * convolution are small ([k*k*in, out]), so unlike a dense layer's they are formed.
 */
export const convChunkGradient = (layer: ConvLayer, a: tf.Tensor4D, delta: tf.Tensor4D, chunks: number): ConvChunkGradient => {
  const [batch, outH, outW, out] = delta.shape
  const m = batch / chunks
  const patches = imagePatches(a, layer.size, layer.stride)
  const rows = m * outH * outW
  const p = tf.reshape(patches, [chunks, rows, patches.shape[3]])
  const d = tf.reshape(delta, [chunks, rows, out])
  return {
    kernel: tf.div(tf.matMul(p, d, true, false), m),
    bias: layer.bias ? (tf.div(tf.sum(d, 1), m) as tf.Tensor2D) : undefined
  }
}

/** `||g_c||^2` of one convolution's share, [chunks]. */
export const convNormSquared = (g: ConvChunkGradient): tf.Tensor1D => {
  // one contiguous row per chunk: a last-axis sum, the fast reduction on every backend
  const kernel = tf.sum(tf.square(tf.reshape(g.kernel, [g.kernel.shape[0], -1])), 1) as tf.Tensor1D
  return g.bias ? tf.add(kernel, tf.sum(tf.square(g.bias), 1)) : kernel
}

/**
 * What the chunk perturbation `E_c = s_c g_c` adds to the convolution's pre-activation for
 * input `h` [batch, h, w, in] (each example its own chunk's): `patches(h)_c E_c (+ s_c bias_c)`,
 * one batched product, the cost of the convolution itself. `g` and `scales` [chunks] are constants.
 */
export const convCorrection = (layer: ConvLayer, h: tf.Tensor4D, g: ConvChunkGradient, scales: tf.Tensor1D): tf.Tensor4D => {
  const chunks = scales.shape[0]
  const patches = imagePatches(h, layer.size, layer.stride)
  const [batch, outH, outW, k] = patches.shape
  const out = g.kernel.shape[2]
  const perturbation = tf.mul(g.kernel, tf.reshape(scales, [chunks, 1, 1]))
  let z: tf.Tensor3D = tf.matMul(tf.reshape(patches, [chunks, (batch / chunks) * outH * outW, k]), perturbation)
  if (g.bias) z = tf.add(z, tf.expandDims(tf.mul(g.bias, tf.expandDims(scales, 1)), 1))
  return tf.reshape(z, [batch, outH, outW, out])
}
