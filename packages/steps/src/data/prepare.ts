import { Rng } from "@samlab/core-tensor"
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
  stratifiedIndices
} from "@samlab/data-noisy-cifar"

export interface DataOptions {
  readonly dataset: DatasetName
  /** Folder with the binary files; else CIFAR10_DIR / CIFAR100_DIR, the cache, or a download. */
  readonly dir?: string | undefined
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

const pick = (d: Dataset, noisy: Uint8Array, clean: Uint8Array, isNoisy: Uint8Array, idx: ArrayLike<number>): LabelledImages => {
  const sub = selectExamples(d, idx)
  const take = (a: Uint8Array) => Uint8Array.from(Array.from(idx, (i) => a[i]!))
  return { n: sub.n, images: sub.images, labels: take(noisy), cleanLabels: take(clean), isNoisy: take(isNoisy) }
}

const withoutNoise = (d: Dataset): LabelledImages => ({ n: d.n, images: d.images, labels: d.labels, cleanLabels: d.labels, isNoisy: new Uint8Array(d.n) })

/**
 * Loads a dataset and makes the experiment's splits, deterministically from `seed`:
 * a stratified pool of trainSize + validationSize examples gets label noise (both parts
 * alike), then a stratified validation part is held out by its noisy labels.
 */
export const prepareData = async (options: DataOptions): Promise<PreparedData> => {
  const rng = new Rng(options.seed).fork("data")
  const { train, test } = await loadDataset(options.dataset, options.dir ? { dir: options.dir } : {})
  const trainSize = options.trainSize > 0 ? options.trainSize : train.n - options.validationSize
  const pool = trainSize + options.validationSize >= train.n ? Int32Array.from({ length: train.n }, (_, i) => i) : stratifiedIndices(train.labels, train.numClasses, { total: trainSize + options.validationSize }, rng.fork("subset"))
  const poolLabels = Uint8Array.from(pool, (i) => train.labels[i]!)
  const labels = applyLabelNoise(poolLabels, {
    numClasses: train.numClasses,
    spec: namedNoiseSpec(options.noise.kind, options.noise.rate),
    mode: options.noise.mode,
    rng: rng.fork("noise")
  })
  const poolData = selectExamples(train, pool)
  const split = options.validationSize > 0 ? holdOutValidation(labels.noisy, train.numClasses, { total: options.validationSize }, rng.fork("validation")) : { train: Int32Array.from({ length: pool.length }, (_, i) => i), validation: new Int32Array(0) }
  const testPart = options.testSize > 0 && options.testSize < test.n ? withoutNoise(selectExamples(test, stratifiedIndices(test.labels, test.numClasses, { total: options.testSize }, rng.fork("test")))) : withoutNoise(test)
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
