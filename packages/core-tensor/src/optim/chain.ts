import * as tf from "@tensorflow/tfjs-core"
import { type Params, disposeParams, globalNorm, mapParams, zipParams } from "../params/params.js"
import { OptimizerConfigError } from "./errors.js"
import type { GradientTransformation } from "./transform.js"

/**
 * Runs transformations in sequence, each one's updates feeding the next as its gradients
 * (optax.chain). The state is the array of the parts' states.
 */
export const chain = (...parts: readonly GradientTransformation<any>[]): GradientTransformation<readonly unknown[]> => {
  if (parts.length === 0) throw new OptimizerConfigError("chain", "parts", "needs at least one transformation")
  return {
    name: parts.map((p) => p.name).join(" -> "),
    init: (params) => parts.map((p) => p.init(params)),
    update: (grads, state, params) => {
      const next: unknown[] = []
      let current = grads
      try {
        parts.forEach((p, i) => {
          const { updates, state: s } = p.update(current, state[i], params)
          if (current !== grads) disposeParams(current)
          current = updates
          next.push(s)
        })
      } catch (e) {
        if (current !== grads) disposeParams(current)
        next.forEach((s, i) => parts[i]!.disposeState(s))
        throw e
      }
      return { updates: current, state: next }
    },
    disposeState: (state) => parts.forEach((p, i) => p.disposeState(state[i]))
  }
}

/** Adds `weightDecay * w` to the gradients (optax.add_decayed_weights); stateless. */
export const addDecayedWeights = (weightDecay: number): GradientTransformation<undefined> => {
  if (!(weightDecay >= 0 && Number.isFinite(weightDecay))) throw new OptimizerConfigError("addDecayedWeights", "weightDecay", `must be a finite number >= 0, got ${weightDecay}`)
  return {
    name: "addDecayedWeights",
    init: () => undefined,
    update: (grads, _state, params) => ({ updates: tf.tidy(() => zipParams(grads, params, (g, w) => tf.add(g, tf.mul(w, weightDecay)))), state: undefined }),
    disposeState: () => {}
  }
}

/**
 * Rescales the gradients so their global L2 norm is at most `maxNorm`
 * (`g * maxNorm / max(||g||, maxNorm)`, optax.clip_by_global_norm); stateless.
 */
export const clipByGlobalNorm = (maxNorm: number): GradientTransformation<undefined> => {
  if (!(maxNorm > 0 && Number.isFinite(maxNorm))) throw new OptimizerConfigError("clipByGlobalNorm", "maxNorm", `must be a finite number > 0, got ${maxNorm}`)
  return {
    name: "clipByGlobalNorm",
    init: () => undefined,
    update: (grads: Params) => ({
      updates: tf.tidy(() => {
        const norm = globalNorm(grads)
        const factor = tf.div(maxNorm, tf.maximum(norm, maxNorm))
        return mapParams(grads, (g) => tf.mul(g, factor))
      }),
      state: undefined
    }),
    disposeState: () => {}
  }
}
