import { expectNoLeak, flattenParams, mlp, selectBackend } from "@samlab/core-tensor"
import { beforeAll, describe, expect, it } from "vitest"
import { type PreparedData, type TrainState, disposeTrainState, encodeTrainState, makeMethod, restoreTrainState, trainLoop } from "../src/index.js"

/** A tiny prepared dataset: 64 images of 4 classes told apart by brightness. */
const tinyData = (): PreparedData => {
  const n = 64
  const images = new Uint8Array(n * 3072)
  const labels = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    labels[i] = i % 4
    images.fill(30 + 60 * (i % 4) + (i % 7), i * 3072, (i + 1) * 3072)
  }
  const split = { n, images, labels, cleanLabels: labels, isNoisy: new Uint8Array(n) }
  return { dataset: "cifar10", numClasses: 4, classNames: ["a", "b", "c", "d"], train: split, validation: { ...split, n: 0, images: new Uint8Array(0), labels: new Uint8Array(0), cleanLabels: new Uint8Array(0), isNoisy: new Uint8Array(0) }, test: split, normalization: { mean: [0.4, 0.4, 0.4], std: [0.25, 0.25, 0.25] }, noise: { nominalRate: 0, realisedRate: 0, changed: 0, transition: [] } }
}

const model = mlp({ inputDim: 3072, hidden: [16], numClasses: 4 })
const base = { kind: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 5e-4, schedule: "constant" } as const
const options = { rho: 0.05, chunkSize: 0, lambdaFeatures: 1e-3, lambdaHead: 1e-3, weightByLogitTerm: false }

const train = async (key: "sgd" | "sam", epochs: number, start?: TrainState<unknown>) => {
  const method = makeMethod(key, options, base, 40, { spec: { kind: "mlp", hidden: [16] }, model })
  const losses: number[] = []
  const final = await trainLoop({ model, method, data: tinyData(), epochs, batchSize: 16, augment: true, seed: 3, start, onEpochEnd: async ({ meanLoss }) => void losses.push(meanLoss) })
  return { method, final, losses }
}

describe("train loop", () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu", log: () => {} })
  })

  it("resumed from a saved state, ends bit-identical to an uninterrupted run (momentum included)", async () => {
    const full = await train("sam", 4)
    const half = await train("sam", 2)
    const { skeleton, bytes } = encodeTrainState(half.final)
    disposeTrainState(half.method, half.final)
    const restored = restoreTrainState<unknown>(JSON.parse(JSON.stringify(skeleton)), bytes)
    expect(restored.epoch).toBe(2)
    const rest = await train("sam", 4, restored)
    expect(Array.from(flattenParams(rest.final.params))).toEqual(Array.from(flattenParams(full.final.params)))
    expect([...half.losses, ...rest.losses]).toEqual(full.losses)
    disposeTrainState(full.method, full.final)
    disposeTrainState(rest.method, rest.final)
  })

  it("learns the tiny task and leaks no tensor over its epochs", async () => {
    await expectNoLeak("3 epochs of SGD", async () => {
      const r = await train("sgd", 3)
      expect(r.losses[2]!).toBeLessThan(r.losses[0]!)
      disposeTrainState(r.method, r.final)
    })
  })
})
