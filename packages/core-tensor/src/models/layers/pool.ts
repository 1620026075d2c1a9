import * as tf from "@tensorflow/tfjs-core"

/** 2x2 max pooling with stride 2, no padding (odd sizes are floored, as PyTorch's MaxPool2d(2)). */
export const maxPool2x2 = (x: tf.Tensor4D): tf.Tensor4D => tf.maxPool(x, 2, 2, "valid")

/** Mean over height and width: [batch, h, w, c] -> [batch, c]. */
export const globalAveragePool = (x: tf.Tensor4D): tf.Tensor2D => tf.mean<tf.Tensor2D>(x, [1, 2])
