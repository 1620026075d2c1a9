import * as tf from "@tensorflow/tfjs-core"

/**
 * Some backends (tfjs-backend-wasm 4.22) have no `Conv2DBackpropFilter` kernel, so a conv's
 * filter gradient fails there. This conv has the same value and a gradient built from ops
 * every backend has: the input gradient is the transposed convolution, and the filter
 * gradient is, for each of the k * k kernel offsets, the strided window of the padded input
 * times the output gradient (one [in, out] matmul each).
 */
export const conv2dPortableGrad = (x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D => {
  const op = tf.customGrad<tf.Tensor4D>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, fi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc]
    save([xi, fi])
    return {
      value: tf.conv2d(xi, fi, stride, pad, "NHWC"),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D]
        const dx = tf.conv2dTranspose(dy, fs, xs.shape, stride, pad)
        return [dx, filterGradient(xs, dy, fs.shape, stride, pad)]
      }
    }
  })
  return op(x, filter)
}

const filterGradient = (x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], stride: number, pad: number): tf.Tensor4D => {
  const [k, , inC, outC] = filterShape as [number, number, number, number]
  const [n, outH, outW] = dy.shape
  const padded = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x
  const dyFlat = tf.reshape(dy, [n * outH * outW, outC])
  const taps: tf.Tensor2D[] = []
  for (let ky = 0; ky < k; ky++) {
    for (let kx = 0; kx < k; kx++) {
      const window = tf.stridedSlice(padded, [0, ky, kx, 0], [n, ky + (outH - 1) * stride + 1, kx + (outW - 1) * stride + 1, inC], [1, stride, stride, 1])
      taps.push(tf.matMul(tf.reshape(window, [n * outH * outW, inC]), dyFlat, true, false))
    }
  }
  return tf.reshape(tf.stack(taps), [k, k, inC, outC])
}

/** Whether the active backend can differentiate a conv's filter natively. */
export const hasNativeConvFilterGradient = (): boolean => tf.getKernel("Conv2DBackpropFilter", tf.getBackend()) !== undefined
