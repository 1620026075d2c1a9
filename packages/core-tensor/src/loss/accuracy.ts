import * as tf from "@tensorflow/tfjs-core"
import { assertLabelsFit } from "./validate.js"

/**
 * 1 where the arg-max of the logits equals the label, else 0, as float32 [batch] (so clean
 * and noisy subsets can be averaged separately). Ties go to the lowest class index.
 */
export const perExampleCorrect = (logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D => {
  assertLabelsFit(logits, labels, "perExampleCorrect")
  return tf.tidy(() => tf.cast(tf.equal(tf.argMax(logits, 1), labels), "float32") as tf.Tensor1D)
}

/** Fraction of examples whose arg-max logit is the label, read to the host. */
export const accuracy = (logits: tf.Tensor2D, labels: tf.Tensor1D): number => {
  const correct = perExampleCorrect(logits, labels)
  try {
    const values = correct.dataSync()
    let sum = 0
    for (let i = 0; i < values.length; i++) sum += values[i]!
    return values.length === 0 ? 0 : sum / values.length
  } finally {
    correct.dispose()
  }
}
