import * as tf from "@tensorflow/tfjs-core"

const stopped = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({ value: tf.clone(inputs[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }))

/**
 * `x` as a constant for differentiation (JAX's `stop_gradient`): the same values, a zero
 * gradient. tfjs-core has no such op; a custom gradient gives it. Returns a new tensor.
 */
export const stopGradient = <T extends tf.Tensor>(x: T): T => stopped(x) as T
