import { describe, expect, it } from "vitest"
import { TheoryConfigError, binaryMetrics, makeNoisyMixture } from "../src/index.js"

const base = { n: 400, nTest: 300, d: 6, muNorm: 2, sigma: 0.5, noiseRate: 0.25, seed: 3 }

describe("makeNoisyMixture", () => {
  it("flips exactly round(rate n) training labels and marks them; the test set is clean", () => {
    for (const [n, rate, expected] of [
      [400, 0.25, 100],
      [7, 0.3, 2],
      [10, 0.25, 3], // round(2.5) = 3
      [50, 0, 0],
      [20, 1, 20]
    ] as const) {
      const m = makeNoisyMixture({ ...base, n, noiseRate: rate })
      expect(m.flipped).toBe(expected)
      let marked = 0
      for (let i = 0; i < n; i++) {
        if (m.train.isNoisy[i]) {
          marked++
          expect(m.train.labels[i]).toBe(-m.train.cleanLabels[i]!)
        } else expect(m.train.labels[i]).toBe(m.train.cleanLabels[i])
      }
      expect(marked).toBe(expected)
      expect(m.test.isNoisy.every((v) => v === 0)).toBe(true)
      expect(Array.from(m.test.labels)).toEqual(Array.from(m.test.cleanLabels))
    }
  })

  it("draws x = t mu + sigma z: class-signed mean ~ mu = muNorm e_1, per-coordinate std ~ sigma", () => {
    const m = makeNoisyMixture({ ...base, n: 20000, noiseRate: 0 })
    const { d, x, cleanLabels } = m.train
    const mean = new Array<number>(d).fill(0)
    for (let i = 0; i < m.train.n; i++) for (let j = 0; j < d; j++) mean[j]! += (cleanLabels[i]! * x[i * d + j]!) / m.train.n
    expect(mean[0]).toBeCloseTo(2, 1)
    for (let j = 1; j < d; j++) expect(Math.abs(mean[j]!)).toBeLessThan(0.02)
    let ss = 0
    for (let i = 0; i < m.train.n; i++) ss += (x[i * d + 1]! - 0) ** 2
    expect(Math.sqrt(ss / m.train.n)).toBeCloseTo(0.5, 2)
    const positives = cleanLabels.filter((t) => t === 1).length / m.train.n
    expect(Math.abs(positives - 0.5)).toBeLessThan(0.02)
  })

  it("is deterministic per seed, and the test set does not depend on the training size", () => {
    const a = makeNoisyMixture(base)
    const b = makeNoisyMixture(base)
    expect(Array.from(a.train.x)).toEqual(Array.from(b.train.x))
    expect(Array.from(a.train.labels)).toEqual(Array.from(b.train.labels))
    const c = makeNoisyMixture({ ...base, seed: 4 })
    expect(Array.from(c.train.x)).not.toEqual(Array.from(a.train.x))
    const bigger = makeNoisyMixture({ ...base, n: 900 })
    expect(Array.from(bigger.test.x)).toEqual(Array.from(a.test.x))
  })

  it("rejects bad options with a TheoryConfigError naming the field", () => {
    const bad: Array<[Partial<typeof base>, string]> = [
      [{ n: 0 }, "n"],
      [{ d: 2.5 }, "d"],
      [{ noiseRate: 1.5 }, "noiseRate"],
      [{ noiseRate: -0.1 }, "noiseRate"],
      [{ sigma: Number.NaN }, "sigma"],
      [{ seed: 0.5 }, "seed"]
    ]
    for (const [patch, field] of bad) {
      const thrown = (() => {
        try {
          makeNoisyMixture({ ...base, ...patch })
        } catch (e) {
          return e
        }
      })()
      expect(thrown).toBeInstanceOf(TheoryConfigError)
      expect((thrown as TheoryConfigError).field).toBe(field)
      expect((thrown as TheoryConfigError)._tag).toBe("TheoryConfigError")
    }
  })
})

describe("binaryMetrics", () => {
  it("computes loss and accuracies on a hand case (a zero score counts 1/2)", () => {
    const split = {
      n: 4,
      d: 1,
      x: new Float32Array(4),
      labels: Float32Array.from([1, -1, 1, -1]),
      cleanLabels: Float32Array.from([1, -1, -1, 1]),
      isNoisy: Uint8Array.from([0, 0, 1, 1])
    }
    const m = binaryMetrics([2, 1, 0, -3], split)
    // losses softplus(-t s): softplus(-2), softplus(1), softplus(0), softplus(-3)
    const sp = (z: number) => Math.log(1 + Math.exp(z))
    expect(m.loss).toBeCloseTo((sp(-2) + sp(1) + sp(0) + sp(-3)) / 4, 12)
    expect(m.acc).toBeCloseTo((1 + 0 + 0.5 + 1) / 4, 12)
    expect(m.cleanAcc).toBeCloseTo(0.5, 12)
    expect(m.noisyFit).toBeCloseTo(0.75, 12)
    expect(Number.isNaN(binaryMetrics([1], { ...split, n: 1, isNoisy: Uint8Array.from([0]) }).noisyFit)).toBe(true)
  })
})
