import { Rng, TaggedError } from "@samlab/core-tensor"
import {
  type ChannelStats,
  type Dataset,
  type DatasetName,
  type NamedNoise,
  type NoiseMode,
  applyLabelNoise,
  channelStats,
  holdOutValidation,
  loadDataset,
  namedNoiseSpec,
  selectExamples,
  stratifiedIndices,
  SubsetError
} from "@samlab/data-noisy-cifar"

export interface DataOptions {
  readonly dataset: DatasetName
  /** Folder with the binary files; else CIFAR10_DIR / CIFAR100_DIR, the cache, or a download. */
  readonly dir?: string | undefined
  /** `official` (default): the files must hold the official record counts; `any`: any whole number of records. */
  readonly records?: "official" | "any" | undefined
  /** Training examples (stratified, seeded); 0 means all that remain after validation. */
  readonly trainSize: number
  /** Held-out examples with noisy labels, for an early-stop pick that never sees the test set. */
  readonly validationSize: number
  /** Test examples used for evaluation (0 = the whole test split). */
  readonly testSize: number
  readonly noise: { readonly kind: NamedNoise; readonly rate: number; readonly mode: NoiseMode }
  readonly seed: number
}

/** Examples with the labels training sees and the truth beside them. */
export interface LabelledImages {
  readonly n: number
  /** NHWC uint8 [n, 32, 32, 3] */
  readonly images: Uint8Array
  /** The labels trained on (noisy where noise was applied). */
  readonly labels: Uint8Array
  readonly cleanLabels: Uint8Array
  /** 1 where the label was changed by the noise. */
  readonly isNoisy: Uint8Array
}

export interface PreparedData {
  readonly dataset: DatasetName
  readonly numClasses: number
  readonly classNames: readonly string[]
  readonly train: LabelledImages
  readonly validation: LabelledImages
  readonly test: LabelledImages
  /** Per-channel statistics of the training images, used to normalise every split. */
  readonly normalization: ChannelStats
  readonly noise: { readonly nominalRate: number; readonly realisedRate: number; readonly changed: number; readonly transition: number[][] }
}

/** A split size the loaded data cannot supply (never silently clamped). */
export class DataSizeError extends TaggedError("DataSizeError") {
  constructor(
    readonly field: "trainSize" | "validationSize" | "testSize",
    readonly requested: number,
    reason: string
  ) {
    super(`${field} ${requested}: ${reason}`)
  }
}

const pick = (d: Dataset, noisy: Uint8Array, clean: Uint8Array, isNoisy: Uint8Array, idx: ArrayLike<number>): LabelledImages => {
  const sub = selectExamples(d, idx)
  const take = (a: Uint8Array) => Uint8Array.from(Array.from(idx, (i) => a[i]!))
  return { n: sub.n, images: sub.images, labels: take(noisy), cleanLabels: take(clean), isNoisy: take(isNoisy) }
}

const withoutNoise = (d: Dataset): LabelledImages => ({ n: d.n, images: d.images, labels: d.labels, cleanLabels: d.labels, isNoisy: new Uint8Array(d.n) })

/** The stratified validation part, a class too small for its share reported at `validationSize`. */
const holdOutValidationOf = (noisy: Uint8Array, numClasses: number, total: number, rng: Rng) => {
  try {
    return holdOutValidation(noisy, numClasses, { total }, rng)
  } catch (e) {
    if (e instanceof SubsetError)
      throw new DataSizeError("validationSize", total, `cannot be stratified by the noisy labels (${e.message}); lower it or raise trainSize`)
    throw e
  }
}

/**
 * Loads a dataset and makes the experiment's splits, deterministically from `seed`:
 * a stratified pool of trainSize + validationSize examples gets label noise (both parts
 * alike), then a stratified validation part is held out by its noisy labels.
 */
export const prepareData = async (options: DataOptions): Promise<PreparedData> => {
  const rng = new Rng(options.seed).fork("data")
  const { train, test } = await loadDataset(options.dataset, { ...(options.dir ? { dir: options.dir } : {}), expectedRecords: options.records ?? "official" })
  if (options.testSize > test.n) throw new DataSizeError("testSize", options.testSize, `the test split has ${test.n} examples (0 = all)`)
  if (options.validationSize >= train.n) throw new DataSizeError("validationSize", options.validationSize, `leaves no training example of the ${train.n}`)
  const trainSize = options.trainSize > 0 ? options.trainSize : train.n - options.validationSize
  if (trainSize + options.validationSize > train.n)
    throw new DataSizeError("trainSize", trainSize, `with validationSize ${options.validationSize} exceeds the ${train.n} training examples`)
  const pool =
    trainSize + options.validationSize >= train.n
      ? Int32Array.from({ length: train.n }, (_, i) => i)
      : stratifiedIndices(train.labels, train.numClasses, { total: trainSize + options.validationSize }, rng.fork("subset"))
  const poolLabels = Uint8Array.from(pool, (i) => train.labels[i]!)
  const labels = applyLabelNoise(poolLabels, {
    numClasses: train.numClasses,
    spec: namedNoiseSpec(options.noise.kind, options.noise.rate),
    mode: options.noise.mode,
    rng: rng.fork("noise")
  })
  const poolData = selectExamples(train, pool)
  const split =
    options.validationSize > 0
      ? holdOutValidationOf(labels.noisy, train.numClasses, options.validationSize, rng.fork("validation"))
      : { train: Int32Array.from({ length: pool.length }, (_, i) => i), validation: new Int32Array(0) }
  const testPart =
    options.testSize > 0 && options.testSize < test.n
      ? withoutNoise(selectExamples(test, stratifiedIndices(test.labels, test.numClasses, { total: options.testSize }, rng.fork("test"))))
      : withoutNoise(test)
  const trainPart = pick(poolData, labels.noisy, labels.clean, labels.isNoisy, split.train)
  return {
    dataset: options.dataset,
    numClasses: train.numClasses,
    classNames: train.classNames,
    train: trainPart,
    validation: pick(poolData, labels.noisy, labels.clean, labels.isNoisy, split.validation),
    test: testPart,
    normalization: channelStats(trainPart.images),
    noise: { nominalRate: labels.nominalRate, realisedRate: labels.realisedRate, changed: labels.changed, transition: labels.transition }
  }
}
