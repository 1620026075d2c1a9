import * as tf from "@tensorflow/tfjs-core"

/** Flattens every axis after the first: [batch, ...] -> [batch, size]. */
export const flattenExamples = (x: tf.Tensor): tf.Tensor2D => (x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [x.shape[0]!, -1]))

/** Squared L2 norm of each row of a [batch, ...] tensor, [batch]. */
export const rowSquaredNorms = (x: tf.Tensor): tf.Tensor1D => tf.tidy(() => tf.sum(tf.square(flattenExamples(x)), 1) as tf.Tensor1D)

/**
 * L2 norm of each row, [batch], with the gradient `x / ||x||` where the norm is non-zero and
 * 0 (a subgradient) where it is zero: the plain `sqrt` gives NaN there, and an all-zero row
 * is common (a dead ReLU layer for one example).
 */
const safeRowNorms = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = inputs as [tf.Tensor2D, tf.GradSaveFunc]
  const norms = tf.sqrt(tf.sum(tf.square(x), 1))
  save([x, norms])
  return {
    value: norms,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, n] = saved as [tf.Tensor2D, tf.Tensor1D]
      return tf.mul(tf.divNoNan(xs, tf.expandDims(n, 1)), tf.expandDims(dy, 1))
    }
  }
})

export const rowNorms = (x: tf.Tensor): tf.Tensor1D => tf.tidy(() => safeRowNorms(flattenExamples(x)) as tf.Tensor1D)

/** ||w||_F^2 (squared) or ||w||_F with the zero-safe gradient (unsquared), a scalar. */
export const frobenius = (w: tf.Tensor, squared: boolean): tf.Scalar =>
  tf.tidy(() => (squared ? tf.sum(tf.square(w)) : tf.reshape(safeRowNorms(tf.reshape(w, [1, -1])), [])) as tf.Scalar)
