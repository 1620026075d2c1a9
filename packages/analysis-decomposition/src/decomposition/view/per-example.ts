import * as tf from "@tensorflow/tfjs-core"
import type { LayerFactors } from "./forward.js"
import { im2col } from "./im2col.js"
import type { ParamOp } from "./types.js"

/** sum of squares of each example's slice of t [b, ...], as a batched dot product (the matmul kernels are the fast ones). */
export const exampleSquares = (t: tf.Tensor): tf.Tensor1D => exampleDots(t, t)

/** <s_i, t_i> for each example i of two tensors of the same shape [b, ...]. */
export const exampleDots = (s: tf.Tensor, t: tf.Tensor): tf.Tensor1D => {
  const b = s.shape[0]!
  const rows = (x: tf.Tensor) => tf.reshape(x, [b, 1, x.size / b]) as tf.Tensor3D
  return tf.reshape(tf.matMul(rows(s), rows(t), false, true), [b])
}

/** A conv layer input's patches, and (made on demand) their per-example Gram matrices P_i P_i^T. */
export interface PatchEntry {
  readonly patches: tf.Tensor3D
  gram?: tf.Tensor3D
}

/** Conv layer name -> its input's patches, shared by passes that run the same forward; the tensors belong to whoever made the cache. */
export type PatchCache = Map<string, PatchEntry>

export const disposePatchCache = (cache: PatchCache | undefined): void => {
  if (!cache) return
  for (const e of cache.values()) {
    e.patches.dispose()
    e.gram?.dispose()
  }
  cache.clear()
}

/**
 * Whether ||P_i^T D_i||_F^2 = <P_i P_i^T, D_i D_i^T> is cheaper than forming P_i^T D_i, with the
 * patch Gram shared by two passes: true where positions are few and patches long (the last
 * convs of a CNN), false for early layers.
 */
export const gramIsCheaper = (positions: number, patchLength: number, outChannels: number): boolean =>
  positions * positions * (patchLength / 2 + outChannels) < positions * patchLength * outChannels

/** What one pass needs from a layer. */
export interface LayerWants {
  /** Each example's squared gradient norm over the layer's parameters. */
  readonly norms: boolean
  /** The per-example gradient factors (for 1-SAM's perturbed forward). */
  readonly factors: boolean
  /** The sum over examples of the parameter gradients. */
  readonly gradient: boolean
}

export interface LayerOutputs {
  readonly sqNorms?: tf.Tensor1D
  readonly factors?: LayerFactors
  readonly gradient?: Record<string, tf.Tensor>
}

/**
 * Per-example quantities of one layer from its input `a` and the back-propagated signal `d` at
 * its output, all examples at once. Dense: the kernel gradient of example i is a_i^T d_i, and
 * ||a_i^T d_i||_F = ||a_i|| ||d_i||, so no outer product is formed. Conv: the kernel gradient is
 * g_i = P_i^T D_i (P_i the patches of a_i, D_i the signal per position), a batched matmul, or its
 * norm by the Gram identity when that is cheaper; the bias gradient is the sum of D_i over
 * positions. The batch gradient is the sum of the per-example ones (no separate backward pass).
 * New tensors; call inside tf.tidy. `cache` entries made here are kept (`tf.keep`) for the cache.
 */
export const layerOutputs = (op: ParamOp, a: tf.Tensor, d: tf.Tensor, wants: LayerWants, cache?: PatchCache): LayerOutputs => {
  const out: { sqNorms?: tf.Tensor1D; factors?: LayerFactors; gradient?: Record<string, tf.Tensor> } = {}
  if (op.kind === "dense") {
    const a2 = a as tf.Tensor2D
    const d2 = d as tf.Tensor2D
    if (wants.norms) {
      const dSq = tf.sum<tf.Tensor1D>(tf.square(d2), 1)
      const kernel = tf.mul<tf.Tensor1D>(tf.sum(tf.square(a2), 1), dSq)
      out.sqNorms = op.bias ? tf.add<tf.Tensor1D>(kernel, dSq) : kernel
    }
    // Clones: the factors outlive the pass, whose input and signal tensors are freed.
    if (wants.factors) out.factors = { kind: "dense", a: tf.clone(a2), d: tf.clone(d2) }
    if (wants.gradient) out.gradient = { [`${op.layer}/kernel`]: tf.matMul(a2, d2, true, false), ...(op.bias ? { [`${op.layer}/bias`]: tf.sum(d2, 0) } : {}) }
    return out
  }
  const [b, ho, wo, channels] = d.shape as [number, number, number, number]
  const positions = ho * wo
  const patchLength = op.size * op.size * op.inChannels
  let entry = cache?.get(op.layer)
  if (!entry) {
    entry = { patches: im2col(a as tf.Tensor4D, op.size, op.stride) }
    if (cache) {
      tf.keep(entry.patches)
      cache.set(op.layer, entry)
    }
  }
  const P = entry.patches
  const D = tf.reshape(d, [b, positions, channels]) as tf.Tensor3D
  const gb = tf.sum<tf.Tensor2D>(D, 1)
  const useGram = wants.norms && !wants.factors && gramIsCheaper(positions, patchLength, channels)
  const g: tf.Tensor3D | undefined = wants.factors || (wants.norms && !useGram) ? tf.matMul<tf.Tensor3D>(P, D, true, false) : undefined
  if (wants.norms) {
    let kernel: tf.Tensor1D
    if (g) kernel = exampleSquares(g)
    else {
      const gram = entry.gram ?? tf.matMul<tf.Tensor3D>(P, P, false, true)
      if (!entry.gram) entry.gram = cache ? tf.keep(gram) : gram
      kernel = exampleDots(gram, tf.matMul(D, D, false, true))
    }
    out.sqNorms = op.bias ? tf.add<tf.Tensor1D>(kernel, exampleSquares(gb)) : kernel
  }
  if (wants.factors) out.factors = { kind: "conv", g: g!, gb }
  if (wants.gradient) {
    const kernel = g ? tf.sum(g, 0) : tf.matMul(tf.reshape(P, [b * positions, patchLength]), tf.reshape(D, [b * positions, channels]), true, false)
    out.gradient = {
      [`${op.layer}/kernel`]: tf.reshape(kernel, [op.size, op.size, op.inChannels, channels]),
      ...(op.bias ? { [`${op.layer}/bias`]: tf.sum(gb, 0) } : {})
    }
  }
  return out
}
