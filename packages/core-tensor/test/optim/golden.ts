import { existsSync, readFileSync, readdirSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../../src/index.js"

/** `<repo>/../shared/golden/sam-family`, beside the repository. */
export const goldenDir = fileURLToPath(new URL("../../../../../shared/golden/sam-family", import.meta.url))
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

export const goldenCases = (method: string): GoldenCase[] =>
  haveGolden
    ? readdirSync(goldenDir)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => JSON.parse(readFileSync(`${goldenDir}/${f}`, "utf8")) as GoldenCase)
        .filter((c) => c.optimizer.method === method)
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

/** Relative error <= 1e-4, or absolute <= 1e-5 near zero. */
export const close = (got: number, want: number): boolean => Math.abs(got - want) <= Math.max(1e-5, 1e-4 * Math.abs(want))
