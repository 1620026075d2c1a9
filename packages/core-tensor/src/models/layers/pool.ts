import * as tf from "@tensorflow/tfjs-core"

/** 2x2 max pooling with stride 2, no padding (odd sizes are floored, as PyTorch's MaxPool2d(2)). */
export const maxPool2x2 = (x: tf.Tensor4D): tf.Tensor4D => tf.maxPool(x, 2, 2, "valid")

/**
 * Mean over height and width: [batch, h, w, c] -> [batch, c]. Its gradient broadcasts dy / (h w)
 * on the backend, the same values as tfjs's Mean gradient, which multiplies by a ones tensor
 * of x's size that it fills on the host (and uploads, on a GPU) every step.
 */
export const globalAveragePool = (x: tf.Tensor4D): tf.Tensor2D =>
  tf.customGrad<tf.Tensor2D>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi] = args as [tf.Tensor4D]
    const [n, h, w, c] = xi.shape
    return {
      value: tf.mean<tf.Tensor2D>(xi, [1, 2]),
      gradFunc: (dy: tf.Tensor2D) => tf.div(tf.broadcastTo(tf.reshape(dy, [n, 1, 1, c]), [n, h, w, c]), h * w)
    }
  })(x)
