import * as tf from "@tensorflow/tfjs-core"
import { addScaled, zipParams } from "../params/params.js"
import { OptimizerConfigError } from "./errors.js"
import { stateless } from "./stateless.js"
import type { GradientTransformation } from "./transform.js"

/** Adds `weightDecay * w` to the gradients (optax.add_decayed_weights); stateless. */
export const addDecayedWeights = (weightDecay: number): GradientTransformation<undefined> => {
  if (!(weightDecay >= 0 && Number.isFinite(weightDecay)))
    throw new OptimizerConfigError("addDecayedWeights", "weightDecay", `must be a finite number >= 0, got ${weightDecay}`)
  return stateless("addDecayedWeights", (grads, params) => tf.tidy(() => zipParams(grads, params, (g, w) => addScaled(g, w, weightDecay))))
}
