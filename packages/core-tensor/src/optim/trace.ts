import * as tf from "@tensorflow/tfjs-core"
import { type Params, addScaled, cloneParams, disposeParams, zerosLike, zipParams } from "../params/params.js"
import { OptimizerConfigError } from "./errors.js"
import type { GradientTransformation } from "./transform.js"

export interface TraceOptions {
  /** The momentum, in [0, 1). */
  readonly decay: number
  readonly nesterov?: boolean
}

/** The momentum buffer (starts at 0). */
export interface TraceState {
  readonly trace: Params
}

/**
 * Momentum (optax.trace, PyTorch SGD's buffer with dampening 0): `t = g + decay * t`;
 * updates `nesterov ? g + decay * t : t`. The buffer starts at 0, so its first value is `g`.
 */
export const trace = (options: TraceOptions): GradientTransformation<TraceState> => {
  const { decay, nesterov = false } = options
  if (!(decay >= 0 && decay < 1)) throw new OptimizerConfigError("trace", "decay", `must be in [0, 1), got ${decay}`)
  if (nesterov && decay === 0) throw new OptimizerConfigError("trace", "nesterov", "needs decay > 0")
  return {
    name: nesterov ? "trace(nesterov)" : "trace",
    init: (params) => ({ trace: zerosLike(params) }),
    update: (grads, state) =>
      tf.tidy(() => {
        // g + t * decay: the same bits as t * decay + g (float addition commutes), one pass where the backend fuses it
        const next = zipParams(state.trace, grads, (t, g) => addScaled(g, t, decay))
        // updates and state are owned apart, so without nesterov the updates are a copy (shared data, no kernel work)
        const updates = nesterov ? zipParams(grads, next, (g, t) => addScaled(g, t, decay)) : cloneParams(next)
        return { updates, state: { trace: next } }
      }),
    disposeState: (state) => disposeParams(state.trace)
  }
}
