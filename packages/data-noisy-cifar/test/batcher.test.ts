import { expectNoLeak } from "@samlab/core-tensor"
import { describe, expect, it } from "vitest"
import { Batcher, InvalidOptionError, type ChannelStats } from "../src/index.js"

const N = 10
/** Image i is constant per channel: R = 10i, G = 10i + 1, B = 10i + 2 (so a row of x names its image). */
const images = new Uint8Array(N * 3072)
for (let i = 0; i < N; i++) for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) images[i * 3072 + p * 3 + c] = 10 * i + c
const labels = Uint8Array.from({ length: N }, (_, i) => (i * 3) % 10)
const stats: ChannelStats = { mean: [0.5, 0.25, 0.125], std: [0.5, 0.25, 0.2] }
const normalised = (v: number, c: number) => (v / 255 - stats.mean[c]!) / stats.std[c]!

describe("batcher", () => {
  it("visits every example once per epoch, with the last partial batch, and normalised pixels", async () => {
    const batcher = new Batcher({ images, labels, batchSize: 4, normalization: stats, seed: 1 })
    expect(batcher.batchesPerEpoch).toBe(3)
    const seen: number[] = []
    await expectNoLeak("one epoch", () =>
      batcher.forEachBatch(0, (batch, step) => {
        const b = batch.index.length
        expect(b).toBe(step < 2 ? 4 : 2)
        expect(batch.x.shape).toEqual([b, 32, 32, 3])
        expect(batch.x.dtype).toBe("float32")
        expect(batch.y.dtype).toBe("int32")
        expect(Array.from(batch.y.dataSync())).toEqual(Array.from(batch.index, (i) => labels[i]))
        const x = batch.x.dataSync()
        batch.index.forEach((i, k) => {
          for (const p of [0, 517, 1023]) for (let c = 0; c < 3; c++) expect(x[(k * 1024 + p) * 3 + c]).toBeCloseTo(normalised(10 * i + c, c), 5)
        })
        seen.push(...batch.index)
      })
    )
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it("drops the last partial batch on request", () => {
    const batcher = new Batcher({ images, labels, batchSize: 4, normalization: stats, seed: 1, dropLast: true })
    expect(batcher.batchesPerEpoch).toBe(2)
    const sizes: number[] = []
    for (const batch of batcher.batches(0)) {
      sizes.push(batch.index.length)
      batch.dispose()
    }
    expect(sizes).toEqual([4, 4])
  })

  it("shuffles per epoch, reproducibly from the seed; keeps order without shuffling", () => {
    const a = new Batcher({ images, labels, batchSize: 4, normalization: stats, seed: 7 })
    const b = new Batcher({ images, labels, batchSize: 4, normalization: stats, seed: 7 })
    expect(Array.from(a.order(3))).toEqual(Array.from(b.order(3)))
    expect(Array.from(a.order(3))).not.toEqual(Array.from(a.order(4)))
    expect([...a.order(3)].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    const plain = new Batcher({ images, labels, batchSize: 4, normalization: stats, seed: 7, shuffle: false })
    expect(Array.from(plain.order(0))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it("uses only the given indices and reports dataset indices", () => {
    const batcher = new Batcher({ images, labels, indices: [8, 2, 5], batchSize: 8, normalization: stats, seed: 2, shuffle: false })
    const [batch] = [...batcher.batches(0)]
    expect(Array.from(batch!.index)).toEqual([8, 2, 5])
    expect(Array.from(batch!.y.dataSync())).toEqual([labels[8], labels[2], labels[5]])
    batch!.dispose()
  })

  it("augments: each image is a crop/flip of its source, and the same seed gives the same batch", async () => {
    // A gradient image: a crop/flip is identified by where its pixels came from.
    const grad = new Uint8Array(2 * 3072)
    for (let i = 0; i < 2; i++)
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) grad[i * 3072 + (y * 32 + x) * 3 + c] = 1 + y * 7 + x + c + 3 * i
    const ident: ChannelStats = { mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] } // x = raw byte value
    const make = () => new Batcher({ images: grad, labels: [0, 1], batchSize: 2, normalization: ident, seed: 3, augment: true, shuffle: false })
    await expectNoLeak("augmented batches", async () => {
      const first = [...make().batches(5)][0]!
      const again = [...make().batches(5)][0]!
      const x = Array.from(first.x.dataSync())
      expect(Array.from(again.x.dataSync())).toEqual(x)
      // Exactly one crop (dy, dx in 0..8) and flip reproduces each image.
      for (let k = 0; k < 2; k++) {
        const img = x.slice(k * 3072, (k + 1) * 3072).map(Math.round)
        let matches = 0
        for (let dy = 0; dy <= 8; dy++)
          for (let dx = 0; dx <= 8; dx++) for (const flip of [false, true]) if (img.every((v, o) => v === expectedAt(grad, k, dy, dx, flip, o))) matches++
        expect(matches).toBe(1)
      }
      first.dispose()
      again.dispose()
    })
  })

  it("leaks nothing when the caller stops early or the callback throws", async () => {
    const batcher = new Batcher({ images, labels, batchSize: 3, normalization: stats, seed: 1 })
    await expectNoLeak("break early", () => {
      for (const batch of batcher.batches(0)) {
        batch.dispose()
        break
      }
    })
    await expectNoLeak("throwing callback", async () => {
      await expect(
        batcher.forEachBatch(1, (_batch, step) => {
          if (step === 1) throw new Error("boom")
        })
      ).rejects.toThrow("boom")
    })
  })

  it("rejects bad options", () => {
    expect(() => new Batcher({ images, labels, batchSize: 0, normalization: stats, seed: 1 })).toThrow(InvalidOptionError)
    expect(() => new Batcher({ images, labels: [1, 2], batchSize: 2, normalization: stats, seed: 1 })).toThrow(/labels/)
    expect(() => new Batcher({ images, labels, indices: [10], batchSize: 2, normalization: stats, seed: 1 })).toThrow(/indices\[0\]/)
  })
})

/** Value at flat offset o of image k after the crop (dy, dx) of its 4-padded version and an optional mirror. */
function expectedAt(src: Uint8Array, k: number, dy: number, dx: number, flip: boolean, o: number): number {
  const c = o % 3
  const x = Math.floor(o / 3) % 32
  const y = Math.floor(o / 96)
  const sy = y + dy - 4
  const sx = (flip ? 31 - x : x) + dx - 4
  return sy < 0 || sy > 31 || sx < 0 || sx > 31 ? 0 : src[k * 3072 + (sy * 32 + sx) * 3 + c]!
}
