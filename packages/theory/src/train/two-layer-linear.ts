import * as tf from "@tensorflow/tfjs-core"
import { type Params, valueAndGradParams } from "@samlab/core-tensor"
import { jsamTwoLayerObjectiveBatch } from "../closed-form/jsam-two-layer.js"
import { TheoryConfigError } from "../errors.js"

/**
 * The two-layer linear network of the paper's Section 4.2 in its notation:
 * f(x) = v^T W x, W [h, d], v [h], logistic loss softplus(-t f), t = +-1.
 * Params are `{ W, v }` (the order every flattening follows).
 */
export interface TwoLayerParams extends Params {
  readonly W: tf.Tensor2D
  readonly v: tf.Tensor1D
}

const check = (where: string, p: TwoLayerParams, x: tf.Tensor2D, t: tf.Tensor1D, rho: number) => {
  const [h, d] = p.W.shape
  if (p.W.rank !== 2) throw new TheoryConfigError(where, "W", `must be [h, d], got shape [${p.W.shape}]`)
  if (p.v.rank !== 1 || p.v.shape[0] !== h) throw new TheoryConfigError(where, "v", `must be [${h}], got shape [${p.v.shape}]`)
  if (x.rank !== 2 || x.shape[1] !== d) throw new TheoryConfigError(where, "x", `must be [n, ${d}], got shape [${x.shape}]`)
  if (t.rank !== 1 || t.shape[0] !== x.shape[0]) throw new TheoryConfigError(where, "t", `must be [${x.shape[0]}], got shape [${t.shape}]`)
  if (!Number.isFinite(rho) || rho < 0) throw new TheoryConfigError(where, "rho", `must be a finite number >= 0, got ${rho}`)
}

/** Activations W x_i for every example: [n, h]. */
export const twoLayerActivations = (W: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D => tf.matMul(x, W, false, true)

/** f(x_i) = v^T W x_i for every example: [n]. */
export const twoLayerOutputs = (p: { readonly W: tf.Tensor2D; readonly v: tf.Tensor1D }, x: tf.Tensor2D): tf.Tensor1D =>
  tf.tidy(() => tf.squeeze(tf.matMul(twoLayerActivations(p.W, x), tf.expandDims(p.v, 1)), [1]))

/** f_i = v_i^T W_i x_i with one weight pair per example: W [n, h, d], v [n, h]; returns [n]. */
const perExampleOutputs = (W: tf.Tensor, v: tf.Tensor, x: tf.Tensor2D): tf.Tensor1D =>
  tf.sum(tf.mul(v, tf.squeeze(tf.matMul(W as tf.Tensor3D, tf.expandDims(x, 2)), [2])), 1)

/** Gradient of the mean logistic loss: plain GD's direction. New tensors owned by the caller. */
export const twoLayerLossGradient = (p: TwoLayerParams, x: tf.Tensor2D, t: tf.Tensor1D): TwoLayerParams => {
  check("twoLayerLossGradient", p, x, t, 0)
  const { value, grads } = valueAndGradParams((q) => tf.mean(tf.softplus(tf.neg(tf.mul(t, twoLayerOutputs(q as TwoLayerParams, x))))), p)
  value.dispose()
  return grads as TwoLayerParams
}

/** Per-example J-SAM gradients, [n, h, d] and [n, h]. */
export interface PerExampleJsam {
  readonly W: tf.Tensor3D
  readonly v: tf.Tensor2D
}

/**
 * J-SAM's per-example gradients by definition, batched with autodiff: g_i = gradient of
 * example i's loss at w (one copy of the weights per example), eps_i = rho g_i/||g_i|| over
 * (W, v) together (a zero gradient gives no perturbation), and with the logit term
 * u_i = -t_i sigma(-t_i f(x_i; w)) held at w, the gradient of u_i f(x_i; w') at w' = w + eps_i.
 * Uses no closed form. New tensors owned by the caller.
 */
export const jsamPerExampleGradients = (p: TwoLayerParams, x: tf.Tensor2D, t: tf.Tensor1D, rho: number): PerExampleJsam => {
  check("jsamPerExampleGradients", p, x, t, rho)
  return tf.tidy(() => {
    const n = x.shape[0]
    const Wn = tf.tile(tf.expandDims(p.W, 0), [n, 1, 1])
    const vn = tf.tile(tf.expandDims(p.v, 0), [n, 1])
    const { value, grads } = valueAndGradParams((q) => tf.sum(tf.softplus(tf.neg(tf.mul(t, perExampleOutputs(q["W"]!, q["v"]!, x))))), { W: Wn, v: vn })
    value.dispose()
    const norms = tf.sqrt(tf.add(tf.sum(tf.square(grads["W"]!), [1, 2]), tf.sum(tf.square(grads["v"]!), 1))) // [n]
    const scale = tf.mul(tf.divNoNan(tf.onesLike(norms), norms), rho)
    const u = tf.mul(tf.neg(t), tf.sigmoid(tf.neg(tf.mul(t, perExampleOutputs(Wn, vn, x))))) // [n], a constant below
    const perturbed = {
      W: tf.add(Wn, tf.mul(grads["W"]!, tf.reshape(scale, [n, 1, 1]))),
      v: tf.add(vn, tf.mul(grads["v"]!, tf.reshape(scale, [n, 1])))
    }
    const jsam = valueAndGradParams((q) => tf.sum(tf.mul(u, perExampleOutputs(q["W"]!, q["v"]!, x))), perturbed)
    jsam.value.dispose()
    return { W: jsam.grads["W"] as tf.Tensor3D, v: jsam.grads["v"] as tf.Tensor2D }
  })
}

/** Gradient of `jsamTwoLayerObjectiveBatch`: the update direction of GD on the derived objective. */
export const jsamObjectiveGradient = (p: TwoLayerParams, x: tf.Tensor2D, t: tf.Tensor1D, rho: number): TwoLayerParams => {
  const { value, grads } = valueAndGradParams((q) => jsamTwoLayerObjectiveBatch(q as TwoLayerParams, x, t, rho), p)
  value.dispose()
  return grads as TwoLayerParams
}
