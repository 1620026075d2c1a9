import * as tf from "@tensorflow/tfjs-core"
import { type Params, disposeParams, zerosLike, zipParams } from "../params/params.js"
import { OptimizerConfigError } from "./errors.js"
import { type LearningRate, rateAt, toSchedule } from "./schedule.js"
import type { GradientTransformation } from "./transform.js"

export interface AdamOptions {
  readonly lr: LearningRate
  readonly beta1?: number
  readonly beta2?: number
  readonly eps?: number
  /** Adam: L2 added to the gradient; AdamW: decoupled decay of the weights. */
  readonly weightDecay?: number
}

export interface AdamState {
  readonly count: number
  readonly m: Params
  readonly v: Params
}

const check = (where: string, o: AdamOptions): Required<Omit<AdamOptions, "lr" | "weightDecay">> & { weightDecay: number | undefined } => {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay } = o
  if (!(beta1 >= 0 && beta1 < 1)) throw new OptimizerConfigError(where, "beta1", `must be in [0, 1), got ${beta1}`)
  if (!(beta2 >= 0 && beta2 < 1)) throw new OptimizerConfigError(where, "beta2", `must be in [0, 1), got ${beta2}`)
  if (!(eps > 0 && Number.isFinite(eps))) throw new OptimizerConfigError(where, "eps", `must be a finite number > 0, got ${eps}`)
  if (weightDecay !== undefined && !(weightDecay >= 0 && Number.isFinite(weightDecay))) {
    throw new OptimizerConfigError(where, "weightDecay", `must be a finite number >= 0, got ${weightDecay}`)
  }
  return { beta1, beta2, eps, weightDecay }
}

/**
 * The Adam update with PyTorch's bias correction:
 * `m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= (lr / (1-b1^t)) m / (sqrt(v) / sqrt(1-b2^t) + eps)`.
 * `decoupled` selects AdamW (`w -= lr * wd * w` beside the Adam step) over Adam (`g += wd * w`).
 */
const adamFamily = (name: "adam" | "adamw", options: AdamOptions, defaultDecay: number): GradientTransformation<AdamState> => {
  const { beta1, beta2, eps, weightDecay = defaultDecay } = check(name, options)
  const schedule = toSchedule(options.lr, name)
  const decoupled = name === "adamw"
  return {
    name,
    init: (params) => ({ count: 0, m: zerosLike(params), v: zerosLike(params) }),
    update: (grads, state, params) =>
      tf.tidy(() => {
        const lr = rateAt(schedule, state.count, name)
        const t = state.count + 1
        const g = !decoupled && weightDecay !== 0 ? zipParams(grads, params, (gi, w) => tf.add(gi, tf.mul(w, weightDecay))) : grads
        const m = zipParams(state.m, g, (mi, gi) => tf.add(tf.mul(mi, beta1), tf.mul(gi, 1 - beta1)))
        const v = zipParams(state.v, g, (vi, gi) => tf.add(tf.mul(vi, beta2), tf.mul(tf.square(gi), 1 - beta2)))
        const stepSize = lr / (1 - Math.pow(beta1, t))
        const sqrtCorrection2 = Math.sqrt(1 - Math.pow(beta2, t))
        const adamStep = zipParams(m, v, (mi, vi) => tf.mul(tf.div(mi, tf.add(tf.div(tf.sqrt(vi), sqrtCorrection2), eps)), -stepSize))
        const updates = decoupled && weightDecay !== 0 ? zipParams(adamStep, params, (s, w) => tf.sub(s, tf.mul(w, lr * weightDecay))) : adamStep
        return { updates, state: { count: t, m, v } }
      }),
    disposeState: (state) => disposeParams(state.m, state.v)
  }
}

/** Adam (PyTorch `torch.optim.Adam`): weight decay, if any, is L2 added to the gradient. */
export const adam = (options: AdamOptions): GradientTransformation<AdamState> => adamFamily("adam", options, 0)

/** AdamW (PyTorch `torch.optim.AdamW`): decoupled weight decay, default 0.01. */
export const adamw = (options: AdamOptions): GradientTransformation<AdamState> => adamFamily("adamw", options, 0.01)
