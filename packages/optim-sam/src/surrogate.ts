import * as tf from "@tensorflow/tfjs-core"

/**
 * The identity whose gradient is zero: treats `x` as a constant inside a loss, like
 * `jax.lax.stop_gradient` (tfjs-core has no such op).
 */
export const stopGradient = <T extends tf.Tensor>(x: T): T =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({ value: tf.clone(args[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }))(x) as T

/**
 * `mean_i <stopgrad(u_i), logits_i>`: its gradient in the weights is the mean of
 * `J_i(w)^T u_i` with u frozen, which is how L-SAM and J-SAM split the per-example gradient
 * `J^T u` without any per-example Jacobian. `u` [batch, K] as `logits`.
 */
export const logitSurrogate = (logits: tf.Tensor2D, u: tf.Tensor2D): tf.Scalar =>
  tf.tidy(() => tf.div(tf.sum(tf.mul(logits, stopGradient(u))), logits.shape[0]) as tf.Scalar)
