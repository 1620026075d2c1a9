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

/** Each value within `atol + rtol * |expected|`; reports the first offending index. */
export const expectAllClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): void => {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} where ${expected.length} was expected`)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const e = expected[i]!
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`index ${i}: ${a} where ${e} was expected (atol ${atol}, rtol ${rtol})`)
  }
}

/** Host copies of every tensor, as float64 arrays by name (for the JS reference). */
export const hostParams = (p: Params): Record<string, Float64Array> =>
  Object.fromEntries(Object.entries(p).map(([k, t]) => [k, Float64Array.from(t.dataSync() as Float32Array)]))

/**
 * A parameter set shaped like `like` with values from `draw` (so batch-norm gammas, betas
 * and moving statistics are not the trivial ones/zeros of a fresh init). Caller owns it.
 */
export const filledLike = (like: Params, draw: (name: string, i: number) => number): Params =>
  Object.fromEntries(
    Object.entries(like).map(([k, t]) => [
      k,
      tf.tensor(
        Float32Array.from({ length: t.size }, (_, i) => draw(k, i)),
        t.shape
      )
    ])
  )
