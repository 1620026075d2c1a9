import * as tf from "@tensorflow/tfjs-core"
import { valueAndGradParams } from "@samlab/core-tensor"
import { oneSamGradientFactors } from "../closed-form/one-sam-logistic.js"
import { TheoryConfigError } from "../errors.js"

/** Example i's logistic loss softplus(-t_i <W_i, x_i>) at its own weight vector W_i (row i of W [n, d]). */
const perExampleLosses = (W: tf.Tensor, x: tf.Tensor2D, t: tf.Tensor1D): tf.Tensor => tf.softplus(tf.neg(tf.mul(t, tf.sum(tf.mul(W, x), 1))))

/**
 * Per-example gradients by autodiff, batched: row i of the result is the gradient of
 * example i's loss at W_i. The rows of W are independent variables, so the gradient of
 * sum_i loss_i(W_i) in W has exactly those rows. New tensor, owned by the caller.
 */
export const perExampleLogisticGradients = (W: tf.Tensor2D, x: tf.Tensor2D, t: tf.Tensor1D): tf.Tensor2D => {
  const { value, grads } = valueAndGradParams((p) => tf.sum(perExampleLosses(p["W"]!, x, t)), { W })
  value.dispose()
  return grads["W"] as tf.Tensor2D
}

export interface OneSamGradients {
  /** [n, d]: example i's gradient g_i at w (plain GD's per-example gradient). */
  readonly gd: tf.Tensor2D
  /** [n, d]: example i's gradient at w + eps_i, eps_i = rho g_i/||g_i|| (1-SAM's per-example gradient). */
  readonly sam: tf.Tensor2D
}

const checkShapes = (where: string, w: tf.Tensor1D, x: tf.Tensor2D, t: tf.Tensor1D, rho: number) => {
  if (w.rank !== 1) throw new TheoryConfigError(where, "w", `must be [d], got shape [${w.shape}]`)
  if (x.rank !== 2 || x.shape[1] !== w.shape[0]) throw new TheoryConfigError(where, "x", `must be [n, ${w.shape[0]}], got shape [${x.shape}]`)
  if (t.rank !== 1 || t.shape[0] !== x.shape[0]) throw new TheoryConfigError(where, "t", `must be [${x.shape[0]}], got shape [${t.shape}]`)
  if (!Number.isFinite(rho) || rho < 0) throw new TheoryConfigError(where, "rho", `must be a finite number >= 0, got ${rho}`)
}

/**
 * 1-SAM on linear logistic regression, computed generically: per-example gradients at w by
 * autodiff, one perturbed weight vector per example (w + rho g_i/||g_i||; a zero gradient
 * gives no perturbation), per-example gradients again at those. No closed form is used.
 * Both tensors are new and owned by the caller.
 */
export const oneSamLinearGradients = (w: tf.Tensor1D, x: tf.Tensor2D, t: tf.Tensor1D, rho: number): OneSamGradients => {
  checkShapes("oneSamLinearGradients", w, x, t, rho)
  return tf.tidy(() => {
    const W = tf.tile(tf.expandDims(w, 0), [x.shape[0], 1]) as tf.Tensor2D
    const gd = perExampleLogisticGradients(W, x, t)
    if (rho === 0) return { gd, sam: tf.clone(gd) }
    const norms = tf.norm(gd, "euclidean", 1, true)
    const perturbed = tf.add(W, tf.mul(tf.divNoNan(gd, norms), rho)) as tf.Tensor2D
    return { gd, sam: perExampleLogisticGradients(perturbed, x, t) }
  })
}

/** Host-side per-example diagnostics of one 1-SAM evaluation. */
export interface OneSamDiagnostics {
  /** ||g_i|| at w. */
  readonly gdNorms: Float32Array
  /** ||g_i^SAM||. */
  readonly samNorms: Float32Array
  /**
   * ||g_i^SAM - c_i g_i|| / ||g_i^SAM|| with c_i = sigma(-m_i + rho||x_i||)/sigma(-m_i), the
   * closed form `oneSamGradientFactors` (closed-form/one-sam-logistic.ts); NaN where g_i^SAM = 0.
   */
  readonly closedFormRelErr: Float32Array
}

/** Compares the autodiff 1-SAM gradients with the closed form, example by example. */
export const oneSamDiagnostics = (w: tf.Tensor1D, x: tf.Tensor2D, t: tf.Tensor1D, rho: number, grads: OneSamGradients): OneSamDiagnostics => {
  checkShapes("oneSamDiagnostics", w, x, t, rho)
  const [gdNorms, samNorms, err] = tf.tidy(() => {
    const factors = oneSamGradientFactors(w, x, t, rho)
    const predicted = tf.mul(grads.gd, tf.expandDims(factors, 1))
    const samNorm = tf.norm(grads.sam, "euclidean", 1)
    return [tf.norm(grads.gd, "euclidean", 1), samNorm, tf.div(tf.norm(tf.sub(grads.sam, predicted), "euclidean", 1), samNorm)]
  })
  const out = { gdNorms: gdNorms.dataSync() as Float32Array, samNorms: samNorms.dataSync() as Float32Array, closedFormRelErr: err.dataSync() as Float32Array }
  tf.dispose([gdNorms, samNorms, err])
  return out
}

/** Mean of ||g_i^SAM||/||g_i|| over clean examples divided by the same mean over noisy ones (NaN when a group is empty). */
export const cleanNoisyWeightRatio = (
  d: OneSamDiagnostics,
  isNoisy: Uint8Array
): { readonly clean: number; readonly noisy: number; readonly ratio: number } => {
  const sums = [0, 0]
  const counts = [0, 0]
  for (let i = 0; i < isNoisy.length; i++) {
    const g = d.gdNorms[i]!
    if (!(g > 0)) continue
    const k = isNoisy[i] ? 1 : 0
    sums[k]! += d.samNorms[i]! / g
    counts[k]!++
  }
  const clean = counts[0] ? sums[0]! / counts[0]! : Number.NaN
  const noisy = counts[1] ? sums[1]! / counts[1]! : Number.NaN
  return { clean, noisy, ratio: clean / noisy }
}

/** Largest finite entry (NaN entries, from zero gradients, are skipped); 0 for none. */
export const maxFinite = (values: ArrayLike<number>): number => {
  let m = 0
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!) && values[i]! > m) m = values[i]!
  return m
}
