import * as tf from "@tensorflow/tfjs-core"

/**
 * float32 one-hot rows. Built as int32 then cast: tfjs-wasm 4.22's OneHot kernel ignores a
 * float32 dtype and writes int32 bits (1 reads as 1.4e-45), which zeroes every gradient there.
 */
export const oneHotFloat = (labels: tf.Tensor1D, classes: number): tf.Tensor2D => tf.tidy(() => tf.cast(tf.oneHot(labels, classes), "float32") as tf.Tensor2D)
