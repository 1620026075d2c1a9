import { disposeParams } from "../params/params.js"
import { OptimizerConfigError } from "./errors.js"
import type { GradientTransformation } from "./transform.js"

/**
 * Runs transformations in sequence, each one's updates feeding the next as its gradients
 * (optax.chain). The state is the array of the parts' states, owned by the chain: its
 * `disposeState` frees each part's, and a part that throws frees what the step made so far.
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
