import * as tf from "@tensorflow/tfjs-core"
import { TheoryInputError, finite, nonNegative } from "./errors.js"

const softplus = (z: number): number => (z >= 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)))

/**
 * log sigma(-m + r) - log sigma(-m) = softplus(m) - softplus(m - r), in float64 without
 * cancellation: for large m the linear parts are subtracted exactly (they differ by r).
 */
const logFactor = (m: number, r: number): number => {
  const b = m - r
  if (b >= 0) return r + Math.log1p(Math.exp(-m)) - Math.log1p(Math.exp(-b))
  if (m <= 0) return Math.log1p(Math.exp(m)) - Math.log1p(Math.exp(b))
  return softplus(m) - softplus(b)
}

/**
 * Linear logistic regression, loss `-log sigma(m)` with margin `m = t <w, x>`, t in {-1, +1}:
 * 1-SAM's per-example gradient (taken at `w + rho g/||g||`, g the example's own gradient)
 * equals SGD's times `sigma(-m + rho ||x||) / sigma(-m)`. The factor rises with m from 1
 * (m -> -inf, badly fit examples) to `exp(rho ||x||)` (m -> +inf, well fit ones): 1-SAM
 * up-weights the low-loss, mostly clean, examples most. Computed as a difference of
 * log-sigmoids, accurate for any margin (no 0/0 for large m).
 */
export const oneSamGradientFactor = (margin: number, rho: number, xNorm: number): number => {
  const where = "oneSamGradientFactor"
  finite(where, "margin", margin)
  nonNegative(where, "rho", rho)
  nonNegative(where, "xNorm", xNorm)
  return Math.exp(logFactor(margin, rho * xNorm))
}

/**
 * `oneSamGradientFactor` for a batch: `w` [d], `x` [n, d], `t` [n] of +-1, returns [n]
 * (float32, owned by the caller). The margins are `t_i <w, x_i>`.
 */
export const oneSamGradientFactors = (w: tf.Tensor1D, x: tf.Tensor2D, t: tf.Tensor1D, rho: number): tf.Tensor1D => {
  const where = "oneSamGradientFactors"
  nonNegative(where, "rho", rho)
  if (w.rank !== 1) throw new TheoryInputError(where, "w", `must be [d], got shape [${w.shape}]`)
  if (x.rank !== 2 || x.shape[1] !== w.shape[0]) throw new TheoryInputError(where, "x", `must be [n, ${w.shape[0]}], got shape [${x.shape}]`)
  if (t.rank !== 1 || t.shape[0] !== x.shape[0]) throw new TheoryInputError(where, "t", `must be [${x.shape[0]}] labels of +-1, got shape [${t.shape}]`)
  return tf.tidy(() => {
    const margins = tf.mul(tf.cast(t, "float32"), tf.squeeze(tf.matMul(x, tf.expandDims(w, 1)), [1]))
    const norms = tf.sqrt(tf.sum(tf.square(x), 1))
    // log sigma(-m + r) - log sigma(-m) = softplus(m) - softplus(m - r)
    return tf.exp(tf.sub(tf.softplus(margins), tf.softplus(tf.sub(margins, tf.mul(norms, rho))))) as tf.Tensor1D
  })
}
