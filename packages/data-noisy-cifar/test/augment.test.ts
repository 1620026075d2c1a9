import { Rng } from "@samlab/core-tensor"
import { describe, expect, it } from "vitest"
import { CIFAR10_STATS, InvalidOptionError, channelStats, cropFlipInto, drawCropFlip } from "../src/index.js"
import { normalizationTable, normalizeInto } from "../src/augment/normalize.js"

/** A known image: byte (7y + 3x + 100c) mod 256, so rows, columns and channels are told apart. */
const known = (): Uint8Array => {
  const img = new Uint8Array(3072)
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) img[(y * 32 + x) * 3 + c] = (y * 7 + x * 3 + c * 100) % 256
  return img
}
const px = (img: Uint8Array, y: number, x: number, c: number) => img[(y * 32 + x) * 3 + c]!

/** Reference: build the 40x40 zero-padded image, cut the 32x32 window at (dy, dx), then mirror its columns. */
const reference = (img: Uint8Array, dy: number, dx: number, flip: boolean): Uint8Array => {
  const padded: number[][][] = Array.from({ length: 40 }, () => Array.from({ length: 40 }, () => [0, 0, 0]))
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) padded[y + 4]![x + 4] = [0, 1, 2].map((c) => px(img, y, x, c))
  const window = padded.slice(dy, dy + 32).map((row) => row.slice(dx, dx + 32))
  const out = flip ? window.map((row) => [...row].reverse()) : window
  return Uint8Array.from(out.flat(2))
}

describe("random crop with zero padding and horizontal flip", () => {
  const img = known()
  const apply = (dy: number, dx: number, flip: boolean) => {
    const out = new Uint8Array(3072).fill(99)
    cropFlipInto(img, 0, out, 0, { dy, dx, flip }, 4)
    return out
  }

  it("hand-checked pixels of known crops", () => {
    // Window at the padded origin: shifted 4 down and right, zeros in the top rows and left columns.
    const topLeft = apply(0, 0, false)
    expect(px(topLeft, 0, 0, 0)).toBe(0)
    expect(px(topLeft, 3, 31, 2)).toBe(0)
    expect(px(topLeft, 4, 4, 1)).toBe(px(img, 0, 0, 1))
    expect(px(topLeft, 31, 31, 2)).toBe(px(img, 27, 27, 2))
    // Centre window: the image itself; mirrored: column x comes from 31 - x.
    expect(apply(4, 4, false)).toEqual(img)
    const mirrored = apply(4, 4, true)
    expect(px(mirrored, 10, 0, 0)).toBe(px(img, 10, 31, 0))
    expect(px(mirrored, 10, 31, 2)).toBe(px(img, 10, 0, 2))
    // Bottom-right window, mirrored: row y from y + 4, column x from (31 - x) + 4.
    const corner = apply(8, 8, true)
    expect(px(corner, 0, 31, 0)).toBe(px(img, 4, 4, 0))
    expect(px(corner, 0, 4, 1)).toBe(px(img, 4, 31, 1))
    expect(px(corner, 0, 3, 1)).toBe(0)
    expect(px(corner, 28, 10, 2)).toBe(0)
  })

  it("matches a pad-then-slice-then-reverse reference for every crop and flip", () => {
    const mismatches: string[] = []
    for (let dy = 0; dy <= 8; dy++) {
      for (let dx = 0; dx <= 8; dx++) {
        for (const flip of [false, true]) if (!Buffer.from(apply(dy, dx, flip)).equals(reference(img, dy, dx, flip))) mismatches.push(`${dy},${dx},${flip}`)
      }
    }
    expect(mismatches).toEqual([])
  })

  it("draws all 9 x 9 offsets and flips half the time, reproducibly", () => {
    const rng = new Rng(5)
    const seen = new Set<string>()
    let flips = 0
    for (let k = 0; k < 4000; k++) {
      const d = drawCropFlip(rng)
      seen.add(`${d.dy},${d.dx}`)
      if (d.flip) flips++
    }
    expect(seen.size).toBe(81)
    expect(Math.abs(flips - 2000)).toBeLessThan(5 * Math.sqrt(1000))
    const a = new Rng(9)
    const b = new Rng(9)
    for (let k = 0; k < 20; k++) expect(drawCropFlip(a)).toEqual(drawCropFlip(b))
    expect(drawCropFlip(new Rng(1), { padding: 0, flip: false })).toEqual({ dy: 0, dx: 0, flip: false })
  })
})

describe("per-channel normalisation", () => {
  it("statistics: hand-computed means and population standard deviations", () => {
    // Two images: R is 0 in one and 255 in the other; G is 51 everywhere; B is 255 in one pixel of 2048.
    const images = new Uint8Array(2 * 3072)
    for (let p = 0; p < 1024; p++) {
      images[p * 3] = 0
      images[3072 + p * 3] = 255
      images[p * 3 + 1] = 51
      images[3072 + p * 3 + 1] = 51
    }
    images[3072 + 5 * 3 + 2] = 255
    const s = channelStats(images)
    expect(s.mean[0]).toBeCloseTo(0.5, 12)
    expect(s.std[0]).toBeCloseTo(0.5, 12)
    expect(s.mean[1]).toBeCloseTo(0.2, 12)
    expect(s.std[1]).toBeCloseTo(0, 12)
    const p = 1 / 2048
    expect(s.mean[2]).toBeCloseTo(p, 12)
    expect(s.std[2]).toBeCloseTo(Math.sqrt(p * (1 - p)), 12)
    // Only the second image.
    const second = channelStats(images, [1])
    expect(second.mean[0]).toBeCloseTo(1, 12)
    expect(second.std[0]).toBeCloseTo(0, 12)
  })

  it("maps bytes to (v / 255 - mean) / std per channel", () => {
    const table = normalizationTable(CIFAR10_STATS)
    const src = Uint8Array.from([0, 128, 255, 255, 0, 51])
    const dst = new Float32Array(6)
    normalizeInto(src, 0, dst, 0, 2, table)
    const expected = [
      (0 - 0.4914) / 0.247,
      (128 / 255 - 0.4822) / 0.2435,
      (1 - 0.4465) / 0.2616,
      (1 - 0.4914) / 0.247,
      (0 - 0.4822) / 0.2435,
      (0.2 - 0.4465) / 0.2616
    ]
    expected.forEach((v, i) => expect(dst[i]).toBeCloseTo(v, 6))
    expect(() => normalizationTable({ mean: [0, 0, 0], std: [1, 0, 1] })).toThrow(InvalidOptionError)
  })
})
