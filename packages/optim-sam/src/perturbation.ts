import * as tf from "@tensorflow/tfjs-core"
import { type Params, globalNorm, mapParams, scaledAdd, zipParams } from "@samlab/core-tensor"
import { checkRho } from "./options.js"

/** Added to the norm so a zero gradient gives a zero perturbation, never NaN. */
export const NORM_EPS = 1e-12

export interface PerturbationOptions {
  readonly rho: number
  /** ASAM (Kwon et al. 2021): scale by |w| elementwise. */
  readonly adaptive?: boolean
}

/** The perturbation as `direction * scale`: g and rho / (||g|| + eps), or w^2 g and rho / (|| |w| g || + eps) with `adaptive`. */
const ascent = (params: Params, grads: Params, options: PerturbationOptions, where: string): { direction: Params; scale: tf.Scalar } => {
  const rho = checkRho(options.rho, where)
  const normed = options.adaptive ? zipParams(grads, params, (g, w) => tf.mul(tf.abs(w), g)) : grads
  // overflow-safe: gradients near 1e20 would otherwise give an infinite norm and a zero perturbation
  const scale = tf.div(rho, tf.add(globalNorm(normed), NORM_EPS)) as tf.Scalar
  const direction = options.adaptive ? zipParams(grads, params, (g, w) => tf.mul(tf.square(w), g)) : grads
  return { direction, scale }
}

/**
 * The ascent step of SAM: `eps = rho * g / (||g|| + 1e-12)`, the norm global over every
 * tensor of `grads` (biases included); with `adaptive`,
 * `eps = rho * w^2 * g / (|| |w| * g || + 1e-12)`. New tensors owned by the caller.
 * `grads` should be the gradient of the unregularised loss (no weight decay), as in SAM.
 */
export const perturbation = (params: Params, grads: Params, options: PerturbationOptions): Params =>
  tf.tidy(() => {
    const { direction, scale } = ascent(params, grads, options, "perturbation")
    return mapParams(direction, (d) => tf.mul(d, scale))
  })

/**
 * `w + eps` (eps as `perturbation`), tensor by tensor: bit for bit `params + perturbation(...)`,
 * in one pass per tensor where the backend fuses `a + b * s` (the native backend) instead of
 * making eps first. New tensors owned by the caller.
 */
export const perturbedParams = (params: Params, grads: Params, options: PerturbationOptions): Params =>
  tf.tidy(() => {
    const { direction, scale } = ascent(params, grads, options, "perturbedParams")
    return scaledAdd(params, direction, scale)
  })
