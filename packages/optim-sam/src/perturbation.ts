import * as tf from "@tensorflow/tfjs-core"
import { type Params, globalNorm, mapParams, zipParams } from "@samlab/core-tensor"
import { checkRho } from "./options.js"

/** Added to the norm so a zero gradient gives a zero perturbation, never NaN. */
export const NORM_EPS = 1e-12

export interface PerturbationOptions {
  readonly rho: number
  /** ASAM (Kwon et al. 2021): scale by |w| elementwise. */
  readonly adaptive?: boolean
}

/**
 * The ascent step of SAM: `eps = rho * g / (||g|| + 1e-12)`, the norm global over every
 * tensor of `grads` (biases included); with `adaptive`,
 * `eps = rho * w^2 * g / (|| |w| * g || + 1e-12)`. New tensors owned by the caller.
 * `grads` should be the gradient of the unregularised loss (no weight decay), as in SAM.
 */
export const perturbation = (params: Params, grads: Params, options: PerturbationOptions): Params => {
  const rho = checkRho(options.rho, "perturbation")
  return tf.tidy(() => {
    const direction = options.adaptive ? zipParams(grads, params, (g, w) => tf.mul(tf.abs(w), g)) : grads
    // overflow-safe: gradients near 1e20 would otherwise give an infinite norm and a zero perturbation
    const norm = globalNorm(direction)
    const scale = tf.div(rho, tf.add(norm, NORM_EPS))
    return options.adaptive ? zipParams(grads, params, (g, w) => tf.mul(tf.mul(tf.square(w), g), scale)) : mapParams(grads, (g) => tf.mul(g, scale))
  })
}
