import type * as tf from "@tensorflow/tfjs-core"
import { LabelMismatchError } from "./errors.js"

/**
 * Checks shapes and dtypes only (no device read): logits `[batch, K]`, labels int32 `[batch]`.
 * Returns the number of classes K.
 */
export const assertLabelsFit = (logits: tf.Tensor, labels: tf.Tensor, where: string): number => {
  if (logits.rank !== 2) throw new LabelMismatchError(where, `logits must be [batch, classes], got shape [${logits.shape}]`)
  if (labels.rank !== 1) throw new LabelMismatchError(where, `labels must be a 1-D tensor of class indices, got shape [${labels.shape}]`)
  if (labels.dtype !== "int32") throw new LabelMismatchError(where, `labels must be int32 class indices, got dtype ${labels.dtype}`)
  const [batch, classes] = logits.shape as [number, number]
  if (labels.shape[0] !== batch) throw new LabelMismatchError(where, `${labels.shape[0]} labels for a batch of ${batch} examples`)
  return classes
}

/**
 * Checks that every label is a class index in [0, numClasses). Reads the labels to the host
 * (one small sync), so training methods call it once per step, not the loss functions.
 */
export const assertLabelsInRange = (labels: tf.Tensor1D, numClasses: number, where: string): void => {
  const values = labels.dataSync()
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (!(v >= 0 && v < numClasses)) throw new LabelMismatchError(where, `label ${v} of example ${i} is outside [0, ${numClasses})`)
  }
}
