import { existsSync, readFileSync, readdirSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as tf from "@tensorflow/tfjs-core"
import { type ForwardFn, type Params, type TrainingMethod, disposeParams, mlp } from "@samlab/core-tensor"

/** `<repo>/../shared/golden/sam-family`, beside the repository. */
export const goldenDir = fileURLToPath(new URL("../../../../shared/golden/sam-family", import.meta.url))
export const haveGolden = existsSync(goldenDir)

export interface GoldenLayer {
  readonly W: number[][]
  readonly b: number[]
}
export interface GoldenCase {
  readonly name: string
  readonly model: { readonly activation: "relu" | "tanh"; readonly layers: GoldenLayer[] }
  readonly data: { readonly x: number[][]; readonly y: number[] }
  readonly optimizer: { readonly method: string; readonly rho?: number; readonly chunkSize?: number; readonly base: { lr: number; momentum: number; weightDecay: number } }
  readonly steps: number
  readonly expected: { readonly lossBeforeEachStep: number[]; readonly layersAfterEachStep: GoldenLayer[][] }
}

export const goldenCases = (methods: readonly string[]): GoldenCase[] =>
  haveGolden
    ? readdirSync(goldenDir)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => JSON.parse(readFileSync(`${goldenDir}/${f}`, "utf8")) as GoldenCase)
        .filter((c) => methods.includes(c.optimizer.method))
    : []

/** The fixture's layers as mlp params (`dense_i/...`, `head/...`). */
export const goldenParams = (layers: GoldenLayer[]): Params => {
  const p: Record<string, tf.Tensor> = {}
  layers.forEach((l, i) => {
    const name = i === layers.length - 1 ? "head" : `dense_${i}`
    p[`${name}/kernel`] = tf.tensor2d(l.W)
    p[`${name}/bias`] = tf.tensor1d(l.b)
  })
  return p
}

export const goldenForward = (c: GoldenCase): ForwardFn => {
  const layers = c.model.layers
  const model = mlp({ inputDim: layers[0]!.W.length, hidden: layers.slice(0, -1).map((l) => l.b.length), numClasses: layers[layers.length - 1]!.b.length, activation: c.model.activation })
  return (p, x) => model.apply(p, x, { training: true })
}

/** Relative error <= 1e-4, or absolute <= 1e-5 near zero. */
export const close = (got: number, want: number): boolean => Math.abs(got - want) <= Math.max(1e-5, 1e-4 * Math.abs(want))

/** Runs the fixture's steps with `method`; returns the first mismatch, or undefined. */
export const runGolden = <S>(c: GoldenCase, method: TrainingMethod<S>): string | undefined => {
  const forward = goldenForward(c)
  const x = tf.tensor2d(c.data.x)
  const y = tf.tensor1d(c.data.y, "int32")
  let params = goldenParams(c.model.layers)
  let state = method.init(params)
  try {
    for (let s = 0; s < c.steps; s++) {
      const r = method.step(params, state, { x, y }, forward, s)
      disposeParams(params, r.modelState)
      method.disposeState(state)
      params = r.params
      state = r.state
      if (!close(r.loss, c.expected.lossBeforeEachStep[s]!)) return `loss before step ${s}: ${r.loss} vs ${c.expected.lossBeforeEachStep[s]}`
      const want = goldenParams(c.expected.layersAfterEachStep[s]!)
      try {
        for (const k of Object.keys(want)) {
          const got = params[k]!.dataSync()
          const expected = want[k]!.dataSync()
          for (let i = 0; i < expected.length; i++) if (!close(got[i]!, expected[i]!)) return `${k}[${i}] after step ${s}: ${got[i]} vs ${expected[i]}`
        }
      } finally {
        disposeParams(want)
      }
    }
    return undefined
  } finally {
    disposeParams(params)
    method.disposeState(state)
    tf.dispose([x, y])
  }
}
