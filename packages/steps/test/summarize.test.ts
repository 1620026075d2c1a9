import { describe, expect, it } from "vitest"
import { mayNotHavePeaked, summarizeResults, summaryLines } from "../src/index.js"
import { gapRecovered, groupKey, metricRows } from "../src/summary/summarize.js"
import { toCsv } from "../src/summary/csv.js"
import type { TrainResult } from "../src/index.js"

const result = (method: string, seed: number, best: number, final: number | null, wall = 10): TrainResult => ({
  method,
  seed,
  backend: "cpu",
  wallSeconds: wall,
  summary: {
    bestTestAcc: best,
    bestEpoch: 3 + seed,
    finalTestAcc: final,
    earlyStopTestAcc: best - 0.01,
    earlyStopEpoch: 2,
    cleanTrainAccAtBest: 0.7,
    noisyTrainAccAtBest: null
  },
  noise: { nominalRate: 0.3, realisedRate: 0.3, changed: 30 },
  history: [
    { epoch: 1, testAcc: 0.1 },
    { epoch: 2, testAcc: best }
  ],
  decompositions: []
})

describe("summary.json", () => {
  it("averages each number over seeds, keeps per-seed arrays in seed order, and leaves missing values null", () => {
    const s = summarizeResults([
      { values: { method: "sam", seed: 1 }, result: result("sam", 1, 0.5, 0.4, 20) },
      { values: { method: "erm", seed: 0 }, result: result("erm", 0, 0.4, 0.3) },
      { values: { method: "sam", seed: 0 }, result: result("sam", 0, 0.46, null, 30) }
    ])
    expect(Object.keys(s.methods)).toEqual(["sam", "erm"])
    const sam = s.methods["sam"]!
    expect(sam.bestTestAcc).toBeCloseTo(0.48, 12)
    expect(sam.perSeed.bestTestAcc).toEqual([0.46, 0.5])
    expect(sam.seeds).toEqual([0, 1])
    expect(sam.finalTestAcc).toBe(0.4) // the mean of what exists
    expect(sam.perSeed.finalTestAcc).toEqual([null, 0.4])
    expect(sam.noisyTrainAccAtBest).toBeNull()
    expect(sam.wallSeconds).toBe(25)
    expect(sam.bestEpoch).toBe(3.5)
  })

  it("gives the spread over seeds (min, max, sample std) and the epochs run", () => {
    const s = summarizeResults([
      { values: { method: "sam", seed: 0 }, result: result("sam", 0, 0.46, 0.4) },
      { values: { method: "sam", seed: 1 }, result: result("sam", 1, 0.5, 0.44) },
      { values: { method: "erm", seed: 0 }, result: result("erm", 0, 0.4, 0.3) }
    ])
    const sam = s.methods["sam"]!
    expect(sam.spread.bestTestAcc.min).toBe(0.46)
    expect(sam.spread.bestTestAcc.max).toBe(0.5)
    expect(sam.spread.bestTestAcc.std).toBeCloseTo(Math.sqrt(2 * 0.02 ** 2), 12) // (0.46, 0.5): sqrt(((-0.02)^2 + 0.02^2) / 1)
    expect(sam.spread.finalTestAcc.std).toBeCloseTo(Math.sqrt(2 * 0.02 ** 2), 12)
    expect(s.methods["erm"]!.spread.bestTestAcc).toEqual({ min: 0.4, max: 0.4, std: null })
    expect(sam.epochs).toBe(2)
  })

  it("warns when a best epoch falls in the last 10% of the epochs (may not have peaked), per method and in total", () => {
    const withBest = (method: string, seed: number, bestEpoch: number, epochs: number): TrainResult => ({
      ...result(method, seed, 0.5, 0.4),
      summary: { ...result(method, seed, 0.5, 0.4).summary, bestEpoch },
      history: Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, testAcc: 0.1 }))
    })
    // 30 epochs: the last 10% are 28, 29, 30; epoch 27 is not in it
    const s = summarizeResults([
      { values: { method: "sam", seed: 0 }, result: withBest("sam", 0, 27, 30) },
      { values: { method: "sam", seed: 1 }, result: withBest("sam", 1, 28, 30) },
      { values: { method: "erm", seed: 0 }, result: withBest("erm", 0, 5, 30) },
      { values: { method: "jsam", seed: 0 }, result: withBest("jsam", 0, 30, 30) }
    ])
    expect(s.methods["sam"]!.warnings).toEqual(["may not have peaked: run longer (best epoch 28 (seed 1) of 30, in the last 10% of the epochs)"])
    expect(s.methods["erm"]!.warnings).toEqual([])
    expect(s.warnings).toEqual([`sam ${s.methods["sam"]!.warnings[0]}`, `jsam ${s.methods["jsam"]!.warnings[0]}`])
    expect(mayNotHavePeaked(17, 18)).toBe(true) // the quick run: best epoch 17 of 18
    expect(mayNotHavePeaked(26, 30)).toBe(false)
    const lines = summaryLines(s)
    expect(lines[0]).toBe("sam: best 50.0% [50.0, 50.0] at epoch 27.5 of 30, final 40.0% [40.0, 40.0] (2 seeds); WARNING " + s.methods["sam"]!.warnings[0])
    expect(lines[1]).toBe("erm: best 50.0% at epoch 5 of 30, final 40.0% (1 seed)")
  })

  it("groups sweep cells by method and swept value", () => {
    const cells = [0.2, 0.4].map((rate) => ({ values: { method: "erm", seed: 0, "noise.rate": rate }, result: result("erm", 0, rate, rate) }))
    expect(cells.map(groupKey)).toEqual(["erm noise.rate=0.2", "erm noise.rate=0.4"])
    expect(Object.keys(summarizeResults(cells).methods)).toEqual(["erm noise.rate=0.2", "erm noise.rate=0.4"])
  })

  it("measures the share of SAM's gain a method recovers", () => {
    const s = summarizeResults(
      ["erm", "sam", "jsam", "lsam"].map((m, i) => ({ values: { method: m, seed: 0 }, result: result(m, 0, [0.4, 0.5, 0.48, 0.41][i]!, 0.3) }))
    )
    expect(gapRecovered(s, "jsam")).toBeCloseTo(0.8, 10)
    expect(gapRecovered(s, "lsam")).toBeCloseTo(0.1, 10)
    expect(gapRecovered(s, "jsam", "finalTestAcc")).toBeNull() // no gap at the final epoch
  })

  it("flattens every run's epochs into metric rows labelled with method, seed and swept values", () => {
    const rows = metricRows([
      { values: { method: "erm", seed: 0, "noise.rate": 0.2 }, result: result("erm", 0, 0.4, 0.3) },
      { values: { method: "sam", seed: 1, "noise.rate": 0.4 }, result: result("sam", 1, 0.5, 0.4) }
    ])
    expect(rows).toEqual([
      { method: "erm", seed: 0, backend: "cpu", "noise.rate": 0.2, epoch: 1, testAcc: 0.1 },
      { method: "erm", seed: 0, backend: "cpu", "noise.rate": 0.2, epoch: 2, testAcc: 0.4 },
      { method: "sam", seed: 1, backend: "cpu", "noise.rate": 0.4, epoch: 1, testAcc: 0.1 },
      { method: "sam", seed: 1, backend: "cpu", "noise.rate": 0.4, epoch: 2, testAcc: 0.5 }
    ])
    expect(metricRows([{ values: { method: "erm", seed: 0 }, result: result("erm", 0, 0.4, 0.3) }])[0]).toEqual({
      method: "erm",
      seed: 0,
      backend: "cpu",
      epoch: 1,
      testAcc: 0.1
    })
  })

  it("writes metric rows as CSV: a column per key, quoting where RFC 4180 needs it, objects as JSON", () => {
    const csv = toCsv([
      { method: "sam", seed: 0, epoch: 1, testAcc: 0.25 },
      { method: 'say "hi", twice', seed: 1, epoch: 1, extra: { a: [1, 2] }, testAcc: null }
    ])
    expect(csv).toBe('method,seed,epoch,testAcc,extra\nsam,0,1,0.25,\n"say ""hi"", twice",1,1,,"{""a"":[1,2]}"\n')
    expect(toCsv([])).toBe("")
  })
})
