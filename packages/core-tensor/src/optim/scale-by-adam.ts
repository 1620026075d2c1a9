import * as tf from "@tensorflow/tfjs-core"
import { type Params, disposeParams, zerosLike, zipParams } from "../params/params.js"
import { OptimizerConfigError } from "./errors.js"
import type { GradientTransformation } from "./transform.js"

export interface ScaleByAdamOptions {
  readonly beta1?: number
  readonly beta2?: number
  readonly eps?: number
}

export interface ScaleByAdamState {
  /** Updates made so far (t - 1 for the next update). */
  readonly count: number
  readonly m: Params
  readonly v: Params
}

/**
 * Adam's direction with PyTorch's bias correction (optax.scale_by_adam, eps outside the root):
 * `m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; update = m / (1-b1^t) / (sqrt(v) / sqrt(1-b2^t) + eps)`.
 */
export const scaleByAdam = (options: ScaleByAdamOptions = {}): GradientTransformation<ScaleByAdamState> => {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = options
  if (!(beta1 >= 0 && beta1 < 1)) throw new OptimizerConfigError("scaleByAdam", "beta1", `must be in [0, 1), got ${beta1}`)
  if (!(beta2 >= 0 && beta2 < 1)) throw new OptimizerConfigError("scaleByAdam", "beta2", `must be in [0, 1), got ${beta2}`)
  if (!(eps > 0 && Number.isFinite(eps))) throw new OptimizerConfigError("scaleByAdam", "eps", `must be a finite number > 0, got ${eps}`)
  return {
    name: "scaleByAdam",
    init: (params) => ({ count: 0, m: zerosLike(params), v: zerosLike(params) }),
    update: (grads, state) =>
      tf.tidy(() => {
        const t = state.count + 1
        const m = zipParams(state.m, grads, (mi, g) => tf.add(tf.mul(mi, beta1), tf.mul(g, 1 - beta1)))
        const v = zipParams(state.v, grads, (vi, g) => tf.add(tf.mul(vi, beta2), tf.mul(tf.square(g), 1 - beta2)))
        const correction1 = 1 / (1 - Math.pow(beta1, t))
        const sqrtCorrection2 = Math.sqrt(1 - Math.pow(beta2, t))
        const updates = zipParams(m, v, (mi, vi) => tf.mul(tf.div(mi, tf.add(tf.div(tf.sqrt(vi), sqrtCorrection2), eps)), correction1))
        return { updates, state: { count: t, m, v } }
      }),
    disposeState: (state) => disposeParams(state.m, state.v)
  }
}
