import * as tf from "@tensorflow/tfjs-core"
import { layers } from "@samlab/core-tensor"

/** Every `stride`-th row and column of [batch, stride * (n - 1) + 1, ...] -> [batch, n, m, c], from ops that all have gradients. */
const everyNth = (t: tf.Tensor4D, stride: number, rows: number, cols: number): tf.Tensor4D => {
  const [batch, h, w, c] = t.shape
  const padded = tf.pad(t, [
    [0, 0],
    [0, stride * rows - h],
    [0, stride * cols - w],
    [0, 0]
  ])
  const grouped = tf.reshape(padded, [batch, rows, stride, cols, stride, c])
  return tf.reshape(tf.slice(grouped, [0, 0, 0, 0, 0, 0], [batch, rows, 1, cols, 1, c]), [batch, rows, cols, c])
}

/**
 * The im2col view of core-tensor's `layers.conv2d` (symmetric zero padding (size - 1) / 2):
 * [batch, h, w, c] -> [batch, outH, outW, size * size * c], the last axis in (ky, kx, c) order,
 * which is a [size, size, c, out] kernel reshaped to [size * size * c, out]. Built from pad,
 * slice and concat, so it is differentiable in `x` on every backend.
 */
export const imagePatches = (x: tf.Tensor4D, size: number, stride: number): tf.Tensor4D => {
  const [batch, h, w, c] = x.shape
  const pad = (size - 1) / 2
  const rows = layers.convOutSize(h, size, stride)
  const cols = layers.convOutSize(w, size, stride)
  const padded = layers.padSpatial(x, pad)
  const taps: tf.Tensor4D[] = []
  for (let ky = 0; ky < size; ky++) {
    for (let kx = 0; kx < size; kx++) {
      const tap = tf.slice(padded, [0, ky, kx, 0], [batch, stride * (rows - 1) + 1, stride * (cols - 1) + 1, c])
      taps.push(stride === 1 ? tap : everyNth(tap, stride, rows, cols))
    }
  }
  return taps.length === 1 ? taps[0]! : tf.concat4d(taps, 3)
}
