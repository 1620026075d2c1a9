import type { Model, Params } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { AnalysisInputError } from "../errors.js"
import { type ChannelNormalization, type ExampleSource, forEachBatch } from "./data.js"

/** What one evaluation pass over a split reads back: logits and feature norms, in label order. */
export interface SplitOutputs {
  readonly n: number
  readonly numClasses: number
  /** [n * k] row-major. */
  readonly logits: Float32Array
  /** ||features_i||^2 (the head's input). */
  readonly featureSq: Float64Array
}

/**
 * One evaluation-mode pass of `model` over every example of `source` (batch norm with its
 * moving statistics), each batch in tf.tidy; only host arrays come out. Every label position
 * 0..n-1 must be covered exactly once.
 */
export const evaluateSplit = (
  model: Model,
  params: Params,
  state: Params,
  source: ExampleSource,
  n: number,
  options: { readonly batchSize: number; readonly normalization?: ChannelNormalization | undefined; readonly where: string }
): SplitOutputs => {
  const k = model.numClasses
  const logits = new Float32Array(n * k)
  const featureSq = new Float64Array(n)
  const seen = new Uint8Array(n)
  forEachBatch(source, model.inputShape, options.batchSize, options.normalization, options.where, (x, index) => {
    const [z, f] = tf.tidy(() => {
      const out = model.apply(params, x, { training: false, state })
      return [out.logits, tf.sum(tf.square(out.features), 1)]
    })
    const zs = z!.dataSync()
    const fs = f!.dataSync()
    tf.dispose([z!, f!])
    if (zs.length !== index.length * k) throw new AnalysisInputError(options.where, "batch", `gave ${zs.length / k} rows of logits for ${index.length} indices`)
    index.forEach((i, row) => {
      if (!(i >= 0 && i < n)) throw new AnalysisInputError(options.where, "batch index", `${i} is outside 0..${n - 1}`)
      if (seen[i]) throw new AnalysisInputError(options.where, "batch index", `${i} was yielded twice`)
      seen[i] = 1
      logits.set(zs.subarray(row * k, (row + 1) * k), i * k)
      featureSq[i] = fs[row]!
    })
  })
  const missing = seen.reduce((m, s) => m + (s ? 0 : 1), 0)
  if (missing > 0) throw new AnalysisInputError(options.where, "batches", `covered ${n - missing} of ${n} examples`)
  return { n, numClasses: k, logits, featureSq }
}
