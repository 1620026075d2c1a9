import * as tf from "@tensorflow/tfjs-core"

export const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** [batch, ...rest] -> [batch, prod(rest)] (row-major, so NHWC images flatten in (h, w, c) order). */
export const flatten = (x: tf.Tensor): tf.Tensor2D => tf.reshape(x, [x.shape[0]!, product(x.shape.slice(1))])
