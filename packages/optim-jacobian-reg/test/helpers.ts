import { existsSync, readFileSync, readdirSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as tf from "@tensorflow/tfjs-core"
import { type Model, type Params, mlp } from "@samlab/core-tensor"

/** <repo>/../shared/golden/sam-family */
export const goldenDir = fileURLToPath(new URL("../../../../shared/golden/sam-family", import.meta.url))

export interface GoldenLayer {
  readonly W: number[][]
  readonly b: number[]
}

export interface GoldenCase {
  readonly name: string
  readonly model: { readonly kind: "mlp"; readonly activation: "relu" | "tanh"; readonly layers: GoldenLayer[] }
  readonly data: { readonly x: number[][]; readonly y: number[] }
  readonly optimizer: {
    readonly method: string
    readonly lambdaFeatures?: number
    readonly lambdaHead?: number
    readonly base: { readonly kind: "sgd"; readonly lr: number; readonly momentum: number; readonly weightDecay: number }
  }
  readonly steps: number
  readonly expected: { readonly lossBeforeEachStep: number[]; readonly layersAfterEachStep: GoldenLayer[][] }
}

/** The golden cases whose file name starts with `prefix` (none when the directory is absent). */
export const goldenCases = (prefix: string): GoldenCase[] =>
  existsSync(goldenDir)
    ? readdirSync(goldenDir)
        .filter((f) => f.startsWith(prefix) && f.endsWith(".json"))
        .sort()
        .map((f) => JSON.parse(readFileSync(`${goldenDir}/${f}`, "utf8")) as GoldenCase)
    : []

/** The core-tensor MLP of a golden case and its params (dense_i/..., head/...). */
export const goldenModel = (c: GoldenCase): { model: Model; params: Params } => {
  const layers = c.model.layers
  const model = mlp({
    inputDim: layers[0]!.W.length,
    hidden: layers.slice(0, -1).map((l) => l.b.length),
    numClasses: layers[layers.length - 1]!.b.length,
    activation: c.model.activation
  })
  const params: Record<string, tf.Tensor> = {}
  layers.forEach((l, i) => {
    const name = i === layers.length - 1 ? "head" : `dense_${i}`
    params[`${name}/kernel`] = tf.tensor2d(l.W)
    params[`${name}/bias`] = tf.tensor1d(l.b)
  })
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
