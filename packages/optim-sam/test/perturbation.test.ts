import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { disposeParams, expectNoLeak, globalNorm, stopGradient, valueAndGradParams } from "@samlab/core-tensor"
import { InvalidRhoError, logitSurrogate, perturbation, perturbedParams } from "../src/index.js"

const values = (p: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(p).map(([k, t]) => [k, Array.from(t.dataSync())]))

describe("perturbation", () => {
  it("gradients near 1e20 (whose squares overflow float32) still give a perturbation of norm rho, not exactly zero", async () => {
    await expectNoLeak("huge-gradient eps", () => {
      const w = { a: tf.tensor1d([1, 1]), b: tf.tensor1d([2]) }
      const g = { a: tf.tensor1d([3e20, 0]), b: tf.tensor1d([-4e20]) }
      const eps = perturbation(w, g, { rho: 0.5 })
      // ||g|| = 5e20, so eps = 0.5 * g / 5e20
      expect(values(eps)).toEqual({ a: [expect.closeTo(0.3, 6), 0], b: [expect.closeTo(-0.4, 6)] })
      const n = globalNorm(g)
      expect(n.dataSync()[0]! / 5e20).toBeCloseTo(1, 6)
      const small = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([4]) }
      const plain = tf.tidy(() => tf.sqrt(tf.addN([tf.sum(tf.square(small.a)), tf.sum(tf.square(small.b))])))
      const safe = globalNorm(small)
      expect(safe.dataSync()[0]).toBe(plain.dataSync()[0]) // finite sums keep the plain norm, bit for bit
      disposeParams(w, g, eps, small)
      tf.dispose([n, plain, safe])
    })
  })

  it("SAM: rho * g / ||g||, the norm global over all tensors", async () => {
    await expectNoLeak("sam eps", () => {
      const w = { a: tf.tensor1d([1]), b: tf.tensor1d([2]) }
      const g = { a: tf.tensor1d([3]), b: tf.tensor1d([4]) }
      const eps = perturbation(w, g, { rho: 0.5 })
      // ||g|| = 5
      expect(values(eps)).toEqual({ a: [expect.closeTo(0.3, 7)], b: [expect.closeTo(0.4, 7)] })
      disposeParams(w, g, eps)
    })
  })

  it("perturbedParams is w + perturbation, bit for bit, for SAM and ASAM", async () => {
    await expectNoLeak("perturbed params", () => {
      const w = { a: tf.tensor1d([1, -0.7, 3e-3]), b: tf.tensor2d([[2, 0.1]]) }
      const g = { a: tf.tensor1d([3, 1e-4, -2.5]), b: tf.tensor2d([[4, -0.3]]) }
      for (const adaptive of [false, true]) {
        const eps = perturbation(w, g, { rho: 0.05, adaptive })
        const expected = tf.tidy(() => ({ a: tf.add(w.a, eps["a"]!), b: tf.add(w.b, eps["b"]!) }))
        const actual = perturbedParams(w, g, { rho: 0.05, adaptive })
        expect(values(actual)).toEqual(values(expected))
        disposeParams(eps, expected, actual)
      }
      // by hand: ||g|| over [3, 4] is 5, so w + 0.5 g / 5
      const [w1, g1] = [
        { a: tf.tensor1d([1]), b: tf.tensor1d([2]) },
        { a: tf.tensor1d([3]), b: tf.tensor1d([4]) }
      ]
      const simple = perturbedParams(w1, g1, { rho: 0.5 })
      expect(values(simple)).toEqual({ a: [expect.closeTo(1.3, 6)], b: [expect.closeTo(2.4, 6)] })
      expect(() => perturbedParams(w, g, { rho: -1 })).toThrow(InvalidRhoError)
      disposeParams(w, g, w1, g1, simple)
    })
  })

  it("ASAM: rho * w^2 g / || |w| g ||", () => {
    tf.tidy(() => {
      const w = { a: tf.tensor1d([-1]), b: tf.tensor1d([2]) }
      const g = { a: tf.tensor1d([3]), b: tf.tensor1d([4]) }
      // |w| g = [3, 8], norm sqrt(73); w^2 g = [3, 16]
      const eps = values(perturbation(w, g, { rho: 0.5, adaptive: true }))
      expect(eps["a"]![0]).toBeCloseTo((0.5 * 3) / Math.sqrt(73), 6)
      expect(eps["b"]![0]).toBeCloseTo((0.5 * 16) / Math.sqrt(73), 6)
    })
  })

  it("a zero gradient gives eps = 0, never NaN, in both forms", () => {
    tf.tidy(() => {
      const w = { a: tf.tensor1d([1, -2]), b: tf.tensor1d([0]) }
      const g = { a: tf.zeros([2]), b: tf.zeros([1]) }
      for (const adaptive of [false, true]) expect(values(perturbation(w, g, { rho: 0.05, adaptive }))).toEqual({ a: [0, 0], b: [0] })
    })
  })

  it("rejects a negative or non-finite rho", () => {
    tf.tidy(() => {
      const p = { a: tf.tensor1d([1]) }
      expect(() => perturbation(p, p, { rho: -0.1 })).toThrow(InvalidRhoError)
      expect(() => perturbation(p, p, { rho: Number.NaN })).toThrow(/rho must be a finite number >= 0, got NaN/)
    })
  })
})

describe("logit surrogate", () => {
  it("its gradient is mean_i J_i^T u_i with u frozen (linear model: x^T u / B)", () => {
    tf.tidy(() => {
      const x = tf.tensor2d([
        [1, 2],
        [3, -1],
        [0, 1]
      ])
      const W = tf.tensor2d([
        [0.5, -1],
        [2, 0.25]
      ])
      const { grads } = valueAndGradParams(
        (p) => {
          const logits = tf.matMul<tf.Tensor2D>(x, p["W"] as tf.Tensor2D)
          // u computed from the same logits on the tape: stopGradient must cut it off
          return logitSurrogate(logits, tf.softmax<tf.Tensor2D>(logits))
        },
        { W }
      )
      const z = tf.matMul(x, W).arraySync() as number[][]
      const u = z.map((row) => {
        const e = row.map(Math.exp)
        const s = e[0]! + e[1]!
        return e.map((v) => v / s)
      })
      const xs = x.arraySync() as number[][]
      const want = [0, 1].map((i) => [0, 1].map((k) => xs.reduce((acc, row, n) => acc + row[i]! * u[n]![k]!, 0) / 3))
      const got = grads["W"]!.arraySync() as number[][]
      want.forEach((row, i) => row.forEach((v, k) => expect(got[i]![k]).toBeCloseTo(v, 5)))
    })
  })

  it("stopGradient passes values and blocks gradients", () => {
    tf.tidy(() => {
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.add(tf.mul(stopGradient(v), v), stopGradient(tf.square(v)))))(tf.tensor1d([3]))
      // d/dv [c * v + const] with c = 3
      expect(g.dataSync()[0]).toBeCloseTo(3, 6)
      expect(stopGradient(tf.tensor1d([7])).dataSync()[0]).toBe(7)
    })
  })
})
