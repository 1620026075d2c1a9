import { type Params, globalNorm, mapParams } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"

/** SAM's normalisation constant (see the golden README): eps = rho * g / (||g|| + 1e-12). */
export const samNormEpsilon = 1e-12

/**
 * SAM's ascent step eps = rho * g / (||g|| + 1e-12), the norm global over every parameter
 * (biases included); a zero gradient gives eps = 0. New tensors owned by the caller.
 */
export const samPerturbation = (grad: Params, rho: number): Params =>
  tf.tidy(() => {
    const scale = tf.div(rho, tf.add(globalNorm(grad), samNormEpsilon))
    return mapParams(grad, (g) => tf.mul(g, scale))
  })
