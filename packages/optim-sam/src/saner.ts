import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "@samlab/core-tensor"
import { SamConfigError } from "./errors.js"

/** Added to g0 in the ratio `gs / (g0 + 1e-8)`, as in the reference implementation (lhchau/sam-label-noise). */
export const SANER_RATIO_EPS = 1e-8

/**
 * SANER's group B (Luong et al. 2024): the coordinates whose SAM gradient `gs` points the
 * same way as the gradient `g0` at w but is smaller, `0 < gs / (g0 + 1e-8) < 1` (the ones SAM
 * already shrinks). 1 in group B, 0 elsewhere, as float32.
 */
export const groupBMask = (g0: tf.Tensor, gs: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const r = tf.div(gs, tf.add(g0, SANER_RATIO_EPS))
    return tf.cast(tf.logicalAnd(tf.greater(r, 0), tf.less(r, 1)), "float32")
  })

export interface SanerGradient {
  /** `alpha * gs` on group B, `gs` elsewhere. */
  readonly grad: Params
  /** Share of all coordinates (every parameter tensor together) in group B, in [0, 1]. */
  readonly groupBShare: tf.Scalar
}

/**
 * SANER's gradient from the gradient at w (`g0`) and SAM's (`gs`): group B scaled by
 * `alpha` (alpha = 1 is SAM, alpha = 0 drops group B). New tensors owned by the caller.
 */
export const sanerGradient = (g0: Params, gs: Params, alpha: number): SanerGradient =>
  tf.tidy(() => {
    let count = tf.scalar(0)
    let total = 0
    const grad: Record<string, tf.Tensor> = {}
    for (const [k, s] of Object.entries(gs)) {
      const g = g0[k]
      if (g === undefined) throw new SamConfigError("sanerGradient", "g0", `has no gradient for parameter "${k}"`)
      const mask = groupBMask(g, s)
      count = tf.add(count, tf.sum(mask))
      total += mask.size
      // gs * (1 + (alpha - 1) * mask): alpha on group B, 1 elsewhere
      grad[k] = tf.mul(s, tf.add(1, tf.mul(mask, alpha - 1)))
    }
    return { grad, groupBShare: tf.div(count, Math.max(1, total)) as tf.Scalar } as unknown as tf.TensorContainer
  }) as unknown as SanerGradient

export const checkAlpha = (alpha: number | undefined, where: string): number => {
  if (typeof alpha !== "number" || !Number.isFinite(alpha) || alpha < 0)
    throw new SamConfigError(where, "alpha", `must be a finite number >= 0 (SANER's scale of group B), got ${alpha}`)
  return alpha
}
