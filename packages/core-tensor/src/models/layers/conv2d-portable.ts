import * as tf from "@tensorflow/tfjs-core"
import { matMulExplicitT } from "./backend-quirks.js"

/**
 * A conv with the value of `tf.conv2d` (NHWC, symmetric zero padding `pad`) and a gradient
 * built from ops every backend has, for backends without `Conv2DBackpropFilter` (wasm):
 * - input gradient: at stride 1 the convolution of dy with the flipped, in/out-swapped
 *   filter (a forward conv, the fast path); at other strides the transposed convolution;
 * - filter gradient: for each of the k * k kernel offsets, the strided window of the padded
 *   input times dy (one [in, out] matmul each, with an explicit transpose).
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

const filterGradient = (x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], stride: number, pad: number): tf.Tensor4D => {
  const [k, , inC, outC] = filterShape as [number, number, number, number]
  const [n, outH, outW] = dy.shape
  const padded = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x
  const dyFlat = tf.reshape(dy, [n * outH * outW, outC]) as tf.Tensor2D
  const taps: tf.Tensor2D[] = []
  for (let ky = 0; ky < k; ky++) {
    for (let kx = 0; kx < k; kx++) {
      const window = tf.stridedSlice(padded, [0, ky, kx, 0], [n, ky + (outH - 1) * stride + 1, kx + (outW - 1) * stride + 1, inC], [1, stride, stride, 1])
      taps.push(matMulExplicitT(tf.reshape(window, [n * outH * outW, inC]), dyFlat, true, false))
    }
  }
  return tf.reshape(tf.stack(taps), [k, k, inC, outC])
}
