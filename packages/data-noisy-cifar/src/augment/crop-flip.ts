import type { Rng } from "@samlab/core-tensor"
import { CHANNELS, IMAGE_SIZE } from "../dataset.js"

export interface CropFlipOptions {
  /** Zero padding on each side before the random 32x32 crop (default 4; 0 disables cropping). */
  readonly padding?: number
  /** Random horizontal flip with probability 1/2 (default true). */
  readonly flip?: boolean
}

/** One image's draw: crop origin (dy, dx) in the padded image, in 0..2*padding, and whether to mirror. */
export interface CropFlipDraw {
  readonly dy: number
  readonly dx: number
  readonly flip: boolean
}

/** Draws in a fixed order (dy, dx, then flip), so a seed fixes every image's draw. */
export const drawCropFlip = (rng: Rng, options: CropFlipOptions = {}): CropFlipDraw => {
  const padding = options.padding ?? 4
  const dy = padding > 0 ? rng.int(2 * padding + 1) : 0
  const dx = padding > 0 ? rng.int(2 * padding + 1) : 0
  const flip = (options.flip ?? true) ? rng.int(2) === 1 : false
  return { dy, dx, flip }
}

/**
 * torchvision's RandomCrop(32, padding) then RandomHorizontalFlip on one HWC uint8 image:
 * out[y][x] = padded[y + dy][(flip ? 31 - x : x) + dx], where padded is the image with
 * `padding` zero pixels on every side (zero before normalisation, i.e. black).
 */
export const cropFlipInto = (src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number, draw: CropFlipDraw, padding = 4): void => {
  const S = IMAGE_SIZE
  for (let y = 0; y < S; y++) {
    const sy = y + draw.dy - padding
    const rowOut = dstOffset + y * S * CHANNELS
    if (sy < 0 || sy >= S) {
      dst.fill(0, rowOut, rowOut + S * CHANNELS)
      continue
    }
    const rowIn = srcOffset + sy * S * CHANNELS
    for (let x = 0; x < S; x++) {
      const sx = (draw.flip ? S - 1 - x : x) + draw.dx - padding
      const o = rowOut + x * CHANNELS
      if (sx < 0 || sx >= S) {
        dst[o] = 0
        dst[o + 1] = 0
        dst[o + 2] = 0
      } else {
        const i = rowIn + sx * CHANNELS
        dst[o] = src[i]!
        dst[o + 1] = src[i + 1]!
        dst[o + 2] = src[i + 2]!
      }
    }
  }
}
