import * as tf from "@tensorflow/tfjs-core"
import { AnalysisInputError } from "../errors.js"

/**
 * Structural types for the examples the tracker evaluates. They match data-noisy-cifar's
 * `Dataset`/`NoisyLabels`/`Batcher` and the steps package's `LabelledImages` without importing
 * them (this package must not depend on the data package).
 */

/** Labels of a split: the ones trained on, and the truth beside them when there is label noise. */
export interface LabelSet {
  /** Labels trained on (noisy where noise was applied); for a test split, its labels. */
  readonly labels: ArrayLike<number>
  /** True labels; default `labels`. */
  readonly cleanLabels?: ArrayLike<number>
  /** 1 where the label trained on differs from the truth; default computed from the two. */
  readonly isNoisy?: ArrayLike<number>
}

/** Examples in host memory, batch-first in the model's input layout (NHWC for images). */
export interface HostExamples extends LabelSet {
  /** uint8 pixels (normalised with `normalization`, as the batcher does) or float32 values used as is. */
  readonly images: Uint8Array | Float32Array
}

/** One batch of a batched source; `index` gives each row's position in the label arrays. */
export interface ExampleBatch {
  readonly x: tf.Tensor
  readonly index: ArrayLike<number>
  /** Frees the batch (called by the tracker after use, when present). */
  dispose?(): void
}

/** Examples from a function yielding batches (e.g. `() => batcher.batches(0)` of an unshuffled, unaugmented Batcher). */
export interface BatchedExamples extends LabelSet {
  /** Yields every example once. Each batch is the tracker's to dispose. */
  readonly batches: () => Iterable<ExampleBatch>
}

export type ExampleSource = HostExamples | BatchedExamples

/** Per-channel statistics of [0, 1] pixel values (data-noisy-cifar's `ChannelStats`). */
export interface ChannelNormalization {
  readonly mean: readonly number[]
  readonly std: readonly number[]
}

/** A label set with both arrays present and checked against each other and the class count. */
export interface CheckedLabels {
  readonly n: number
  readonly labels: Int32Array
  readonly clean: Int32Array
  readonly isNoisy: Uint8Array
}

export const checkLabels = (source: LabelSet, numClasses: number, where: string): CheckedLabels => {
  const n = source.labels.length
  const read = (a: ArrayLike<number>, field: string): Int32Array => {
    if (a.length !== n) throw new AnalysisInputError(where, field, `has ${a.length} entries where ${n} (one per label) were expected`)
    const out = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const y = a[i]!
      if (!Number.isInteger(y) || y < 0 || y >= numClasses) throw new AnalysisInputError(where, `${field}[${i}]`, `is ${y}, outside 0..${numClasses - 1}`)
      out[i] = y
    }
    return out
  }
  const labels = read(source.labels, "labels")
  const clean = source.cleanLabels ? read(source.cleanLabels, "cleanLabels") : labels
  let isNoisy: Uint8Array
  if (source.isNoisy) {
    if (source.isNoisy.length !== n) throw new AnalysisInputError(where, "isNoisy", `has ${source.isNoisy.length} entries where ${n} were expected`)
    isNoisy = Uint8Array.from(source.isNoisy, (v) => (v ? 1 : 0))
    for (let i = 0; i < n; i++) {
      if ((isNoisy[i] === 1) !== (labels[i] !== clean[i]))
        throw new AnalysisInputError(where, `isNoisy[${i}]`, `is ${isNoisy[i]} but labels[${i}] = ${labels[i]} and cleanLabels[${i}] = ${clean[i]}`)
    }
  } else {
    isNoisy = Uint8Array.from(labels, (y, i) => (y !== clean[i] ? 1 : 0))
  }
  return { n, labels, clean, isNoisy }
}

const isBatched = (s: ExampleSource): s is BatchedExamples => typeof (s as BatchedExamples).batches === "function"

/**
 * Calls `body` on every example of `source` in batches of at most `batchSize` (host arrays) or
 * as the source yields them, with each row's index into the label arrays; disposes each batch
 * after `body`, even when it throws. `exampleShape` is the model's input shape.
 */
export const forEachBatch = (
  source: ExampleSource,
  exampleShape: readonly number[],
  batchSize: number,
  normalization: ChannelNormalization | undefined,
  where: string,
  body: (x: tf.Tensor, index: Int32Array) => void
): void => {
  if (isBatched(source)) {
    for (const batch of source.batches()) {
      try {
        body(batch.x, Int32Array.from(batch.index))
      } finally {
        batch.dispose?.()
      }
    }
    return
  }
  const size = exampleShape.reduce((a, b) => a * b, 1)
  const n = source.labels.length
  if (source.images.length !== n * size)
    throw new AnalysisInputError(where, "images", `has ${source.images.length} values; ${n} examples of shape [${exampleShape.join(", ")}] need ${n * size}`)
  const channels = exampleShape[exampleShape.length - 1]!
  let table: Float32Array | undefined
  if (source.images instanceof Uint8Array) {
    if (!normalization) throw new AnalysisInputError(where, "normalization", "is needed for uint8 images (per-channel mean and std of [0, 1] pixel values)")
    if (normalization.mean.length !== channels || normalization.std.length !== channels)
      throw new AnalysisInputError(where, "normalization", `needs ${channels} means and stds (one per channel)`)
    table = new Float32Array(256 * channels)
    for (let c = 0; c < channels; c++) {
      const s = normalization.std[c]!
      if (!(s > 0)) throw new AnalysisInputError(where, `normalization.std[${c}]`, `must be positive, got ${s}`)
      for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - normalization.mean[c]!) / s
    }
  }
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start)
    let values: Float32Array
    if (table) {
      const bytes = (source.images as Uint8Array).subarray(start * size, (start + b) * size)
      values = new Float32Array(bytes.length)
      for (let p = 0; p < bytes.length; p++) values[p] = table[(p % channels) * 256 + bytes[p]!]!
    } else {
      values = (source.images as Float32Array).slice(start * size, (start + b) * size)
    }
    const x = tf.tensor(values, [b, ...exampleShape], "float32")
    try {
      body(
        x,
        Int32Array.from({ length: b }, (_, i) => start + i)
      )
    } finally {
      x.dispose()
    }
  }
}
