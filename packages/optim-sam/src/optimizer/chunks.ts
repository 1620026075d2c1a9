import * as tf from "@tensorflow/tfjs-core"
import { ChunkSizeError } from "../errors.js"

/** The chunk a SAMOptimizer pass is computing, shared with the loss function. */
export interface ChunkContext {
  readonly index: number
  readonly chunkSize: number
  /** Set by `chunkWeights` on the first pass. */
  batchSize: number | undefined
}

/**
 * Weights for per-example losses that make the batch mean equal the mean over chunk
 * `index`: `batch/m` on the chunk's rows, 0 elsewhere. Records the batch size in `ctx`.
 */
export const chunkWeights = (ctx: ChunkContext, batchSize: number, where: string): tf.Tensor1D => {
  if (batchSize % ctx.chunkSize !== 0) throw new ChunkSizeError(where, ctx.chunkSize, batchSize)
  if (ctx.batchSize !== undefined && ctx.batchSize !== batchSize) throw new ChunkSizeError(where, ctx.chunkSize, batchSize)
  ctx.batchSize = batchSize
  const w = new Float32Array(batchSize)
  w.fill(batchSize / ctx.chunkSize, ctx.index * ctx.chunkSize, (ctx.index + 1) * ctx.chunkSize)
  return tf.tensor1d(w)
}
