import { InvalidOptionError } from "./errors.js"

/** CIFAR image geometry: 32x32 RGB. */
export const IMAGE_SIZE = 32
export const CHANNELS = 3
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE
/** Bytes of one image (NHWC or planar CHW alike). */
export const IMAGE_BYTES = PIXELS * CHANNELS

export type DatasetName = "cifar10" | "cifar100"
export type Split = "train" | "test"

/**
 * One split in memory. `images` is NHWC uint8 [n, 32, 32, 3]: the byte of image i, row y,
 * column x, channel c (0 R, 1 G, 2 B) is at `((i * 32 + y) * 32 + x) * 3 + c`.
 * `labels` are the clean (fine, for CIFAR-100) labels as stored in the files.
 */
export interface Dataset {
  readonly name: DatasetName
  readonly split: Split
  readonly n: number
  readonly images: Uint8Array
  readonly labels: Uint8Array
  readonly numClasses: number
  readonly classNames: readonly string[]
  /** CIFAR-100 only: the superclass of each example. */
  readonly coarseLabels?: Uint8Array
  readonly coarseClassNames?: readonly string[]
}

/** Both splits of a dataset. */
export interface DatasetSplits {
  readonly train: Dataset
  readonly test: Dataset
}

/** A new dataset holding copies of the examples at `indices`, in that order. */
export const selectExamples = (dataset: Dataset, indices: ArrayLike<number>): Dataset => {
  const n = indices.length
  const images = new Uint8Array(n * IMAGE_BYTES)
  const labels = new Uint8Array(n)
  const coarse = dataset.coarseLabels ? new Uint8Array(n) : undefined
  for (let k = 0; k < n; k++) {
    const i = indices[k]!
    if (!Number.isInteger(i) || i < 0 || i >= dataset.n) throw new InvalidOptionError(`indices[${k}]`, i, `outside 0..${dataset.n - 1}`)
    images.set(dataset.images.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES), k * IMAGE_BYTES)
    labels[k] = dataset.labels[i]!
    if (coarse) coarse[k] = dataset.coarseLabels![i]!
  }
  return { ...dataset, n, images, labels, ...(coarse ? { coarseLabels: coarse } : {}) }
}

/** Number of examples of each class. */
export const classCounts = (labels: ArrayLike<number>, numClasses: number): number[] => {
  const counts = new Array<number>(numClasses).fill(0)
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!
    if (y < 0 || y >= numClasses || !Number.isInteger(y)) throw new InvalidOptionError(`labels[${i}]`, y, `outside 0..${numClasses - 1}`)
    counts[y]!++
  }
  return counts
}
