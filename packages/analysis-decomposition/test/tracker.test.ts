import { Rng, disposeParams, expectNoLeak, linear, smallCnn } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { AnalysisInputError, type BatchedExamples, createTracker, summarizeRun } from "../src/index.js"

/** Plain JS: logits of x W + b, arg-max (first on ties), cross-entropy. */
const logitsJs = (x: number[], W: number[][], b: number[]) => b.map((bj, j) => x.reduce((s, xi, i) => s + xi * W[i]![j]!, bj))
const argmaxJs = (z: number[]) => z.reduce((best, v, j) => (v > z[best]! ? j : best), 0)
const ceJs = (z: number[], y: number) => {
  const m = Math.max(...z)
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - z[y]!
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length

describe("tracker metrics on a hand-set linear model", () => {
  const W = [
    [1, -1, 0.5],
    [0.5, 2, -1]
  ]
  const b = [0.1, -0.2, 0]
  const trainX = [
    [1, 0],
    [0, 1],
    [-1, 0.5],
    [2, -1],
    [0.3, 0.3],
    [-0.5, -2]
  ]
  const clean = [0, 1, 2, 0, 1, 2]
  const noisy = [0, 1, 0, 0, 2, 1] // examples 2, 4, 5 carry a wrong label
  const testX = [
    [1, 1],
    [-1, -1],
    [0, 2]
  ]
  const testY = [1, 2, 1]
  const valX = [
    [0.2, -0.4],
    [1.5, 0.5]
  ]
  const valY = [0, 2]

  it("matches plain-JS accuracies, losses and norms, with no leaked tensors", async () => {
    const sig = (t: number) => 1 / (1 + Math.exp(-t))
    const model = linear({ inputDim: 2, numClasses: 3 })
    const params = { "head/kernel": tf.tensor2d(W), "head/bias": tf.tensor1d(b) }
    const tracker = createTracker({
      model,
      train: { images: Float32Array.from(trainX.flat()), labels: noisy, cleanLabels: clean },
      test: { images: Float32Array.from(testX.flat()), labels: testY },
      validation: { images: Float32Array.from(valX.flat()), labels: valY },
      batchSize: 4,
      reweighting: { rho: 0.5, factor: (margin, rho, xNorm) => sig(-margin + rho * xNorm) / sig(-margin) }
    })
    const m = await expectNoLeak("record", () => tracker.record(1, params))
    const z = trainX.map((x) => logitsJs(x, W, b))
    const isNoisy = clean.map((c, i) => c !== noisy[i])
    const idx = (want: boolean) => [...clean.keys()].filter((i) => isNoisy[i] === want)
    const acc = (ids: number[], labels: number[]) => mean(ids.map((i) => (argmaxJs(z[i]!) === labels[i] ? 1 : 0)))
    const loss = (ids: number[], labels: number[]) => mean(ids.map((i) => ceJs(z[i]!, labels[i]!)))
    const zt = testX.map((x) => logitsJs(x, W, b))
    expect(m.testAcc).toBeCloseTo(mean(zt.map((zi, i) => (argmaxJs(zi) === testY[i] ? 1 : 0))), 12)
    expect(m.testLoss).toBeCloseTo(mean(zt.map((zi, i) => ceJs(zi, testY[i]!))), 5)
    expect(m.cleanTrainAcc).toBeCloseTo(acc(idx(false), noisy), 12)
    expect(m.noisyTrainAccNoisyLabel).toBeCloseTo(acc(idx(true), noisy), 12)
    expect(m.noisyTrainAccTrueLabel).toBeCloseTo(acc(idx(true), clean), 12)
    expect(m.trainAcc).toBeCloseTo(acc([...clean.keys()], noisy), 12)
    expect(m.cleanTrainLoss).toBeCloseTo(loss(idx(false), noisy), 5)
    expect(m.noisyTrainLoss).toBeCloseTo(loss(idx(true), noisy), 5)
    expect(m.noisyTrainLossTrueLabel).toBeCloseTo(loss(idx(true), clean), 5)
    const zv = valX.map((x) => logitsJs(x, W, b))
    expect(m.validationAcc).toBeCloseTo(mean(zv.map((zi, i) => (argmaxJs(zi) === valY[i] ? 1 : 0))), 12)
    // Features of the linear model are the inputs; head norm is ||W||_F^2.
    const sq = trainX.map((x) => x[0]! ** 2 + x[1]! ** 2)
    expect(m.featureNormSq).toBeCloseTo(mean(sq), 5)
    expect(m.noisyFeatureNormSq).toBeCloseTo(mean(idx(true).map((i) => sq[i]!)), 5)
    expect(m.headNormSq).toBeCloseTo(
      W.flat().reduce((s, v) => s + v * v, 0),
      5
    )
    // The reweighting factor sigma(-m + rho ||x||) / sigma(-m), m the logit margin against the trained label.
    const factor = (i: number) => {
      const zi = z[i]!
      const margin = zi[noisy[i]!]! - Math.max(...zi.filter((_, j) => j !== noisy[i]))
      return sig(-margin + 0.5 * Math.sqrt(sq[i]!)) / sig(-margin)
    }
    expect(m.reweighting!.clean.mean).toBeCloseTo(mean(idx(false).map(factor)), 5)
    expect(m.reweighting!.noisy.mean).toBeCloseTo(mean(idx(true).map(factor)), 5)
    expect(m.reweighting!.noisy.count).toBe(3)
    expect(tracker.history).toHaveLength(1)
    disposeParams(params)
  })
})

describe("sources", () => {
  it("uint8 host images with normalisation, and a shuffled batched source, give the same metrics as float arrays", async () => {
    const model = smallCnn({ numClasses: 3, channels: [2], dense: 4, inputShape: [4, 4, 3] })
    const rng = new Rng(4)
    const params = model.init(rng.fork("init"))
    const n = 7
    const bytes = Uint8Array.from({ length: n * 48 }, () => rng.int(256))
    const norm = { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] }
    const floats = Float32Array.from(bytes, (v, p) => (v / 255 - norm.mean[p % 3]!) / norm.std[p % 3]!)
    const labels = [0, 1, 2, 0, 1, 2, 0]
    const cleanLabels = [0, 1, 2, 1, 1, 0, 0]
    const order = [5, 2, 6, 0, 3, 1, 4]
    const batched: BatchedExamples = {
      labels,
      cleanLabels,
      batches: function* () {
        for (let s = 0; s < n; s += 3) {
          const index = order.slice(s, s + 3)
          const x = tf.tensor4d(Float32Array.from(index.flatMap((i) => Array.from(floats.subarray(i * 48, (i + 1) * 48)))), [index.length, 4, 4, 3])
          yield { x, index, dispose: () => x.dispose() }
        }
      }
    }
    const make = (train: never) => createTracker({ model, train, test: { images: floats, labels }, normalization: norm, batchSize: 3 })
    const a = await expectNoLeak("uint8", () => make({ images: bytes, labels, cleanLabels } as never).record(1, params))
    const b = await expectNoLeak("float", () => make({ images: floats, labels, cleanLabels } as never).record(1, params))
    const c = await expectNoLeak("batched", () => make(batched as never).record(1, params))
    for (const key of [
      "trainAcc",
      "cleanTrainAcc",
      "noisyTrainAccNoisyLabel",
      "noisyTrainAccTrueLabel",
      "trainLoss",
      "featureNormSq",
      "noisyFeatureNormSq"
    ] as const) {
      expect(a[key]).toBeCloseTo(b[key], 5)
      expect(c[key]).toBeCloseTo(b[key], 5)
    }
    disposeParams(params)
  })

  it("bad sources fail with the field named", () => {
    const model = linear({ inputDim: 2, numClasses: 2 })
    const params = model.init(new Rng(1))
    const test = { images: new Float32Array(2), labels: [0] }
    expect(() => createTracker({ model, train: { images: new Float32Array(4), labels: [0, 2] }, test })).toThrow(
      /tracker train: labels\[1\] is 2, outside 0..1/
    )
    expect(() => createTracker({ model, train: { images: new Float32Array(4), labels: [0, 1], cleanLabels: [0] }, test })).toThrow(/cleanLabels has 1 entries/)
    expect(() => createTracker({ model, train: { images: new Float32Array(4), labels: [0, 1], cleanLabels: [0, 0], isNoisy: [0, 0] }, test })).toThrow(
      /isNoisy\[1\] is 0/
    )
    expect(() => createTracker({ model, train: { images: new Uint8Array(4), labels: [0, 1] }, test }).record(1, params)).toThrow(/normalization is needed/)
    expect(() => createTracker({ model, train: { images: new Float32Array(3), labels: [0, 1] }, test }).record(1, params)).toThrow(AnalysisInputError)
    const partial: BatchedExamples = { labels: [0, 1], batches: () => [{ x: tf.zeros([1, 2]), index: [0] }] }
    expect(() => createTracker({ model, train: partial, test }).record(1, params)).toThrow(/covered 1 of 2 examples/)
    disposeParams(params)
  })
})

describe("run summary", () => {
  it("peak, noisy-validation pick and final accuracy", () => {
    const h = [
      { epoch: 1, testAcc: 0.3, validationAcc: 0.2, cleanTrainAcc: 0.4, noisyTrainAccNoisyLabel: 0.1 },
      { epoch: 2, testAcc: 0.5, validationAcc: 0.35, cleanTrainAcc: 0.6, noisyTrainAccNoisyLabel: 0.2 },
      { epoch: 3, testAcc: 0.45, validationAcc: 0.4, cleanTrainAcc: 0.8, noisyTrainAccNoisyLabel: 0.5 },
      { epoch: 4, testAcc: 0.5, validationAcc: 0.4, cleanTrainAcc: 0.9, noisyTrainAccNoisyLabel: 0.9 },
      { epoch: 5, testAcc: 0.33, validationAcc: 0.3, cleanTrainAcc: 1, noisyTrainAccNoisyLabel: 1 }
    ]
    expect(summarizeRun(h)).toEqual({
      epochs: 5,
      bestTestAcc: 0.5,
      bestEpoch: 2,
      finalTestAcc: 0.33,
      cleanTrainAccAtBest: 0.6,
      noisyTrainAccNoisyLabelAtBest: 0.2,
      earlyStopEpoch: 3,
      earlyStopValidationAcc: 0.4,
      earlyStopTestAcc: 0.45
    })
    expect(summarizeRun([{ epoch: 1, testAcc: 0.1 }]).earlyStopEpoch).toBeUndefined()
    expect(() => summarizeRun([])).toThrow(AnalysisInputError)
  })
})

describe("decomposition inside the tracker", () => {
  it("runs every k epochs on the first n training examples, with clean and noisy groups", async () => {
    const model = linear({ inputDim: 3, numClasses: 3 })
    const rng = new Rng(8)
    const params = model.init(rng.fork("init"))
    const n = 12
    const images = rng.fork("x").normalArray(n * 3)
    const cleanLabels = Array.from({ length: n }, (_, i) => i % 3)
    const labels = cleanLabels.map((y, i) => (i % 4 === 0 ? (y + 1) % 3 : y))
    const tracker = createTracker({
      model,
      train: { images, labels, cleanLabels },
      test: { images, labels: cleanLabels },
      decomposition: { every: 2, examples: 8, perturbation: { rho: 0.1, chunkSize: 4 } }
    })
    await expectNoLeak("records", () => {
      for (let e = 1; e <= 4; e++) tracker.record(e, params)
    })
    expect(tracker.decompositions.map((d) => d.epoch)).toEqual([2, 4])
    const s = tracker.decompositions[0]!.summary
    expect(s.noisy.count).toBe(2) // examples 0 and 4 of the first 8
    expect(s.clean.count).toBe(6)
    // Linear model: the Jacobian does not depend on w, so the Jacobian factor is 1 for everyone.
    expect(s.all.quantities.jacobianFactor.mean).toBeCloseTo(1, 5)
    expect(tracker.summary().epochs).toBe(4)
    disposeParams(params)
  })
})
