import * as tf from "@tensorflow/tfjs-core"
import { type TrainingMethod, disposeParams, expectNoLeak, flattenParams, mapParams, mlp, selectBackend } from "@samlab/core-tensor"
import { beforeAll, describe, expect, it } from "vitest"
import { NonFiniteParamsError, type PreparedData, TrainSetTooSmallError, type TrainState, disposeTrainState, encodeTrainState, makeMethod, restoreTrainState, trainLoop } from "../src/index.js"

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
const options = { rho: 0.05, chunkSize: 0, lambdaFeatures: 1e-3, lambdaHead: 1e-3, alpha: 0.5, weightByLogitTerm: false }

const train = async (key: "sgd" | "sam" | "saner", epochs: number, start?: TrainState<unknown>, opts: { batchSize?: number; lr?: number } = {}) => {
  const method = makeMethod(key, options, { ...base, lr: opts.lr ?? base.lr }, 40, { spec: { kind: "mlp", hidden: [16] }, model })
  const losses: number[] = []
  const metrics: Array<Readonly<Record<string, number>>> = []
  const final = await trainLoop({
    model,
    method,
    data: tinyData(),
    epochs,
    batchSize: opts.batchSize ?? 16,
    augment: true,
    seed: 3,
    start,
    onEpochEnd: async ({ meanLoss, stepMetrics }) => void (losses.push(meanLoss), metrics.push(stepMetrics))
  })
  return { method, final, losses, metrics }
}

describe("train loop", () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu", log: () => {} })
  })

  it("averages the method's step metrics over each epoch: SANER's group-B share, nothing for SGD", async () => {
    const saner = await train("saner", 2)
    expect(saner.metrics).toHaveLength(2)
    for (const m of saner.metrics) expect(m["groupBShare"]).toSatisfy((v: number) => v > 0 && v < 1)
    disposeTrainState(saner.method, saner.final)
    const plain = await train("sgd", 1)
    expect(plain.metrics).toEqual([{}])
    disposeTrainState(plain.method, plain.final)
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

  it("refuses a training split smaller than one batch instead of reporting an untrained model", async () => {
    const epochsSeen: number[] = []
    const method = makeMethod("sgd", options, base, 1, { spec: { kind: "mlp", hidden: [16] }, model })
    const run = trainLoop({ model, method, data: tinyData(), epochs: 3, batchSize: 100, augment: false, seed: 0, onEpochEnd: async ({ epoch }) => void epochsSeen.push(epoch) })
    await expect(run).rejects.toBeInstanceOf(TrainSetTooSmallError)
    await expect(run).rejects.toMatchObject({ trainSize: 64, batchSize: 100 })
    expect(epochsSeen).toEqual([])
  })

  it("stops with the step number when the last update makes the parameters non-finite, before the epoch is evaluated", async () => {
    // one step per epoch: the loss of that step is finite, only the update diverges (no later loss would notice)
    const epochsSeen: number[] = []
    const sgd = makeMethod("sgd", options, base, 1, { spec: { kind: "mlp", hidden: [16] }, model })
    // SGD whose update overflows one weight to infinity (what a huge learning rate does to a large gradient)
    const overflowing: TrainingMethod<unknown> = {
      ...sgd,
      step: (params, state, batch, forward, stepNumber) => {
        const r = sgd.step(params, state, batch, forward, stepNumber)
        const params2 = mapParams(r.params, (t, k) => (k === "head/kernel" ? tf.mul(t, Infinity) : tf.clone(t)))
        disposeParams(r.params)
        return { ...r, params: params2 }
      }
    }
    await expectNoLeak("a diverging run", async () => {
      const error = await trainLoop({ model, method: overflowing, data: tinyData(), epochs: 1, batchSize: 64, augment: false, seed: 0, onEpochEnd: async ({ epoch }) => void epochsSeen.push(epoch) }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(NonFiniteParamsError)
      expect(error).toMatchObject({ step: 1, epoch: 1, names: ["head/kernel"] })
      expect((error as Error).message).toContain("after step 1 (epoch 1)")
    })
    expect(epochsSeen).toEqual([])
  })
})
