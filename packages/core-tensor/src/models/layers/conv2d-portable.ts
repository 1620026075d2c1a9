import * as tf from "@tensorflow/tfjs-core"
import { padSpatial } from "./padding.js"

/**
 * A conv with the value of `tf.conv2d` (NHWC, symmetric zero padding `pad`) and a gradient
 * built from ops every backend has, for backends without `Conv2DBackpropFilter` (wasm):
 * - input gradient: at stride 1 the convolution of dy with the flipped, in/out-swapped
 *   filter (a forward conv, the fast path); at other strides the transposed convolution;
 * - filter gradient: a forward conv of the input (batch and channels swapped) by dy.
 */
export const conv2dPortableGrad = (x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D =>
  tf.customGrad<tf.Tensor4D>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, fi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc]
    save([xi, fi])
    return {
      value: tf.conv2d(xi, fi, stride, pad, "NHWC"),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D]
        return [inputGradient(dy, fs, xs.shape, stride, pad), filterGradient(xs, dy, fs.shape, stride, pad)]
      }
    }
  })(x, filter)

const inputGradient = (dy: tf.Tensor4D, filter: tf.Tensor4D, xShape: [number, number, number, number], stride: number, pad: number): tf.Tensor4D => {
  const k = filter.shape[0]
  if (stride !== 1) return tf.conv2dTranspose(dy, filter, xShape, stride, pad)
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D
  return tf.conv2d(dy, flipped, 1, k - 1 - pad, "NHWC")
}

/**
 * dW[ky, kx, i, o] = sum over (n, oy, ox) of xpad[n, oy*s + ky, ox*s + kx, i] * dy[n, oy, ox, o]:
 * a forward conv of the padded input with batch and channels swapped ([in, h, w, n]) by dy as
 * the filter ([oh, ow, n, out]), dilated by the stride. One fast forward conv, no kernel loop.
 */
const filterGradient = (x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], stride: number, pad: number): tf.Tensor4D => {
  const [k, , inC, outC] = filterShape as [number, number, number, number]
  const swapped = tf.transpose(padSpatial(x, pad), [3, 1, 2, 0]) as tf.Tensor4D
  const dyFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D
  // The output can be larger than k when rows at the bottom/right were never read by the forward conv.
  const full = tf.conv2d(swapped, dyFilter, 1, "valid", "NHWC", stride)
  return tf.transpose(tf.slice(full, [0, 0, 0, 0], [inC, k, k, outC]), [1, 2, 0, 3]) as tf.Tensor4D
}
