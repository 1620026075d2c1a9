import * as tf from "@tensorflow/tfjs-core"
import type { LayerFactors } from "./forward.js"
import { im2col } from "./im2col.js"
import type { ParamOp } from "./types.js"

/**
 * One layer's per-example gradient factors from its input `a` and the back-propagated signal
 * `d` at its output. Dense: the kernel gradient of example i is the outer product a_i^T d_i.
 * Conv: g_i = patches(a_i)^T d_i (a batched matmul over examples), gb_i = sum over positions of d_i.
 * New tensors; call inside tf.tidy.
 */
export const layerFactors = (op: ParamOp, a: tf.Tensor, d: tf.Tensor, patches?: tf.Tensor3D): LayerFactors => {
  if (op.kind === "dense") return { kind: "dense", a: a as tf.Tensor2D, d: d as tf.Tensor2D }
  const [b, ho, wo, out] = d.shape as [number, number, number, number]
  const signal = tf.reshape(d, [b, ho * wo, out]) as tf.Tensor3D
  return { kind: "conv", g: tf.matMul(patches ?? im2col(a as tf.Tensor4D, op.size, op.stride), signal, true, false), gb: tf.sum(signal, 1) }
}

/** sum of squares of each example's slice of t [b, ...], as a batched dot product (the matmul kernels are the fast ones). */
export const exampleSquares = (t: tf.Tensor): tf.Tensor1D => {
  const b = t.shape[0]!
  const rows = tf.reshape(t, [b, 1, t.size / b]) as tf.Tensor3D
  return tf.reshape(tf.matMul(rows, rows, false, true), [b])
}

/**
 * Each example's squared gradient norm over the layer's parameters, [b]. Dense uses
 * ||a_i^T d_i||_F^2 = ||a_i||^2 ||d_i||^2, so the outer products are never formed.
 */
export const layerSqNorms = (op: ParamOp, f: LayerFactors): tf.Tensor1D => {
  if (f.kind === "dense") {
    const dSq = tf.sum<tf.Tensor1D>(tf.square(f.d), 1)
    const kernel = tf.mul<tf.Tensor1D>(tf.sum(tf.square(f.a), 1), dSq)
    return op.bias ? tf.add<tf.Tensor1D>(kernel, dSq) : kernel
  }
  const kernel = exampleSquares(f.g)
  return op.bias ? tf.add<tf.Tensor1D>(kernel, exampleSquares(f.gb)) : kernel
}
