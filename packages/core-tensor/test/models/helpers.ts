import * as tf from "@tensorflow/tfjs-core"
import type { Model, ModelOutput, Params } from "../../src/index.js"

/** Independent plain-JS arithmetic for the model tests (float64; compare with closeTo). */
export const matrix = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows)

/** x W + b for one example, x [in], W [in][out], b [out]. */
export const denseJs = (x: readonly number[], W: readonly (readonly number[])[], b?: readonly number[]): number[] =>
  W[0]!.map((_, j) => x.reduce((s, xi, i) => s + xi * W[i]![j]!, b ? b[j]! : 0))

export const tanh = (v: number): number => Math.tanh(v)

/**
 * logits recomputed from the returned features and the head params with tfjs matMul:
 * the features/head split says this equals the model's logits exactly (same op, same operands).
 */
export const logitsFromFeatures = (out: ModelOutput, params: Params, model: Model): number[][] =>
  tf.tidy(() => {
    const z = tf.matMul(out.features, params[model.headWeight] as tf.Tensor2D)
    return (model.headBias ? tf.add(z, params[model.headBias]!) : z).arraySync() as number[][]
  })

/** Softmax cross-entropy of one example in float64: logsumexp(z) - z[y]. */
export const crossEntropyJs = (z: readonly number[], y: number): number => {
  const m = Math.max(...z)
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - z[y]!
}
