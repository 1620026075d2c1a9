import * as tf from "@tensorflow/tfjs-core"
import { constantOf } from "@samlab/core-tensor"
import { TheoryInputError, nonNegative, sign } from "./errors.js"

/**
 * Two-layer linear network `f(x) = v^T W x` (W [h, d], v [h], x [d]), logistic loss
 * `-log sigma(t f)`, t in {-1, +1}. The per-example J-SAM gradient (the Jacobian of f
 * evaluated at `w + rho g/||g||`, the logit term frozen at w) equals the gradient of
 *
 *   loss + sg(rho sigma(-t f) / J) * 1/2 (||x||^2 ||v||^2 + ||W x||^2),
 *   J = sqrt(||W x||^2 + ||v||^2 ||x||^2) = ||grad_w f||,
 *
 * sg = stop-gradient: SGD plus a penalty on the last-layer weights v and the intermediate
 * activations W x. This is that objective averaged over a batch (x [n, d], t [n] of +-1), the
 * one place the formula is written; a scalar owned by the caller whose gradient in W and v is
 * the mean J-SAM gradient. Where J = 0 (then the gradient is 0 too) the coefficient is 0.
 */
export const jsamTwoLayerObjectiveBatch = (p: { readonly W: tf.Tensor2D; readonly v: tf.Tensor1D }, x: tf.Tensor2D, t: tf.Tensor1D, rho: number): tf.Scalar => {
  const where = "jsamTwoLayerObjectiveBatch"
  nonNegative(where, "rho", rho)
  const { W, v } = p
  if (W.rank !== 2) throw new TheoryInputError(where, "W", `must be [h, d], got shape [${W.shape}]`)
  if (v.rank !== 1 || v.shape[0] !== W.shape[0]) throw new TheoryInputError(where, "v", `must be [${W.shape[0]}], got shape [${v.shape}]`)
  if (x.rank !== 2 || x.shape[1] !== W.shape[1]) throw new TheoryInputError(where, "x", `must be [n, ${W.shape[1]}], got shape [${x.shape}]`)
  if (t.rank !== 1 || t.shape[0] !== x.shape[0]) throw new TheoryInputError(where, "t", `must be [${x.shape[0]}] labels of +-1, got shape [${t.shape}]`)
  return tf.tidy(() => {
    const activations = tf.matMul(x, W, false, true) // W x_i, [n, h]
    const f = tf.squeeze(tf.matMul(activations, tf.expandDims(v, 1)), [1])
    // softplus(-t f) = -log sigma(t f); tf.logSigmoid's gradient reads a disposed tensor when its input is an intermediate.
    const loss = tf.softplus(tf.neg(tf.mul(t, f)))
    const xx = tf.sum(tf.square(x), 1)
    const vv = tf.sum(tf.square(v))
    const aa = tf.sum(tf.square(activations), 1)
    // The coefficient is computed off the gradient tape (a constant), so its sqrt and
    // divide-no-NaN are never differentiated.
    const coefficient = constantOf(
      (fv, a, b, c) => tf.mul(tf.divNoNan(tf.sigmoid(tf.neg(tf.mul(t, fv))), tf.sqrt(tf.add(a!, tf.mul(b!, c!)))), rho),
      f,
      aa,
      vv,
      xx
    )
    const penalty = tf.mul(0.5, tf.add(tf.mul(xx, vv), aa))
    return tf.mean(tf.add(loss, tf.mul(coefficient, penalty))) as tf.Scalar
  })
}

/** `jsamTwoLayerObjectiveBatch` for one example: x [d], t = +1 or -1. */
export const jsamTwoLayerObjective = (W: tf.Tensor2D, v: tf.Tensor1D, x: tf.Tensor1D, t: number, rho: number): tf.Scalar => {
  const where = "jsamTwoLayerObjective"
  sign(where, "t", t)
  nonNegative(where, "rho", rho)
  if (W.rank !== 2) throw new TheoryInputError(where, "W", `must be [h, d], got shape [${W.shape}]`)
  if (x.rank !== 1 || x.shape[0] !== W.shape[1]) throw new TheoryInputError(where, "x", `must be [${W.shape[1]}], got shape [${x.shape}]`)
  return tf.tidy(() => jsamTwoLayerObjectiveBatch({ W, v }, tf.expandDims(x, 0), tf.tensor1d([t]), rho))
}
