import { CHANNELS, IMAGE_BYTES } from "../dataset.js"
import { InvalidOptionError } from "../errors.js"

/** Per-channel mean and standard deviation of pixel values scaled to [0, 1] (R, G, B). */
export interface ChannelStats {
  readonly mean: readonly [number, number, number]
  readonly std: readonly [number, number, number]
}

/** The commonly quoted CIFAR-10 training-set statistics (on the original files). */
export const CIFAR10_STATS: ChannelStats = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] }

/**
 * Mean and population standard deviation of each channel over the given images (all of them,
 * or those at `indices`), exactly, from per-channel histograms of byte values.
 */
export const channelStats = (images: Uint8Array, indices?: ArrayLike<number>): ChannelStats => {
  const imageBytes = IMAGE_BYTES
  const hist = new Float64Array(256 * CHANNELS)
  const count = (offset: number) => {
    for (let p = offset; p < offset + imageBytes; p += 3) {
      hist[images[p]!]!++
      hist[256 + images[p + 1]!]!++
      hist[512 + images[p + 2]!]!++
    }
  }
  if (indices) for (let k = 0; k < indices.length; k++) count(indices[k]! * imageBytes)
  else for (let off = 0; off + imageBytes <= images.length; off += imageBytes) count(off)
  const mean: number[] = []
  const std: number[] = []
  for (let c = 0; c < CHANNELS; c++) {
    let n = 0
    let s = 0
    for (let v = 0; v < 256; v++) {
      n += hist[c * 256 + v]!
      s += hist[c * 256 + v]! * (v / 255)
    }
    if (n === 0) throw new InvalidOptionError("images", 0, "no pixels to compute statistics from")
    const m = s / n
    let ss = 0
    for (let v = 0; v < 256; v++) ss += hist[c * 256 + v]! * (v / 255 - m) ** 2
    mean.push(m)
    std.push(Math.sqrt(ss / n))
  }
  return { mean: [mean[0]!, mean[1]!, mean[2]!], std: [std[0]!, std[1]!, std[2]!] }
}

/** table[c * 256 + v] = (v / 255 - mean[c]) / std[c], computed in double precision, stored as float32. */
export const normalizationTable = (stats: ChannelStats): Float32Array => {
  const table = new Float32Array(256 * CHANNELS)
  for (let c = 0; c < CHANNELS; c++) {
    const s = stats.std[c]!
    if (!(s > 0) || !Number.isFinite(s) || !Number.isFinite(stats.mean[c]!))
      throw new InvalidOptionError(`std[${c}]`, s, "channel statistics must be finite with a positive std")
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - stats.mean[c]!) / s
  }
  return table
}

/** Normalises `pixels` HWC pixels from `src` (uint8) into `dst` (float32) through a `normalizationTable`. */
export const normalizeInto = (src: Uint8Array, srcOffset: number, dst: Float32Array, dstOffset: number, pixels: number, table: Float32Array): void => {
  for (let p = 0; p < pixels; p++) {
    const i = srcOffset + 3 * p
    const o = dstOffset + 3 * p
    dst[o] = table[src[i]!]!
    dst[o + 1] = table[256 + src[i + 1]!]!
    dst[o + 2] = table[512 + src[i + 2]!]!
  }
}
