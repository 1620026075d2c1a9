import * as tf from "@tensorflow/tfjs-core"

/** [batch, h, w, c] with `pad` zero rows and columns on every side (the symmetric padding of `conv2d`). */
export const padSpatial = (x: tf.Tensor4D, pad: number): tf.Tensor4D =>
  pad > 0
    ? tf.pad(x, [
        [0, 0],
        [pad, pad],
        [pad, pad],
        [0, 0]
      ])
    : x
