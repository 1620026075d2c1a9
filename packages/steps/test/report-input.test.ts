import { describe, expect, it } from "vitest"
import { buildReportInput } from "../src/report/build-input.js"
import { headlineOf, methodLabel, settingOf } from "../src/report/headline.js"
import { summarizeResults } from "../src/summary/summarize.js"
import type { TrainResult } from "../src/train/result.js"

/** A run whose test accuracy over three epochs is `curve`; best is its maximum, final its last value. */
const run = (method: string, seed: number, curve: readonly number[]): TrainResult => ({
  method,
  seed,
  backend: "cpu",
  wallSeconds: 1,
  summary: {
    bestTestAcc: Math.max(...curve),
    bestEpoch: curve.indexOf(Math.max(...curve)) + 1,
    finalTestAcc: curve[curve.length - 1]!,
    earlyStopTestAcc: null,
    earlyStopEpoch: null,
    cleanTrainAccAtBest: null,
    noisyTrainAccAtBest: null
  },
  noise: { nominalRate: 0.3, realisedRate: 0.3, changed: 3 },
  history: curve.map((testAcc, i) => ({ epoch: i + 1, testAcc })),
  decompositions: []
})

const cells = [
  run("erm", 0, [0.3, 0.4, 0.34]),
  run("erm", 1, [0.32, 0.42, 0.3]),
  run("sam", 0, [0.3, 0.42, 0.44]),
  run("sam", 1, [0.31, 0.43, 0.46]),
  run("jsam", 0, [0.3, 0.41, 0.43]),
  run("lsam", 0, [0.3, 0.42, 0.35])
].map((result) => ({ values: { method: result.method, seed: result.seed }, result }))

describe("the report's headline", () => {
  const summary = summarizeResults(cells)

  it("states SAM's gain at the peak and at the end, and the share J-SAM and L-SAM recover", () => {
    // SGD best (0.40 + 0.42) / 2 = 0.41, final 0.32; SAM best 0.45, final 0.45: +4.0 and +13.0 points.
    // J-SAM best 0.43: (0.43 - 0.41) / 0.04 = 50%; L-SAM best 0.42: 25%.
    expect(headlineOf(summary)).toBe(
      "SAM against SGD: +4.0 points of test accuracy at the peak (45.0% vs 41.0%) and +13.0 at the last epoch; J-SAM recovers 50% of the peak gain, L-SAM recovers 25% of the peak gain."
    )
  })

  it("carries the summary's peak warnings, with methods named for people", () => {
    // SAM's two seeds and J-SAM peak at epoch 3 of 3; SGD and L-SAM at epoch 2
    const input = buildReportInput("t", {}, summary, cells)
    expect(input.warnings).toEqual([
      "SAM may not have peaked: run longer (best epoch 3 (seed 0), epoch 3 (seed 1) of 3, in the last 10% of the epochs)",
      "J-SAM may not have peaked: run longer (best epoch 3 (seed 0) of 3, in the last 10% of the epochs)"
    ])
  })

  it("is absent without SAM or the baseline", () => {
    expect(headlineOf(summarizeResults(cells.filter((c) => c.result.method !== "sam")))).toBeUndefined()
  })

  it("names methods and swept groups for people", () => {
    expect(["erm", "sam1", "jacreg", "sam noise.rate=0.4", "mystery"].map((g) => methodLabel(g))).toEqual([
      "SGD",
      "1-SAM",
      "Jacobian regularizer",
      "SAM (noise.rate=0.4)",
      "mystery"
    ])
    // the base optimizer alone is labelled by the base it runs
    expect(["erm", "erm base.lr=0.1", "sam"].map((g) => methodLabel(g, "adamw"))).toEqual(["AdamW", "AdamW (base.lr=0.1)", "SAM"])
    expect(methodLabel("erm", "adam")).toBe("Adam")
  })

  it("labels and compares against the configured base (Adam here)", () => {
    const input = buildReportInput("t", { base: { kind: "adam", lr: 0.001 } }, summary, cells)
    expect(input.methods["erm"]!.label).toBe("Adam")
    expect(input.headline).toMatch(/^SAM against Adam: \+4\.0 points/)
  })

  it("puts model, training size and epochs in the title", () => {
    expect(settingOf({ model: { kind: "mlp", hidden: [512, 512] }, trainSize: 10000, epochs: 30 })).toBe(
      "MLP 3072-512-512-10, 10,000 training examples, 30 epochs"
    )
    expect(settingOf({ model: { kind: "resnet18" }, trainSize: 0 })).toBe("ResNet-18, all training examples")
    expect(settingOf({ model: { kind: "resnet", blocks: [1, 1, 1], width: 16 } })).toBe("ResNet-8 (width 16)")
    expect(settingOf({})).toBeUndefined()
    const input = buildReportInput("CIFAR10 with 30% symmetric label noise", { model: { kind: "cnn" }, trainSize: 500, epochs: 3 }, summary, cells)
    expect(input.title).toBe("CIFAR10 with 30% symmetric label noise: small CNN, 500 training examples, 3 epochs")
    expect(input.headline).toBe(headlineOf(summary))
  })

  it("gives each curve the lowest and highest seed beside the mean", () => {
    const input = buildReportInput("t", {}, summary, cells)
    const sgd = input.methods["erm"]!
    expect(sgd.label).toBe("SGD")
    sgd.perEpoch.forEach((e, i) => expect(e.testAcc).toBeCloseTo([0.31, 0.41, 0.32][i]!, 12))
    expect(sgd.perEpochMin!.map((e) => e.testAcc)).toEqual([0.3, 0.4, 0.3])
    expect(sgd.perEpochMax!.map((e) => e.testAcc)).toEqual([0.32, 0.42, 0.34])
    expect(input.methods["jsam"]!.perEpochMin).toBeUndefined() // one seed: no band
  })
})

describe("a sweep's report input", () => {
  it("gives each group the method alone and its swept values (the sweep chart's points); a run without a sweep has none", () => {
    const swept = [
      { values: { method: "erm", seed: 0, "noise.rate": 0.4 }, result: run("erm", 0, [0.3, 0.4, 0.34]) },
      { values: { method: "sam", seed: 0, "noise.rate": 0.4 }, result: run("sam", 0, [0.3, 0.42, 0.44]) },
      { values: { method: "erm", seed: 0, "model.hidden": [128, 128] }, result: run("erm", 0, [0.3, 0.4, 0.34]) }
    ]
    const input = buildReportInput("t", { base: { kind: "adam" } }, summarizeResults(swept), swept)
    expect(input.methods["erm noise.rate=0.4"]!.sweep).toEqual({ method: "Adam", values: { "noise.rate": 0.4 } })
    expect(input.methods["sam noise.rate=0.4"]!.sweep).toEqual({ method: "SAM", values: { "noise.rate": 0.4 } })
    expect(input.methods["erm model.hidden=[128,128]"]!.sweep).toEqual({ method: "Adam", values: { "model.hidden": [128, 128] } })
    expect(buildReportInput("t", {}, summarizeResults(cells), cells).methods["sam"]!.sweep).toBeUndefined()
  })
})
