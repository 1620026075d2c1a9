import { describe, expect, it } from "vitest"
import { type ExampleDecomposition, quantileSorted, summarize, summarizeDecomposition } from "../src/index.js"

describe("summarize", () => {
  it("quantiles interpolate linearly between order statistics (NumPy's default)", () => {
    // numpy.quantile([1, 2, 3, 4], [0.1, 0.25, 0.5, 0.75, 0.9]) = [1.3, 1.75, 2.5, 3.25, 3.7]
    const s = summarize([4, 1, 3, 2, Number.NaN, Infinity])
    expect(s.count).toBe(4)
    expect(s.nonFinite).toBe(2)
    expect([s.q10, s.q25, s.median, s.q75, s.q90]).toEqual([1.3, 1.75, 2.5, 3.25, 3.7].map((v) => expect.closeTo(v, 12)))
    expect(s.mean).toBe(2.5)
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12)
    expect([s.min, s.max]).toEqual([1, 4])
    expect(Number.isNaN(summarize([]).mean)).toBe(true)
    expect(quantileSorted([5], 0.3)).toBe(5)
  })
})

describe("summarizeDecomposition", () => {
  const arr = (v: number[]) => Float64Array.from(v)
  const d: ExampleDecomposition = {
    n: 4,
    engine: "layered",
    measuredLayers: ["head"],
    loss: arr([0.1, 0.2, 2, 3]),
    perturbedLoss: arr([0.2, 0.3, 2.1, 3.1]),
    correct: Uint8Array.from([1, 1, 0, 0]),
    logitTermNorm: arr([0.1, 0.2, 1, 1.2]),
    perturbedLogitTermNorm: arr([0.2, 0.3, 1, 1.2]),
    gradNorm: arr([1, 1, 2, 4]),
    samGradNorm: arr([2, 3, 2, 4]),
    logitOnlyGradNorm: arr([1.5, 2, 2, 4]),
    jacobianOnlyGradNorm: arr([1.2, 1.1, 1, 2]),
    samFactor: arr([2, 3, 1, 1]),
    logitFactor: arr([1.5, 2, 1, 1]),
    jacobianFactor: arr([1.2, 1.1, 0.5, 0.5])
  }
  it("splits clean and noisy, and measures the clean share of gradient norm before and after the perturbation", () => {
    const s = summarizeDecomposition(d, [0, 0, 1, 1])
    expect(s.clean.count).toBe(2)
    expect(s.noisy.accuracy).toBe(0)
    expect(s.clean.quantities.samFactor.mean).toBe(2.5)
    expect(s.cleanGradientShare.sgd).toBeCloseTo(2 / 8, 12)
    expect(s.cleanGradientShare.sam).toBeCloseTo(5 / 11, 12)
    expect(s.cleanGradientShare.jacobianOnly).toBeCloseTo(2.3 / 5.3, 12)
    expect(s.cleanOverNoisy.sam).toBeCloseTo(2.5, 12)
    expect(s.cleanOverNoisy.jacobian).toBeCloseTo(1.15 / 0.5, 12)
    expect(s.all.count).toBe(4)
    expect(() => summarizeDecomposition(d, [0, 1])).toThrow(/isNoisy has 2 entries for 4 examples/)
  })
})
