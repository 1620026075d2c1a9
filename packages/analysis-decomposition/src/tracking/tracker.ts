import { type Model, type Params } from "@samlab/core-tensor"
import { type FieldFailure, positiveInt } from "@samlab/core-tensor/internal"
import * as tf from "@tensorflow/tfjs-core"
import { type DecompositionSummary, summarizeDecomposition } from "../decomposition/aggregate.js"
import { decompose } from "../decomposition/decompose.js"
import type { DecomposeOptions } from "../decomposition/types.js"
import { AnalysisInputError } from "../errors.js"
import { type ChannelNormalization, type CheckedLabels, type ExampleSource, checkLabels, forEachBatch } from "./data.js"
import { evaluateSplit } from "./evaluate.js"
import { maskedMean, scoreSplit } from "./metrics.js"
import { type ReweightingFactor, reweightingOnData } from "./reweighting.js"
import { summarizeRun } from "./summary.js"
import type { EpochMetrics, RunSummary } from "./types.js"

export interface TrackerDecompositionOptions extends Omit<DecomposeOptions, "state"> {
  /** Run it at epochs divisible by `every` (and never otherwise). */
  readonly every: number
  /** The first `examples` training examples (by label position) are decomposed. */
  readonly examples: number
}

export interface TrackerOptions {
  readonly model: Model
  /** Training examples: `labels` trained on, with `cleanLabels`/`isNoisy` under label noise. */
  readonly train: ExampleSource
  readonly test: ExampleSource
  /** A held-out split with noisy labels, for the early-stop pick. */
  readonly validation?: ExampleSource | undefined
  /** Needed for uint8 host images. */
  readonly normalization?: ChannelNormalization | undefined
  /** Examples per evaluation batch for host arrays (default 256). */
  readonly batchSize?: number
  /** Evaluate a reweighting factor (e.g. the linear model's 1-SAM factor) on the training examples at this rho. */
  readonly reweighting?: { readonly rho: number; readonly factor: ReweightingFactor } | undefined
  readonly decomposition?: TrackerDecompositionOptions | undefined
  /** Earlier records, to continue a resumed run. */
  readonly history?: readonly EpochMetrics[]
  readonly decompositions?: readonly TrackedDecomposition[]
}

export interface TrackedDecomposition {
  readonly epoch: number
  readonly summary: DecompositionSummary
}

export interface Tracker {
  /** Evaluates the model at the end of `epoch` and appends the record. Owns nothing it is given. */
  record(epoch: number, params: Params, state?: Params): EpochMetrics
  readonly history: readonly EpochMetrics[]
  readonly decompositions: readonly TrackedDecomposition[]
  summary(): RunSummary
}

const fail: FieldFailure = (field, problem) => {
  throw new AnalysisInputError("createTracker", field, problem)
}

/** The first `n` training examples as one tensor, with their labels and noise mask. */
const firstExamples = (
  source: ExampleSource,
  labels: CheckedLabels,
  n: number,
  model: Model,
  batchSize: number,
  normalization: ChannelNormalization | undefined
) => {
  const size = model.inputShape.reduce((a, b) => a * b, 1)
  const values = new Float32Array(n * size)
  const filled = new Uint8Array(n)
  forEachBatch(source, model.inputShape, batchSize, normalization, "tracker decomposition", (x, index) => {
    if (!index.some((i) => i < n)) return
    const rows = x.dataSync()
    index.forEach((i, r) => {
      if (i < n) {
        values.set(rows.subarray(r * size, (r + 1) * size), i * size)
        filled[i] = 1
      }
    })
  })
  const missing = filled.indexOf(0)
  if (missing >= 0) throw new AnalysisInputError("tracker decomposition", "train batches", `never yielded example ${missing} (the first ${n} are decomposed)`)
  return { x: tf.tensor(values, [n, ...model.inputShape]), labels: labels.labels.slice(0, n), isNoisy: labels.isNoisy.slice(0, n) }
}

/**
 * A per-epoch tracker for the pipelines: test accuracy; training accuracy and loss on clean
 * examples, and on noisy ones against their noisy label (memorisation) and their true label;
 * noisy-validation accuracy; mean squared feature norm and head norm; optionally the
 * linear-model reweighting factor and the SAM decomposition every few epochs. It keeps only
 * numbers, so it needs no disposal; `summary()` gives the early-stopping numbers.
 */
export const createTracker = (options: TrackerOptions): Tracker => {
  const { model, normalization } = options
  const k = model.numClasses
  const batchSize = positiveInt(options.batchSize ?? 256, "batchSize", fail)
  const train = checkLabels(options.train, k, "tracker train")
  const test = checkLabels(options.test, k, "tracker test")
  const validation = options.validation ? checkLabels(options.validation, k, "tracker validation") : undefined
  const dec = options.decomposition
  if (dec) {
    positiveInt(dec.every, "decomposition.every", fail)
    positiveInt(dec.examples, "decomposition.examples", fail)
    if (dec.examples > train.n)
      throw new AnalysisInputError("createTracker", "decomposition.examples", `is ${dec.examples}, but there are ${train.n} training examples`)
  }
  if (!model.headWeight) throw new AnalysisInputError("createTracker", "model.headWeight", "is missing")
  const history: EpochMetrics[] = [...(options.history ?? [])]
  const decompositions: TrackedDecomposition[] = [...(options.decompositions ?? [])]
  const evalOptions = (where: string) => ({ batchSize, normalization, where })

  const record = (epoch: number, params: Params, state: Params = {}): EpochMetrics => {
    const started = performance.now()
    const head = params[model.headWeight]
    if (!head) throw new AnalysisInputError("tracker.record", `params["${model.headWeight}"]`, "is missing (the head weight)")
    const trainOut = evaluateSplit(model, params, state, options.train, train.n, evalOptions("tracker train"))
    const testOut = evaluateSplit(model, params, state, options.test, test.n, evalOptions("tracker test"))
    const tr = scoreSplit(trainOut, train)
    const te = scoreSplit(testOut, test)
    const clean = (i: number) => train.isNoisy[i] === 0
    const noisy = (i: number) => train.isNoisy[i] === 1
    const all = () => true
    let validationPart = {}
    if (validation && options.validation) {
      const va = scoreSplit(evaluateSplit(model, params, state, options.validation, validation.n, evalOptions("tracker validation")), validation)
      validationPart = { validationAcc: maskedMean(va.correct, all), validationLoss: maskedMean(va.loss, all) }
    }
    const headNormSq = tf.tidy(() => tf.sum(tf.square(head)).dataSync()[0]!)
    const reweighting = options.reweighting
      ? {
          reweighting: reweightingOnData(
            trainOut.logits,
            trainOut.featureSq,
            train.labels,
            train.isNoisy,
            k,
            options.reweighting.rho,
            options.reweighting.factor
          )
        }
      : {}
    if (dec && epoch % dec.every === 0) {
      const { every: _every, examples, ...decomposeOptions } = dec
      const subset = firstExamples(options.train, train, examples, model, batchSize, normalization)
      try {
        const d = decompose(model, params, subset.x, subset.labels, { ...decomposeOptions, state })
        decompositions.push({ epoch, summary: summarizeDecomposition(d, subset.isNoisy) })
      } finally {
        subset.x.dispose()
      }
    }
    const metrics: EpochMetrics = {
      epoch,
      testAcc: maskedMean(te.correct, all),
      testLoss: maskedMean(te.loss, all),
      trainAcc: maskedMean(tr.correct, all),
      trainLoss: maskedMean(tr.loss, all),
      cleanTrainAcc: maskedMean(tr.correct, clean),
      cleanTrainLoss: maskedMean(tr.loss, clean),
      noisyTrainAccNoisyLabel: maskedMean(tr.correct, noisy),
      noisyTrainAccTrueLabel: maskedMean(tr.correctTrue, noisy),
      noisyTrainLoss: maskedMean(tr.loss, noisy),
      noisyTrainLossTrueLabel: maskedMean(tr.lossTrue, noisy),
      ...validationPart,
      featureNormSq: maskedMean(trainOut.featureSq, all),
      cleanFeatureNormSq: maskedMean(trainOut.featureSq, clean),
      noisyFeatureNormSq: maskedMean(trainOut.featureSq, noisy),
      headNormSq,
      ...reweighting,
      evalSeconds: (performance.now() - started) / 1000
    }
    history.push(metrics)
    return metrics
  }

  return {
    record,
    get history() {
      return history
    },
    get decompositions() {
      return decompositions
    },
    summary: () => summarizeRun(history)
  }
}
