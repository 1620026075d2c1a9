import * as tf from "@tensorflow/tfjs-core"
import { globalNorm, mapParams } from "../params/params.js"
import { OptimizerConfigError } from "./errors.js"
import { stateless } from "./stateless.js"
import type { GradientTransformation } from "./transform.js"

/**
 * Rescales the gradients so their global L2 norm is at most `maxNorm`
 * (`g * maxNorm / max(||g||, maxNorm)`, optax.clip_by_global_norm); stateless.
 */
export const clipByGlobalNorm = (maxNorm: number): GradientTransformation<undefined> => {
  if (!(maxNorm > 0 && Number.isFinite(maxNorm))) throw new OptimizerConfigError("clipByGlobalNorm", "maxNorm", `must be a finite number > 0, got ${maxNorm}`)
  return stateless("clipByGlobalNorm", (grads) =>
    tf.tidy(() => {
      const factor = tf.div(maxNorm, tf.maximum(globalNorm(grads), maxNorm))
      return mapParams(grads, (g) => tf.mul(g, factor))
    })
  )
}
