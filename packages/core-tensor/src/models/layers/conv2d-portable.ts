import * as tf from "@tensorflow/tfjs-core"
import { padSpatial } from "./padding.js"

/** Which gradients `conv2dPortableGrad` builds, named by its filter gradient (see there). */
export type FilterGradientMethod = "swapped-conv" | "im2col"

/**
 * A conv with the value of `tf.conv2d` (NHWC, symmetric zero padding `pad`) and a gradient
 * built from ops every backend has, for backends whose conv gradient kernels are missing (wasm)
 * or slow (webgpu):
 * - "swapped-conv" (wasm): the input gradient at stride 1 is the convolution of dy with the
 *   flipped, in/out-swapped filter (a forward conv, wasm's fast path), at other strides the
 *   transposed convolution; the filter gradient a forward conv of the input (batch and channels
 *   swapped) by dy;
 * - "im2col" (webgpu): the input gradient is the transposed convolution (the backend's own
 *   Conv2DBackpropInput: on an H200 about ten times faster than the flipped forward conv); the
 *   filter gradient an im2col product whose rows are split into chunks.
 */
export const conv2dPortableGrad = (
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: number,
  pad: number,
  method: FilterGradientMethod = "swapped-conv"
): tf.Tensor4D =>
  tf.customGrad<tf.Tensor4D>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, fi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc]
    save([xi, fi])
    return {
      value: tf.conv2d(xi, fi, stride, pad, "NHWC"),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D]
        if (method === "im2col") return [tf.conv2dTranspose(dy, fs, xs.shape, stride, pad), filterGradientIm2col(xs, dy, fs.shape, stride, pad)]
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

/**
 * The same dW as an im2col product: patches P [rows, k*k*in] (rows = n*oh*ow; column block
 * ky*k + kx holds what that tap read) times dy [rows, out]. The rows are split into chunks that
 * run as one batched product and are then summed over the chunk axis, so a GPU gets many
 * workgroups even where the filter, the product's whole output, is small (webgpu's own
 * Conv2DBackpropFilter runs one thread per filter element over all rows: 0.4 TFLOP/s on an
 * H200). No atomics, so the sum's order and the result are fixed.
 */
const filterGradientIm2col = (x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], stride: number, pad: number): tf.Tensor4D => {
  const [k, , inC, outC] = filterShape as [number, number, number, number]
  const [n, oh, ow] = dy.shape
  const padded = padSpatial(x, pad)
  const taps: tf.Tensor4D[] = []
  for (let ky = 0; ky < k; ky++)
    for (let kx = 0; kx < k; kx++)
      taps.push(
        tf.stridedSlice(padded, [0, ky, kx, 0], [n, ky + (oh - 1) * stride + 1, kx + (ow - 1) * stride + 1, inC], [1, stride, stride, 1]) as tf.Tensor4D
      )
  const patches = taps.length === 1 ? taps[0]! : tf.concat4d(taps, 3)
  const rows = n * oh * ow
  const chunks = rowChunks(rows, k * k * inC, outC)
  const partial = tf.matMul(
    tf.reshape<tf.Rank.R3>(patches, [chunks, rows / chunks, k * k * inC]),
    tf.reshape<tf.Rank.R3>(dy, [chunks, rows / chunks, outC]),
    true
  )
  return tf.reshape(chunks > 1 ? tf.sum(partial, 0) : partial, [k, k, inC, outC])
}

/**
 * Chunks of the product's rows: doubled while the batched product has fewer than about 2048
 * 32x32 output tiles (enough to fill a large GPU), each chunk keeps at least 256 rows, and the
 * count divides the rows.
 */
export const rowChunks = (rows: number, m: number, n: number): number => {
  const tiles = Math.ceil(m / 32) * Math.ceil(n / 32)
  let chunks = 1
  while (chunks * tiles < 2048 && rows % (2 * chunks) === 0 && rows / (2 * chunks) >= 256) chunks *= 2
  return chunks
}
