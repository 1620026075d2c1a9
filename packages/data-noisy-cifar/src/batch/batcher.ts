import { Rng } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { type CropFlipOptions, cropFlipInto, drawCropFlip } from "../augment/crop-flip.js"
import { type ChannelStats, normalizationTable, normalizeInto } from "../augment/normalize.js"
import { IMAGE_BYTES, IMAGE_SIZE, PIXELS } from "../dataset.js"
import { InvalidOptionError } from "../errors.js"

/**
 * One mini-batch. The caller owns `x` and `y` and must call `dispose()` (or use
 * `Batcher.forEachBatch`, which does it). `index` holds the dataset indices of the rows, so
 * callers can look up clean labels or the noisy mask.
 */
export interface CifarBatch {
  /** [b, 32, 32, 3] float32, normalised. */
  readonly x: tf.Tensor4D
  /** [b] int32 labels (the ones the batcher was given: noisy labels when training under noise). */
  readonly y: tf.Tensor1D
  readonly index: Int32Array
  dispose(): void
}

export interface BatcherOptions {
  /** NHWC uint8 [n, 32, 32, 3], as in `Dataset.images`. */
  readonly images: Uint8Array
  /** The labels to train on, one per image. */
  readonly labels: ArrayLike<number>
  /** Which examples to use (default all); batches report these dataset indices. */
  readonly indices?: ArrayLike<number>
  readonly batchSize: number
  /** Per-channel statistics to normalise with (e.g. `channelStats` of the training images). */
  readonly normalization: ChannelStats
  /** Reshuffle every epoch (default true). */
  readonly shuffle?: boolean
  /** Drop the last partial batch (default false). */
  readonly dropLast?: boolean
  /** Random crop and flip (default off); `true` means padding 4 and flip. */
  readonly augment?: boolean | CropFlipOptions
  /** Epoch e shuffles with fork("shuffle/e") and augments with fork("augment/e"). */
  readonly seed: Rng | number
}

/**
 * Seeded mini-batches over host arrays. Shuffling and augmentation are computed in JavaScript
 * from the seed and epoch number, so every backend sees the same batches, and any epoch can be
 * replayed on its own.
 */
export class Batcher {
  readonly size: number
  readonly batchSize: number
  readonly batchesPerEpoch: number
  private readonly images: Uint8Array
  private readonly labels: ArrayLike<number>
  private readonly pool: Int32Array
  private readonly table: Float32Array
  private readonly shuffle: boolean
  private readonly dropLast: boolean
  private readonly augment: Required<CropFlipOptions> | undefined
  private readonly rng: Rng

  constructor(options: BatcherOptions) {
    const n = Math.floor(options.images.length / IMAGE_BYTES)
    if (options.images.length !== n * IMAGE_BYTES) throw new InvalidOptionError("images", options.images.length, `length must be a multiple of ${IMAGE_BYTES}`)
    if (options.labels.length !== n) throw new InvalidOptionError("labels", options.labels.length, `need one label per image (${n})`)
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
      throw new InvalidOptionError("batchSize", options.batchSize, "must be a positive integer")
    this.pool = options.indices ? Int32Array.from(options.indices) : Int32Array.from({ length: n }, (_, i) => i)
    this.pool.forEach((i, k) => {
      if (i < 0 || i >= n) throw new InvalidOptionError(`indices[${k}]`, i, `outside 0..${n - 1}`)
    })
    this.images = options.images
    this.labels = options.labels
    this.table = normalizationTable(options.normalization)
    this.size = this.pool.length
    this.batchSize = options.batchSize
    this.shuffle = options.shuffle ?? true
    this.dropLast = options.dropLast ?? false
    const aug = options.augment === true ? {} : options.augment || undefined
    if (aug && aug.padding !== undefined && (!Number.isInteger(aug.padding) || aug.padding < 0 || aug.padding >= IMAGE_SIZE)) {
      throw new InvalidOptionError("augment.padding", aug.padding, `must be an integer in 0..${IMAGE_SIZE - 1}`)
    }
    this.augment = aug ? { padding: aug.padding ?? 4, flip: aug.flip ?? true } : undefined
    this.rng = typeof options.seed === "number" ? new Rng(options.seed) : options.seed
    this.batchesPerEpoch = this.dropLast ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize)
  }

  /** The dataset indices in the order epoch `epoch` visits them. */
  order(epoch: number): Int32Array {
    const order = Int32Array.from(this.pool)
    return this.shuffle ? this.rng.fork(`shuffle/${epoch}`).shuffleInPlace(order) : order
  }

  /**
   * The batches of one epoch, built lazily: each `next()` allocates one batch's tensors, which
   * the caller must dispose. Breaking out early leaves nothing allocated.
   */
  *batches(epoch: number): Generator<CifarBatch, void, undefined> {
    const order = this.order(epoch)
    const augmentRng = this.rng.fork(`augment/${epoch}`)
    const scratch = new Uint8Array(IMAGE_BYTES)
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      const index = order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize)).slice()
      yield this.makeBatch(index, augmentRng, scratch)
    }
  }

  /** Runs `body` on each batch of epoch `epoch` in turn and disposes the batch after it, even if it throws. */
  async forEachBatch(epoch: number, body: (batch: CifarBatch, step: number) => void | Promise<void>): Promise<void> {
    let step = 0
    for (const batch of this.batches(epoch)) {
      try {
        await body(batch, step++)
      } finally {
        batch.dispose()
      }
    }
  }

  private makeBatch(index: Int32Array, augmentRng: Rng, scratch: Uint8Array): CifarBatch {
    const b = index.length
    const x = new Float32Array(b * IMAGE_BYTES)
    const y = new Int32Array(b)
    for (let k = 0; k < b; k++) {
      const i = index[k]!
      y[k] = this.labels[i]!
      if (this.augment) {
        cropFlipInto(this.images, i * IMAGE_BYTES, scratch, 0, drawCropFlip(augmentRng, this.augment), this.augment.padding)
        normalizeInto(scratch, 0, x, k * IMAGE_BYTES, PIXELS, this.table)
      } else {
        normalizeInto(this.images, i * IMAGE_BYTES, x, k * IMAGE_BYTES, PIXELS, this.table)
      }
    }
    const xt = tf.tensor4d(x, [b, IMAGE_SIZE, IMAGE_SIZE, 3], "float32")
    const yt = tf.tensor1d(y, "int32")
    return {
      x: xt,
      y: yt,
      index,
      dispose: () => {
        xt.dispose()
        yt.dispose()
      }
    }
  }
}
