import * as tf from "@tensorflow/tfjs-core"
import { stopGradient } from "@samlab/core-tensor"

/**
 * `mean_i <stopgrad(u_i), logits_i>`: its gradient in the weights is the mean of
 * `J_i(w)^T u_i` with u frozen, which is how L-SAM and J-SAM split the per-example gradient
 * `J^T u` without any per-example Jacobian. `u` [batch, K] as `logits`.
 */
export const logitSurrogate = (logits: tf.Tensor2D, u: tf.Tensor2D): tf.Scalar =>
  tf.tidy(() => tf.div(tf.sum(tf.mul(logits, stopGradient(u))), logits.shape[0]) as tf.Scalar)
