import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import {
  type ForwardFn,
  LabelMismatchError,
  NonFiniteLossError,
  type Params,
  Rng,
  adam,
  disposeParams,
  erm,
  expectNoLeak,
  sgd,
  twoLayerLinear
} from "@samlab/core-tensor"
import { ChunkSizeError, InvalidRhoError, SamConfigError, type SamVariant, denseStack, makeSamFamilyMethod, samFamily } from "../src/index.js"
import { maxRelDiff, mlpProblem, trajectory } from "./helpers.js"

const base = () => sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })
const variants: SamVariant[] = ["sam", "lsam", "jsam"]

describe("rho = 0 follows the base optimizer", () => {
  it("whole-batch SAM: exactly the same numbers as plain training", async () => {
    const pb = mlpProblem(1, { inputDim: 6, hidden: [8, 5], numClasses: 3, batch: 12 })
    await expectNoLeak("rho0", () => {
      const want = trajectory(erm(base()), pb.params, pb.batch, pb.forward, 4)
      const got = trajectory(samFamily({ rho: 0, base: base() }), pb.params, pb.batch, pb.forward, 4)
      expect(got.losses).toEqual(want.losses)
      expect(got.values).toEqual(want.values)
    })
    pb.dispose()
  })

  it("every variant, chunked or not, either path: the base trajectory to float precision", () => {
    const pb = mlpProblem(2, { inputDim: 5, hidden: [7], numClasses: 4, batch: 8, activation: "tanh" })
    const want = trajectory(erm(base()), pb.params, pb.batch, pb.forward, 3)
    for (const variant of variants)
      for (const chunkSize of [undefined, 1, 4])
        for (const dense of [undefined, denseStack({ activation: "tanh" })]) {
          const got = trajectory(samFamily({ rho: 0, variant, chunkSize, batched: dense, base: base() }), pb.params, pb.batch, pb.forward, 3)
          expect(maxRelDiff(got.values, want.values), `${variant} m=${chunkSize} dense=${!!dense}`).toBeLessThan(1e-5)
        }
    pb.dispose()
  })
})

describe("batched dense path = chunk loop", () => {
  it("for every variant and chunk size (relu, two hidden layers, batch 16)", async () => {
    const pb = mlpProblem(3, { inputDim: 10, hidden: [12, 9], numClasses: 5, batch: 16 })
    await expectNoLeak("dense vs loop", () => {
      for (const variant of variants)
        for (const chunkSize of [1, 2, 8, undefined]) {
          const loop = trajectory(samFamily({ rho: 0.3, variant, chunkSize, base: base() }), pb.params, pb.batch, pb.forward, 2)
          const batched = trajectory(samFamily({ rho: 0.3, variant, chunkSize, base: base(), batched: denseStack() }), pb.params, pb.batch, pb.forward, 2)
          expect(maxRelDiff(batched.values, loop.values), `${variant} m=${chunkSize}`).toBeLessThan(2e-5)
          batched.losses.forEach((l, i) => expect(l).toBeCloseTo(loop.losses[i]!, 5))
        }
    })
    pb.dispose()
  })

  it("for a bias-free deep linear network (twoLayerLinear, linear: true) and an Adam base", () => {
    const model = twoLayerLinear({ inputDim: 6, hidden: 5, numClasses: 3 })
    const rng = new Rng(8)
    const params = model.init(rng.fork("init"))
    const x = tf.tensor2d(rng.normalArray(8 * 6), [8, 6])
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 1, 1], "int32")
    const forward: ForwardFn = (p, xx) => model.apply(p, xx, { training: true })
    for (const variant of variants)
      for (const chunkSize of [1, 4]) {
        const make = (dense?: ReturnType<typeof denseStack>) => samFamily({ rho: 0.2, variant, chunkSize, batched: dense, base: adam({ lr: 0.01 }) })
        const loop = trajectory(make(), params, { x, y }, forward, 2)
        const batched = trajectory(make(denseStack({ linear: true })), params, { x, y }, forward, 2)
        expect(maxRelDiff(batched.values, loop.values), `${variant} m=${chunkSize}`).toBeLessThan(2e-5)
      }
    disposeParams(params)
    tf.dispose([x, y])
  })

  it("refuses params that are not the declared dense stack", () => {
    const pb = mlpProblem(4, { inputDim: 3, hidden: [4], numClasses: 2, batch: 4 })
    const extra = { ...pb.params, "other/kernel": tf.zeros([2, 2]) }
    const method = samFamily({ rho: 0.1, base: sgd({ lr: 0.1 }), batched: denseStack() })
    expect(() => method.step(extra, method.init(extra), pb.batch, pb.forward, 0)).toThrow(SamConfigError)
    disposeParams(method.step(pb.params, method.init(pb.params), pb.batch, pb.forward, 0).params)
    expect(() => samFamily({ rho: 0.1, base: base(), batched: denseStack(), adaptive: true })).toThrow(/does not support adaptive/)
    extra["other/kernel"].dispose()
    pb.dispose()
  })
})

describe("saturated predictions: zero gradient, eps = 0, no NaN", () => {
  it("a step moves the weights by weight decay only", () => {
    // head bias 200 on class 0 and every label 0: softmax is exactly one-hot in float32, u = 0
    const params: Params = { "head/kernel": tf.zeros([3, 3]), "head/bias": tf.tensor1d([200, 0, 0]) }
    const x = tf.tensor2d([
      [1, 2, 3],
      [-1, 0, 1]
    ])
    const y = tf.tensor1d([0, 0], "int32")
    const forward: ForwardFn = (p, xx) => ({ logits: tf.add(tf.matMul(xx as tf.Tensor2D, p["head/kernel"] as tf.Tensor2D), p["head/bias"]!) as tf.Tensor2D })
    for (const variant of variants)
      for (const dense of [undefined, denseStack()])
        for (const adaptive of dense ? [false] : [false, true]) {
          const method = samFamily({ rho: 0.05, variant, adaptive, batched: dense, chunkSize: 1, base: sgd({ lr: 0.1, weightDecay: 0.5 }) })
          const r = method.step(params, method.init(params), { x, y }, forward, 0)
          expect(r.loss).toBe(0)
          // w' = w - lr * wd * w = 0.95 w
          expect(Array.from(r.params["head/bias"]!.dataSync())).toEqual([expect.closeTo(190, 4), 0, 0])
          expect(Array.from(r.params["head/kernel"]!.dataSync()).every((v) => v === 0)).toBe(true)
          disposeParams(r.params)
        }
    disposeParams(params)
    tf.dispose([x, y])
  })
})

describe("typed errors", () => {
  it("rho < 0, bad chunk sizes, labels, NaN loss (naming the step); nothing leaks", async () => {
    const pb = mlpProblem(5, { inputDim: 3, hidden: [4], numClasses: 2, batch: 6 })
    expect(() => samFamily({ rho: -1, base: base() })).toThrow(InvalidRhoError)
    expect(() => samFamily({ rho: 0.1, chunkSize: 0, base: base() })).toThrow(ChunkSizeError)
    expect(() => samFamily({ rho: 0.1, chunkSize: 1.5, base: base() })).toThrow(/chunkSize must be a positive integer/)
    expect(() => samFamily({ rho: 0.1, variant: "xsam" as never, base: base() })).toThrow(SamConfigError)
    await expectNoLeak("errors", () => {
      for (const dense of [undefined, denseStack()]) {
        const m4 = samFamily({ rho: 0.1, chunkSize: 4, base: base(), batched: dense })
        expect(() => m4.step(pb.params, undefined as never, pb.batch, pb.forward, 3)).toThrow(/step 3: chunkSize 4 does not divide the batch of 6/)
        const m = samFamily({ rho: 0.1, chunkSize: 2, base: base(), batched: dense })
        const short = tf.tensor1d([0, 1, 1], "int32")
        expect(() => m.step(pb.params, undefined as never, { x: pb.batch.x, y: short }, pb.forward, 0)).toThrow(LabelMismatchError)
        const outOfRange = tf.tensor1d([0, 1, 1, 0, 5, 0], "int32")
        expect(() => m.step(pb.params, undefined as never, { x: pb.batch.x, y: outOfRange }, pb.forward, 9)).toThrow(/step 9: label 5 of example 4/)
        const nanX = tf.tensor2d([
          [Number.NaN, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0]
        ])
        const err = (() => {
          try {
            m.step(pb.params, undefined as never, { x: nanX, y: pb.batch.y }, pb.forward, 41)
          } catch (e) {
            return e
          }
        })()
        expect(err).toBeInstanceOf(NonFiniteLossError)
        expect((err as NonFiniteLossError).stepNumber).toBe(41)
        tf.dispose([short, outOfRange, nanX])
      }
    })
    pb.dispose()
  })
})

describe("makeSamFamilyMethod", () => {
  it("builds each key in one call, with the documented meaning", () => {
    const pb = mlpProblem(6, { inputDim: 4, hidden: [5], numClasses: 3, batch: 4 })
    const b = base()
    expect(makeSamFamilyMethod("erm", { base: b }).name).toBe("erm(sgd)")
    expect(makeSamFamilyMethod("sam", { base: b, rho: 0.05 }).name).toBe("sam(rho=0.05) -> sgd")
    expect(makeSamFamilyMethod("asam", { base: b, rho: 0.5, batched: denseStack() }).name).toBe("asam(rho=0.5) -> sgd")
    expect(makeSamFamilyMethod("sam1", { base: b, rho: 0.05, batched: denseStack() }).name).toBe("sam(rho=0.05, m=1, batched) -> sgd")
    expect(makeSamFamilyMethod("lsam", { base: b, rho: 0.1, chunkSize: 2 }).name).toBe("lsam(rho=0.1, m=2) -> sgd")
    expect(makeSamFamilyMethod("jsam", { base: b, rho: 0.1 }).name).toBe("jsam(rho=0.1) -> sgd")
    expect(() => makeSamFamilyMethod("sam", { base: b })).toThrow(/rho is required/)
    expect(() => makeSamFamilyMethod("sam1", { base: b, rho: 0.1, chunkSize: 2 })).toThrow(SamConfigError)
    expect(() => makeSamFamilyMethod("nope" as never, { base: b })).toThrow(/must be one of erm, sam, asam, sam1, lsam, jsam/)
    // the old key for the base optimizer alone is refused, naming the new one (no silent alias)
    expect(() => makeSamFamilyMethod("sgd" as never, { base: b })).toThrow(/key "sgd" is now "erm"/)
    // sam1 = sam with chunkSize 1
    const a = trajectory(makeSamFamilyMethod("sam1", { base: base(), rho: 0.2 }), pb.params, pb.batch, pb.forward, 2)
    const c = trajectory(samFamily({ base: base(), rho: 0.2, chunkSize: 1 }), pb.params, pb.batch, pb.forward, 2)
    expect(a.values).toEqual(c.values)
    pb.dispose()
  })
})

describe("determinism", () => {
  it("same inputs, same numbers, bit for bit", () => {
    const pb = mlpProblem(7, { inputDim: 5, hidden: [6], numClasses: 3, batch: 8 })
    for (const dense of [undefined, denseStack()]) {
      const run = () => trajectory(samFamily({ rho: 0.1, chunkSize: 2, variant: "jsam", batched: dense, base: base() }), pb.params, pb.batch, pb.forward, 3)
      expect(run()).toEqual(run())
    }
    pb.dispose()
  })
})
