import * as tf from "@tensorflow/tfjs-core"
import { type TrainingMethod, disposeParams, expectNoLeak, flattenParams, mapParams, mlp } from "@samlab/core-tensor"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { NonFiniteParamsError, TrainSetTooSmallError, type TrainState, makeMethod, trainLoop } from "../src/index.js"
import { disposeTrainState, encodeTrainState, restoreTrainState } from "../src/train/loop.js"
import { tinyData } from "./helpers/tiny-data.js"

const model = mlp({ inputDim: 3072, hidden: [16], numClasses: 4 })
const base = { kind: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 5e-4, schedule: "constant" } as const
const options = { rho: 0.05, chunkSize: 0, lambdaFeatures: 1e-2, lambdaHead: 1e-2, alpha: 0.5 }

const train = async (key: "erm" | "sam" | "saner", epochs: number, start?: TrainState<unknown>, opts: { batchSize?: number; lr?: number } = {}) => {
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
  it("averages the method's step metrics over each epoch: SANER's group-B share, nothing for SGD", async () => {
    const saner = await train("saner", 2)
    expect(saner.metrics).toHaveLength(2)
    for (const m of saner.metrics) expect(m["groupBShare"]).toSatisfy((v: number) => v > 0 && v < 1)
    disposeTrainState(saner.method, saner.final)
    const plain = await train("erm", 1)
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
      const r = await train("erm", 3)
      expect(r.losses[2]!).toBeLessThan(r.losses[0]!)
      disposeTrainState(r.method, r.final)
    })
  })

  it("refuses a training split smaller than one batch instead of reporting an untrained model", async () => {
    const epochsSeen: number[] = []
    const method = makeMethod("erm", options, base, 1, { spec: { kind: "mlp", hidden: [16] }, model })
    const run = trainLoop({
      model,
      method,
      data: tinyData(),
      epochs: 3,
      batchSize: 100,
      augment: false,
      seed: 0,
      onEpochEnd: async ({ epoch }) => void epochsSeen.push(epoch)
    })
    await expect(run).rejects.toBeInstanceOf(TrainSetTooSmallError)
    await expect(run).rejects.toMatchObject({ trainSize: 64, batchSize: 100 })
    expect(epochsSeen).toEqual([])
  })

  it("stops with the step number when the last update makes the parameters non-finite, before the epoch is evaluated", async () => {
    // one step per epoch: the loss of that step is finite, only the update diverges (no later loss would notice)
    const epochsSeen: number[] = []
    const sgd = makeMethod("erm", options, base, 1, { spec: { kind: "mlp", hidden: [16] }, model })
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
      const error = await trainLoop({
        model,
        method: overflowing,
        data: tinyData(),
        epochs: 1,
        batchSize: 64,
        augment: false,
        seed: 0,
        onEpochEnd: async ({ epoch }) => void epochsSeen.push(epoch)
      }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(NonFiniteParamsError)
      expect(error).toMatchObject({ step: 1, epoch: 1, names: ["head/kernel"] })
      expect((error as Error).message).toContain("after step 1 (epoch 1)")
    })
    expect(epochsSeen).toEqual([])
  })

  it.live("interrupted, stops before its next batch and disposes its state (the AbortSignal Effect.tryPromise gives)", () =>
    Effect.gen(function* () {
      const method = makeMethod("erm", options, base, 1000, { spec: { kind: "mlp", hidden: [16] }, model })
      const tensorsBefore = tf.memory().numTensors
      let batches = 0
      let thirdBatch = () => {}
      const thirdBatchDone = new Promise<void>((resolve) => (thirdBatch = resolve))
      const epochsSeen: number[] = []
      const training = Effect.tryPromise((signal) =>
        trainLoop({
          model,
          method,
          data: tinyData(),
          epochs: 1000, // 4 batches an epoch: minutes of work unless it stops
          batchSize: 16,
          augment: false,
          seed: 0,
          signal,
          onEpochEnd: async ({ epoch }) => void epochsSeen.push(epoch),
          onBatch: () => {
            if (++batches === 3) thirdBatch()
          }
        })
      )
      const fiber = yield* Effect.forkChild(training)
      yield* Effect.promise(() => thirdBatchDone)
      yield* Fiber.interrupt(fiber)
      const atInterrupt = batches
      // a loop that ignored the signal would run hundreds of batches meanwhile
      yield* Effect.sleep("300 millis")
      expect(batches - atInterrupt).toBeLessThanOrEqual(1)
      expect(epochsSeen).toEqual([])
      expect(tf.memory().numTensors).toBe(tensorsBefore)
    })
  )
})
