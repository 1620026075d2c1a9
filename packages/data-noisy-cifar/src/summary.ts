import { Rng } from "@samlab/core-tensor"
import { type Dataset, type DatasetName, classCounts } from "./dataset.js"
import { InvalidOptionError } from "./errors.js"
import { type LoadOptions, loadDataset } from "./load/load.js"
import { type NoiseMode, type NoisyLabels, applyLabelNoise } from "./noise/apply.js"
import { type NoiseSpec, noiseModel } from "./noise/model.js"

export type NamedNoise = "none" | "symmetric" | "symmetric-all" | "asymmetric"

export interface TrainingNoiseOptions {
  readonly noise: NamedNoise
  readonly rate: number
  readonly seed: number
  /** Default "exact". */
  readonly mode?: NoiseMode
}

/** The spec for a named noise kind at `rate` (the rate is ignored for "none"). */
export const namedNoiseSpec = (noise: NamedNoise, rate: number): NoiseSpec => {
  switch (noise) {
    case "none":
      return { kind: "none" }
    case "symmetric":
    case "symmetric-all":
    case "asymmetric":
      return { kind: noise, rate }
    default:
      throw new InvalidOptionError("noise", noise, 'expected "none", "symmetric", "symmetric-all" or "asymmetric"')
  }
}

/**
 * The noisy training labels samlab trains on for (noise, rate, seed): exact-count mode, with the
 * generator `new Rng(seed).fork("label-noise")`. Every package that needs "the noisy labels of
 * this run" calls this, so the summary and the training see the same labels.
 */
export const trainingNoise = (train: Dataset, options: TrainingNoiseOptions): NoisyLabels =>
  applyLabelNoise(train.labels, {
    numClasses: train.numClasses,
    spec: namedNoiseSpec(options.noise, options.rate),
    mode: options.mode ?? "exact",
    rng: new Rng(options.seed).fork("label-noise")
  })

export interface DataSummaryOptions extends Omit<LoadOptions, "dir"> {
  readonly dataset: DatasetName
  readonly dir?: string
  readonly noise: NamedNoise
  readonly rate: number
  readonly seed: number
}

export interface DataSummary {
  readonly train: {
    readonly n: number
    /** Examples per class by the noisy labels (what training sees). */
    readonly perClass: number[]
    /** Labels changed by the noise. */
    readonly noisy: number
    /** Realised fraction of changed labels. */
    readonly noiseRate: number
    /** Empirical transition matrix, rows clean class, row-stochastic. */
    readonly transition: number[][]
  }
  readonly test: { readonly n: number; readonly perClass: number[] }
}

/** What `samlab data summary` prints: split sizes, class counts and the realised noise. */
export const dataSummary = async (options: DataSummaryOptions): Promise<DataSummary> => {
  if (options.dataset !== "cifar10" && options.dataset !== "cifar100")
    throw new InvalidOptionError("dataset", options.dataset, 'expected "cifar10" or "cifar100"')
  if (!Number.isInteger(options.seed)) throw new InvalidOptionError("seed", options.seed, "must be an integer")
  const { dataset, noise, rate, seed, ...load } = options
  noiseModel(namedNoiseSpec(noise, rate), dataset === "cifar10" ? 10 : 100) // validate before the (possibly slow) load
  const { train, test } = await loadDataset(dataset, load)
  const labels = trainingNoise(train, { noise, rate, seed })
  return {
    train: {
      n: train.n,
      perClass: classCounts(labels.noisy, train.numClasses),
      noisy: labels.changed,
      noiseRate: labels.realisedRate,
      transition: labels.transition
    },
    test: { n: test.n, perClass: classCounts(test.labels, test.numClasses) }
  }
}
