import * as tf from "@tensorflow/tfjs-core"

/** Output size of core-tensor's conv2d: symmetric padding (size - 1) / 2, stride s. */
export const convOutputSize = (n: number, size: number, stride: number): number => Math.floor((n + 2 * ((size - 1) / 2) - size) / stride) + 1

interface Geometry {
  readonly b: number
  readonly h: number
  readonly w: number
  readonly c: number
  readonly size: number
  readonly stride: number
  readonly ho: number
  readonly wo: number
}

const geometry = (shape: readonly number[], size: number, stride: number): Geometry => {
  const [b, h, w, c] = shape as [number, number, number, number]
  return { b, h, w, c, size, stride, ho: convOutputSize(h, size, stride), wo: convOutputSize(w, size, stride) }
}

/**
 * Calls `copy(src, dst, length)` for every run of input values a patch row takes: for each
 * (example, output position, kernel row), the taps of the kernel row that fall inside the image
 * are consecutive pixels, so each run is contiguous on both sides.
 */
const forEachRun = (g: Geometry, copy: (src: number, dst: number, length: number) => void): void => {
  const { b, h, w, c, size, stride, ho, wo } = g
  const pad = (size - 1) / 2
  const patchLength = size * size * c
  for (let i = 0; i < b; i++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const row = ((i * ho + oh) * wo + ow) * patchLength
        const iw0 = ow * stride - pad
        const kwLo = Math.max(0, -iw0)
        const kwHi = Math.min(size, w - iw0)
        if (kwHi <= kwLo) continue
        for (let kh = 0; kh < size; kh++) {
          const ih = oh * stride + kh - pad
          if (ih < 0 || ih >= h) continue
          copy(((i * h + ih) * w + iw0 + kwLo) * c, row + (kh * size + kwLo) * c, (kwHi - kwLo) * c)
        }
      }
    }
  }
}

/** Patches from NHWC values on the host (zeros where the window hangs over the padding). */
export const im2colHost = (x: Float32Array, g: Geometry): Float32Array => {
  const out = new Float32Array(g.b * g.ho * g.wo * g.size * g.size * g.c)
  forEachRun(g, (src, dst, length) => {
    for (let j = 0; j < length; j++) out[dst + j] = x[src + j]!
  })
  return out
}

/** The adjoint of `im2colHost`: patch gradients summed back onto the input pixels. */
export const col2imHost = (dy: Float32Array, g: Geometry): Float32Array => {
  const out = new Float32Array(g.b * g.h * g.w * g.c)
  forEachRun(g, (src, dst, length) => {
    for (let j = 0; j < length; j++) out[src + j]! += dy[dst + j]!
  })
  return out
}

/**
 * The patches a convolution sees, [b, Ho * Wo, size * size * c], for core-tensor's conv2d
 * (symmetric zero padding (size - 1) / 2, stride s). Patch entries are ordered (kh, kw, c), the
 * row-major order of an HWIO kernel reshaped to [size * size * c, out], so that
 * `conv2d(x, K) = patches @ reshape(K)` for every example. Computed with typed-array loops on
 * the host (tfjs's strided slices and concats run element by element and were 100x slower),
 * with its exact gradient (col2im) so the 1-SAM forward can run it on the gradient path.
 * Returns a new tensor.
 */
export const im2col = (x: tf.Tensor4D, size: number, stride: number): tf.Tensor3D => {
  const g = geometry(x.shape, size, stride)
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.tensor3d(im2colHost((args[0] as tf.Tensor).dataSync() as Float32Array, g), [g.b, g.ho * g.wo, size * size * g.c]),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.tensor4d(col2imHost((dy as tf.Tensor).dataSync() as Float32Array, g), [g.b, g.h, g.w, g.c])
  }))
  return op(x) as tf.Tensor3D
}
