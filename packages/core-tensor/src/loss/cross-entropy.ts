import { oneHotFloat } from "./one-hot.js"
import * as tf from "@tensorflow/tfjs-core"
import { assertLabelsFit } from "./validate.js"

/**
 * Softmax cross-entropy per example, `-log softmax(logits)[y]`, computed from a stable
 * log-softmax (max-shifted log-sum-exp). `logits` [batch, K], `labels` int32 [batch].
 * Returns a new [batch] tensor owned by the caller; differentiable in `logits`.
 */
export const perExampleCrossEntropy = (logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D => {
  const classes = assertLabelsFit(logits, labels, "perExampleCrossEntropy")
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits)
    const picked = tf.sum(tf.mul(logProbs, oneHotFloat(labels, classes)), 1)
    return tf.neg(picked) as tf.Tensor1D
  })
}

/** Mean softmax cross-entropy over the batch, a scalar owned by the caller. */
export const meanCrossEntropy = (logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar =>
  tf.tidy(() => tf.mean(perExampleCrossEntropy(logits, labels)) as tf.Scalar)
