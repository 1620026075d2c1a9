import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { disposeParams, expectNoLeak, sgd } from "@samlab/core-tensor"
import { SAMOptimizer, SamConfigError, groupBMask, makeSamFamilyMethod, sam, saner, samFamily, sanerGradient } from "../src/index.js"
import { mlpProblem, trajectory } from "./helpers.js"

describe("SANER's group B and gradient, by hand", () => {
  it("0 < gs / (g0 + 1e-8) < 1 picks the coordinates SAM shrinks; they get alpha * gs", async () => {
    // r = [0.5, 1.5, 0.5, -0.2, 0 (gs = 0)] -> group B = coordinates 0 and 2
    await expectNoLeak("saner by hand", () => {
      const g0 = { a: tf.tensor1d([1, 2, -1]), b: tf.tensor1d([0.5, 0]) }
      const gs = { a: tf.tensor1d([0.5, 3, -0.5]), b: tf.tensor1d([-0.1, 0]) }
      const mask = groupBMask(g0.a, gs.a)
      expect(Array.from(mask.dataSync())).toEqual([1, 0, 1])
      const r = sanerGradient(g0, gs, 0.2)
      expect(Array.from(r.grad["a"]!.dataSync())).toEqual([expect.closeTo(0.1, 7), 3, expect.closeTo(-0.1, 7)])
      expect(Array.from(r.grad["b"]!.dataSync())).toEqual([expect.closeTo(-0.1, 7), 0])
      expect(r.groupBShare.dataSync()[0]).toBeCloseTo(2 / 5, 7)
      tf.dispose([mask, r.groupBShare])
      disposeParams(g0, gs, r.grad)
    })
  })

  it("SAMOptimizer with alpha on a saddle, one step by hand", async () => {
    // L(w) = 0.5 (w0^2 - w1^2) at w = (1, 1): g0 = (1, -1), eps = rho (1, -1) / sqrt 2,
    // gs = (1 + rho/sqrt2, -(1 - rho/sqrt2)): r1 = 1 - rho/sqrt2 in (0, 1), so w1's is scaled
    const rho = 0.5
    const alpha = 0.3
    const lr = 0.1
    const w = tf.variable(tf.tensor1d([1, 1]), true, "saner_saddle_w")
    const signs = tf.tensor1d([1, -1])
    const opt = new SAMOptimizer({ base: tf.train.sgd(lr), rho, alpha })
    await expectNoLeak("saddle", () => opt.minimize(() => tf.mul(0.5, tf.sum(tf.mul(signs, tf.square(w)))) as tf.Scalar, false, [w]))
    const e = rho / Math.SQRT2
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(1 - lr * (1 + e), 6), expect.closeTo(1 - lr * -alpha * (1 - e), 6)])
    expect(opt.groupBShare).toBeCloseTo(0.5, 7)
    expect(opt.getConfig()["alpha"]).toBe(alpha)
    tf.dispose([w, signs])
    opt.dispose()
  })
})

describe("SANER as a TrainingMethod", () => {
  it("alpha = 1 is SAM, bit for bit; alpha < 1 moves differently and reports the group-B share", async () => {
    const pb = mlpProblem(3, { inputDim: 6, hidden: [8], numClasses: 3, batch: 12 })
    const base = () => sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })
    await expectNoLeak("saner trajectories", () => {
      const viaSam = trajectory(sam({ rho: 0.2, base: base() }), pb.params, pb.batch, pb.forward, 4)
      const viaSaner = trajectory(saner({ rho: 0.2, alpha: 1, base: base() }), pb.params, pb.batch, pb.forward, 4)
      expect(viaSaner).toEqual(viaSam)
      const half = trajectory(saner({ rho: 0.2, alpha: 0.5, base: base() }), pb.params, pb.batch, pb.forward, 4)
      expect(half.values).not.toEqual(viaSam.values)
      const method = makeSamFamilyMethod("saner", { rho: 0.2, alpha: 0.5, base: base() })
      const state = method.init(pb.params)
      const r = method.step(pb.params, state, pb.batch, pb.forward, 0)
      method.disposeState(state)
      method.disposeState(r.state)
      const share = r.metrics?.["groupBShare"]
      expect(share).toBeGreaterThan(0)
      expect(share).toBeLessThan(1)
      disposeParams(r.params, r.modelState)
    })
    pb.dispose()
  })

  it("typed errors: alpha missing or negative, alpha on SAM, chunkSize or dense with SANER", () => {
    const base = sgd({ lr: 0.1 })
    expect(() => samFamily({ rho: 0.1, base, variant: "saner" })).toThrow(SamConfigError)
    expect(() => saner({ rho: 0.1, base, alpha: -1 })).toThrow(/alpha must be a finite number >= 0/)
    expect(() => samFamily({ rho: 0.1, base, alpha: 0.5 })).toThrow(/alpha is SANER's option/)
    expect(() => samFamily({ rho: 0.1, base, variant: "saner", alpha: 0.5, chunkSize: 2 })).toThrow(/chunkSize is not supported by SANER/)
    expect(() => new SAMOptimizer({ base: tf.train.sgd(0.1), alpha: 0.5, chunkSize: 2 })).toThrow(SamConfigError)
  })
})
