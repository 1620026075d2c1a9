import * as tf from "@tensorflow/tfjs-core"
import { type Params, disposeParams, zipParams } from "../params/params.js"
import type { GradientTransformation } from "./transform.js"

/** `params + updates`, tensor by tensor: new tensors owned by the caller; the inputs are untouched. */
export const applyUpdates = (params: Params, updates: Params): Params => tf.tidy(() => zipParams(params, updates, (p, u) => tf.add(p, u)))

/**
 * One step of `transformation` at `params`: its `fusedApply` where the backend runs it, else
 * `update` then `applyUpdates` (the same numbers either way). Returns the new params and state,
 * owned by the caller; disposes nothing it was given.
 */
export const updateAndApply = <S>(transformation: GradientTransformation<S>, grads: Params, state: S, params: Params): { params: Params; state: S } => {
  const fused = transformation.fusedApply?.(grads, state, params)
  if (fused) return fused
  const { updates, state: next } = transformation.update(grads, state, params)
  try {
    return { params: applyUpdates(params, updates), state: next }
  } finally {
    disposeParams(updates)
  }
}
