import { oneHotFloat } from "./one-hot.js"
import * as tf from "@tensorflow/tfjs-core"
import { assertLabelsFit } from "./validate.js"

/**
 * The logit term `u = softmax(logits) - onehot(labels)`, [batch, K]: the gradient of each
 * example's cross-entropy with respect to its own logits, so that the per-example gradient
 * is `J(w)^T u`. A new tensor owned by the caller.
 */
export const logitTerm = (logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor2D => {
  const classes = assertLabelsFit(logits, labels, "logitTerm")
  return tf.tidy(() => tf.sub(tf.softmax(logits), oneHotFloat(labels, classes)) as tf.Tensor2D)
}
