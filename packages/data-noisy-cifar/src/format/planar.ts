import { PIXELS } from "../dataset.js"

/**
 * Copies one planar image (1024 R, then 1024 G, then 1024 B bytes, each plane row-major) from
 * `src` at `srcOffset` into interleaved HWC order in `dst` at `dstOffset`.
 */
export const planarToInterleaved = (src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number): void => {
  const g = srcOffset + PIXELS
  const b = g + PIXELS
  let o = dstOffset
  for (let p = 0; p < PIXELS; p++) {
    dst[o] = src[srcOffset + p]!
    dst[o + 1] = src[g + p]!
    dst[o + 2] = src[b + p]!
    o += 3
  }
}

/** The inverse: one HWC image back to the planar CHW layout of the CIFAR files (used to write files). */
export const interleavedToPlanar = (src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number): void => {
  for (let p = 0; p < PIXELS; p++) {
    dst[dstOffset + p] = src[srcOffset + 3 * p]!
    dst[dstOffset + PIXELS + p] = src[srcOffset + 3 * p + 1]!
    dst[dstOffset + 2 * PIXELS + p] = src[srcOffset + 3 * p + 2]!
  }
}
