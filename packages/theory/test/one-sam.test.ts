import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { Rng, expectNoLeak } from "@samlab/core-tensor"
import { TheoryInputError, oneSamGradientFactor, oneSamGradientFactors } from "../src/index.js"
import { values } from "./helpers.js"

/** Logistic loss of one example, -log sigma(t <w, x>). */
const exampleLoss = (x: tf.Tensor1D, t: number) => (w: tf.Tensor) => tf.softplus(tf.mul(tf.sum(tf.mul(w, x)), -t)) as tf.Scalar

/**
 * An actual 1-SAM step for one example, with tfjs autodiff: g at w, eps = rho g/||g||, the
 * gradient again at w + eps. Returns both gradients (host copies).
 */
const oneSamByHand = (w: tf.Tensor1D, x: tf.Tensor1D, t: number, rho: number): { sgd: number[]; sam: number[] } =>
  tf.tidy(() => {
    const grad = tf.grad(exampleLoss(x, t))
    const g = grad(w)
    const eps = tf.mul(g, tf.div(rho, tf.norm(g)))
    return { sgd: values(g), sam: values(grad(tf.add(w, eps))) }
  })

describe("1-SAM on linear logistic regression: per-example gradient = SGD's times sigma(-m + rho||x||)/sigma(-m)", () => {
  it("matches an actual per-example SAM step (60 random instances, d = 2..40, rho = 0.05..2)", async () => {
    await expectNoLeak("1-SAM instances", () => {
      for (let seed = 0; seed < 20; seed++) {
        for (const [d, rho] of [
          [2, 0.05],
          [10, 0.5],
          [40, 2]
        ] as const) {
          const rng = new Rng(seed).fork(`${d}`)
          const n = 4
          const w = tf.tensor1d(rng.normalArray(d, 0, 1 / Math.sqrt(d)))
          const x = tf.tensor2d(rng.normalArray(n * d), [n, d])
          const tValues = Array.from({ length: n }, () => (rng.bernoulli(0.5) ? 1 : -1))
          const t = tf.tensor1d(tValues)
          const batched = oneSamGradientFactors(w, x, t, rho)
          const factors = values(batched)
          const rows = x.arraySync() as number[][]
          const wv = values(w)
          rows.forEach((row, i) => {
            const xi = tf.tensor1d(row)
            const { sgd, sam } = oneSamByHand(w, xi, tValues[i]!, rho)
            const margin = tValues[i]! * row.reduce((s, v, k) => s + v * wv[k]!, 0)
            const factor = oneSamGradientFactor(margin, rho, Math.hypot(...row))
            expect(factors[i]).toBeCloseTo(factor, 4)
            const scale = Math.max(...sam.map(Math.abs))
            sam.forEach((s, k) => expect(Math.abs(s - factor * sgd[k]!)).toBeLessThanOrEqual(2e-6 * scale + 1e-7))
            xi.dispose()
          })
          tf.dispose([w, x, t, batched])
        }
      }
    })
  })

  it("by hand: m = 0, rho ||x|| = ln 3 gives sigma(ln 3)/sigma(0) = (3/4)/(1/2) = 1.5", () => {
    expect(oneSamGradientFactor(0, 1, Math.log(3))).toBeCloseTo(1.5, 12)
    expect(oneSamGradientFactor(0, 0.5, 2 * Math.log(3))).toBeCloseTo(1.5, 12)
  })

  it("rises with the margin from 1 to exp(rho ||x||), without overflow at extreme margins", () => {
    const rho = 0.3
    const xNorm = 4
    const grid = Array.from({ length: 71 }, (_, i) => -10 + i * 0.5)
    const f = grid.map((m) => oneSamGradientFactor(m, rho, xNorm))
    f.slice(1).forEach((v, i) => expect(v).toBeGreaterThan(f[i]!))
    expect(f[0]).toBeGreaterThan(1)
    expect(f[0]! - 1).toBeLessThan(1e-4) // (e^r - 1) e^-10 / (1 + ...)
    expect(f[f.length - 1]).toBeLessThan(Math.exp(rho * xNorm))
    expect(Math.exp(rho * xNorm) - f[f.length - 1]!).toBeLessThan(1e-9)
    expect(oneSamGradientFactor(1e4, rho, xNorm)).toBeCloseTo(Math.exp(rho * xNorm), 12)
    expect(oneSamGradientFactor(-1e4, rho, xNorm)).toBe(1)
  })

  it("so within a batch the low-loss (large-margin) examples are up-weighted most", () => {
    const w = tf.tensor1d([1, 0])
    const x = tf.tensor2d([
      [-2, 0],
      [0.5, 0],
      [3, 0],
      [0, 0]
    ])
    const t = tf.tensor1d([1, 1, 1, -1])
    const f = values(oneSamGradientFactors(w, x, t, 0.2))
    expect(f[0]!).toBeLessThan(f[1]!)
    expect(f[1]!).toBeLessThan(f[2]!)
    expect(f[3]).toBeCloseTo(1, 6) // x = 0: no gradient, no perturbation
    tf.dispose([w, x, t])
  })

  it("rho = 0 is SGD (factor 1)", () => {
    for (const m of [-3, 0, 7]) expect(oneSamGradientFactor(m, 0, 5)).toBe(1)
  })

  it("typed errors name the bad input", () => {
    expect(() => oneSamGradientFactor(0, -0.1, 1)).toThrow(TheoryInputError)
    expect(() => oneSamGradientFactor(Number.NaN, 0.1, 1)).toThrow(/margin must be a finite number, got NaN/)
    expect(() => oneSamGradientFactor(0, 0.1, -1)).toThrow(/xNorm must be >= 0/)
    const w = tf.tensor1d([1, 2])
    const x = tf.tensor2d([[1, 2, 3]])
    const t = tf.tensor1d([1])
    expect(() => oneSamGradientFactors(w, x, t, 0.1)).toThrow(/x must be \[n, 2\], got shape \[1,3\]/)
    tf.dispose([w, x, t])
  })
})
