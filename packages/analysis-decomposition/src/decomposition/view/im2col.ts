import * as tf from "@tensorflow/tfjs-core"

/** Output size of core-tensor's conv2d: symmetric padding (size - 1) / 2, stride s. */
export const convOutputSize = (n: number, size: number, stride: number): number => Math.floor((n + 2 * ((size - 1) / 2) - size) / stride) + 1

/**
 * The patches a convolution sees, [b, Ho * Wo, size * size * c], for core-tensor's conv2d
 * (symmetric zero padding (size - 1) / 2, stride s). Patch entries are ordered (kh, kw, c), the
 * row-major order of an HWIO kernel reshaped to [size * size * c, out], so that
 * `conv2d(x, K) = patches @ reshape(K)` for every example. Built from size^2 slices of the
 * padded input (strides by reshaping, not stridedSlice, so that it is differentiable: the
 * 1-SAM forward runs it on the gradient path). A new tensor; call inside tf.tidy.
 */
export const im2col = (x: tf.Tensor4D, size: number, stride: number): tf.Tensor3D => {
  const [b, h, w, c] = x.shape
  const pad = (size - 1) / 2
  const ho = convOutputSize(h, size, stride)
  const wo = convOutputSize(w, size, stride)
  // Extra zeros at the bottom/right so that every offset has stride * (Ho or Wo) rows/columns to reshape.
  const extraH = Math.max(0, size - 1 + stride * ho - (h + 2 * pad))
  const extraW = Math.max(0, size - 1 + stride * wo - (w + 2 * pad))
  const padded = pad > 0 || extraH > 0 || extraW > 0 ? tf.pad(x, [[0, 0], [pad, pad + extraH], [pad, pad + extraW], [0, 0]]) : x
  const slices: tf.Tensor4D[] = []
  for (let kh = 0; kh < size; kh++) {
    for (let kw = 0; kw < size; kw++) {
      const window = tf.slice(padded, [0, kh, kw, 0], [b, stride * ho, stride * wo, c])
      slices.push(stride === 1 ? window : tf.reshape(tf.slice(tf.reshape(window, [b, ho, stride, wo, stride, c]), [0, 0, 0, 0, 0, 0], [b, ho, 1, wo, 1, c]), [b, ho, wo, c]))
    }
  }
  const patches = slices.length === 1 ? slices[0]! : tf.concat(slices, 3)
  return tf.reshape(patches, [b, ho * wo, size * size * c])
}
