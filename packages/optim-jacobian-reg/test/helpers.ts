import * as tf from "@tensorflow/tfjs-core"
import { type Model, type Params, mlp } from "@samlab/core-tensor"
import { type GoldenFixture, fixtureParams } from "@samlab/golden"

/** The core-tensor MLP of a golden case and its params (dense_i/..., head/...). */
export const goldenModel = (c: GoldenFixture): { model: Model; params: Params } => {
  const layers = c.model.layers
  const model = mlp({
    inputDim: layers[0]!.W.length,
    hidden: layers.slice(0, -1).map((l) => l.b.length),
    numClasses: layers[layers.length - 1]!.b.length,
    activation: c.model.activation
  })
  const params = fixtureParams(layers)
  return { model, params }
}

/** Each value within `atol + rtol * |expected|`; names the first offender. */
export const expectAllClose = (label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): void => {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} where ${expected.length} was expected`)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const e = expected[i]!
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`${label}[${i}]: ${a} where ${e} was expected (atol ${atol}, rtol ${rtol})`)
  }
}

export const values = (t: tf.Tensor): number[] => Array.from(t.dataSync())
