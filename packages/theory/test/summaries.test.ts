import { describe, expect, it } from "vitest"
import {
  type DeepLinearResult,
  type LinearLogisticResult,
  deepLinearPage,
  linearLogisticPage,
  meanCurve,
  renderTheoryPage,
  summarizeDeepLinear,
  summarizeLinearLogistic
} from "../src/index.js"

const rec = (step: number, testAcc: number, weightRatio: number, extra: Partial<LinearLogisticResult["records"][number]> = {}) => ({
  step,
  trainLoss: 0.5,
  testLoss: 0.6,
  testAcc,
  trainAcc: 0.8,
  cleanTrainAcc: 0.9,
  noisyFit: step / 100,
  cleanWeight: weightRatio,
  noisyWeight: 1,
  weightRatio,
  closedFormMaxRelErr: 1e-7,
  wNorm: 1,
  cosMu: 0.5,
  ...extra
})

const run = (rho: number, seed: number, accs: number[], ratios: number[]): LinearLogisticResult => ({
  rho,
  seed,
  backend: "cpu",
  wallSeconds: 1,
  steps: 100,
  flipped: 2,
  records: accs.map((a, i) => rec(i * 25, a, ratios[i]!, i === 2 && rho > 0 ? { closedFormMaxRelErr: 3e-6 * (seed + 1) } : {}))
})

describe("summarizeLinearLogistic", () => {
  // steps 0, 25, 50, 75, 100: early window = {25}, late = {75, 100}
  const results = [
    run(0, 0, [0.5, 0.8, 0.7, 0.7, 0.6], [1, 1, 1, 1, 1]),
    run(0, 1, [0.5, 0.7, 0.9, 0.6, 0.6], [1, 1, 1, 1, 1]),
    run(0.2, 0, [0.5, 0.9, 0.8, 0.7, 0.7], [1, 3, 2, 1.5, 1.1]),
    run(0.2, 1, [0.5, 0.85, 0.8, 0.7, 0.5], [1, 5, 2, 1.5, 0.9]),
    run(0.1, 0, [0.5, 0.82, 0.8, 0.7, 0.7], [1, 2, 2, 1.2, 1.0])
  ]
  const s = summarizeLinearLogistic(results)

  it("averages each run's best, final and windowed numbers over seeds, by increasing rho", () => {
    expect(s.rhos.map((r) => r.rho)).toEqual([0, 0.1, 0.2])
    const gd = s.rhos[0]!
    expect(gd.seeds).toEqual([0, 1])
    expect(gd.bestTestAcc).toBeCloseTo((0.8 + 0.9) / 2, 12)
    expect(gd.bestStep).toBeCloseTo((25 + 50) / 2, 12)
    expect(gd.finalTestAcc).toBeCloseTo(0.6, 12)
    expect(gd.finalNoisyFit).toBeCloseTo(1, 12)
    const sam = s.rhos[2]!
    expect(sam.weightRatioEarly).toBeCloseTo((3 + 5) / 2, 12)
    expect(sam.weightRatioLate).toBeCloseTo(((1.5 + 1.1) / 2 + (1.5 + 0.9) / 2) / 2, 12)
    expect(sam.closedFormMaxRelErr).toBeCloseTo(6e-6, 15)
    expect(sam.perSeed.bestTestAcc).toEqual([0.9, 0.85])
  })

  it("states the comparisons: GD's peak, the best 1-SAM rho and its gain, the early ratio rising with rho", () => {
    expect(s.facts.gdBestTestAcc).toBeCloseTo(0.85, 12)
    expect(s.facts.samBestRho).toBe(0.2)
    expect(s.facts.samBestTestAcc).toBeCloseTo(0.875, 12)
    expect(s.facts.peakGain).toBeCloseTo(0.025, 12)
    expect(s.facts.weightRatioEarlyByRho).toEqual([2, 4])
    expect(s.facts.weightRatioRisesWithRho).toBe(true)
    const flat = summarizeLinearLogistic([
      results[0]!,
      run(0.1, 0, [0.5, 0.8, 0.8, 0.8, 0.8], [1, 2, 1, 1, 1]),
      run(0.2, 0, [0.5, 0.8, 0.8, 0.8, 0.8], [1, 1.5, 1, 1, 1])
    ])
    expect(flat.facts.weightRatioRisesWithRho).toBe(false)
  })

  it("renders a page with one row per rho, the findings and three charts", () => {
    const page = linearLogisticPage(s, results, { rhos: [0, 0.1, 0.2] })
    expect(page.table.rows.map((r) => r[0])).toEqual(["GD", "1-SAM ρ=0.1", "1-SAM ρ=0.2"])
    expect(page.charts.map((c) => c.id)).toEqual(["test-accuracy", "train-accuracy", "weight-ratio"])
    for (const c of page.charts) expect(c.svg.startsWith("<svg")).toBe(true)
    const html = renderTheoryPage(page)
    expect(html).toContain("+2.5 points")
    expect(html).toContain("<th>rhos</th>")
    expect(html).not.toContain("<script")
  })
})

describe("meanCurve", () => {
  it("averages over runs at the steps every run recorded, skipping nulls", () => {
    const c = meanCurve(
      [
        [
          { step: 0, y: 1 },
          { step: 5, y: 3 },
          { step: 10, y: null }
        ],
        [
          { step: 0, y: 3 },
          { step: 10, y: 4 }
        ]
      ],
      (r) => r.y
    )
    expect(c).toEqual({ steps: [0, 10], values: [2, 4] })
  })
})

const metrics = (acc: number, head: number) => ({ trainLoss: 0.4, testAcc: acc, cleanTrainAcc: 0.9, noisyFit: 0.3, headNormSq: head, featureNormSq: 2 })
const deep = (rho: number, seed: number, drift: number[], jsamAcc: number[], gdAcc: number[]): DeepLinearResult => ({
  rho,
  seed,
  hidden: 4,
  backend: "cpu",
  wallSeconds: 1,
  steps: drift.length - 1,
  flipped: 3,
  paramRelDiff: drift,
  records: jsamAcc.map((a, i) => ({
    step: i,
    jsam: metrics(a, 1),
    objective: metrics(a, 1),
    gd: metrics(gdAcc[i]!, 2),
    paramRelDiff: drift[i]!,
    objectiveCheckRelErr: 1e-7 * (i + 1)
  }))
})

describe("summarizeDeepLinear", () => {
  const results = [
    deep(0.1, 0, [0, 1e-7, 2e-7], [0.5, 0.9, 0.8], [0.5, 0.85, 0.7]),
    deep(0.1, 1, [0, 3e-7, 1e-7], [0.5, 0.8, 0.8], [0.5, 0.85, 0.75]),
    deep(0.05, 0, [0, 5e-8, 1e-3], [0.5, 0.7, 0.7], [0.5, 0.85, 0.7])
  ]
  const s = summarizeDeepLinear(results)

  it("takes the worst drift over seeds and steps, and means of the trainers' numbers", () => {
    expect(s.rhos.map((r) => r.rho)).toEqual([0.05, 0.1])
    const r = s.rhos[1]!
    expect(r.maxParamRelDiff).toBeCloseTo(3e-7, 15)
    expect(r.finalParamRelDiff).toBeCloseTo(2e-7, 15)
    expect(r.objectiveCheckMaxRelErr).toBeCloseTo(3e-7, 15)
    expect(r.trainers.jsam.bestTestAcc).toBeCloseTo(0.85, 12)
    expect(r.trainers.gd.finalTestAcc).toBeCloseTo(0.725, 12)
    expect(s.facts.jsamMinusGdFinal[1]).toBeCloseTo(0.075, 12)
    expect(s.facts.maxParamRelDiff).toBeCloseTo(1e-3, 12)
    expect(s.facts.trajectoriesMatch).toBe(false) // rho 0.05 drifted past the tolerance
    expect(summarizeDeepLinear(results.slice(0, 2)).facts.trajectoriesMatch).toBe(true)
  })

  it("renders a page with three rows per rho and four charts", () => {
    const page = deepLinearPage(s, results, {})
    expect(page.table.rows).toHaveLength(6)
    expect(page.charts.map((c) => c.id)).toEqual(["param-rel-diff", "test-accuracy", "train-loss", "head-norm"])
    expect(renderTheoryPage(page)).toContain("NOT below")
  })
})
