import * as tf from "@tensorflow/tfjs-core"
import { type Params, disposeParams, mapParams, zerosLike, zipParams } from "../params/params.js"
import { OptimizerConfigError } from "./errors.js"
import { type LearningRate, rateAt, toSchedule } from "./schedule.js"
import type { GradientTransformation } from "./transform.js"

export interface SgdOptions {
  readonly lr: LearningRate
  readonly momentum?: number
  readonly weightDecay?: number
  readonly nesterov?: boolean
}

export interface SgdState {
  /** Updates made so far (the schedule's step index). */
  readonly count: number
  /** Momentum buffers, absent when momentum is 0. */
  readonly buffer: Params | undefined
}

/**
 * SGD with PyTorch semantics (dampening 0): `d = g + weightDecay * w`;
 * `buf = momentum * buf + d` (buf starts at 0, so its first value is `d`, as in PyTorch);
 * `d = nesterov ? d + momentum * buf : buf`; update `-lr * d`.
 */
export const sgd = (options: SgdOptions): GradientTransformation<SgdState> => {
  const { momentum = 0, weightDecay = 0, nesterov = false } = options
  const schedule = toSchedule(options.lr, "sgd")
  if (!(momentum >= 0 && momentum < 1)) throw new OptimizerConfigError("sgd", "momentum", `must be in [0, 1), got ${momentum}`)
  if (!(weightDecay >= 0 && Number.isFinite(weightDecay))) throw new OptimizerConfigError("sgd", "weightDecay", `must be a finite number >= 0, got ${weightDecay}`)
  if (nesterov && momentum === 0) throw new OptimizerConfigError("sgd", "nesterov", "needs momentum > 0")
  return {
    name: "sgd",
    init: (params) => ({ count: 0, buffer: momentum > 0 ? zerosLike(params) : undefined }),
    update: (grads, state, params) =>
      tf.tidy(() => {
        const lr = rateAt(schedule, state.count, "sgd")
        const d = weightDecay === 0 ? grads : zipParams(grads, params, (g, w) => tf.add(g, tf.mul(w, weightDecay)))
        if (state.buffer === undefined) {
          return { updates: mapParams(d, (t) => tf.mul(t, -lr)), state: { count: state.count + 1, buffer: undefined } }
        }
        const buffer = zipParams(state.buffer, d, (b, di) => tf.add(tf.mul(b, momentum), di))
        const direction = nesterov ? zipParams(d, buffer, (di, b) => tf.add(di, tf.mul(b, momentum))) : buffer
        return { updates: mapParams(direction, (t) => tf.mul(t, -lr)), state: { count: state.count + 1, buffer } }
      }),
    disposeState: (state) => disposeParams(state.buffer)
  }
}
