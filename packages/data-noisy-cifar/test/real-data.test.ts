import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import { CIFAR10_STATS, type DatasetSplits, channelStats, classCounts, dataSummary, readDatasetDir } from "../src/index.js"

/** The real CIFAR-10 copy beside the repository: <repo>/../shared/datasets/cifar-10-batches-bin. */
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
const realDir = resolve(repoRoot, "../shared/datasets/cifar-10-batches-bin")

describe.skipIf(!existsSync(join(realDir, "SHA256SUMS")))("real CIFAR-10 (shared/datasets)", () => {
  let data: DatasetSplits
  beforeAll(() => {
    data = readDatasetDir("cifar10", realDir, { expectedRecords: "official" })
  })

  it("files match their SHA256SUMS", () => {
    const lines = readFileSync(join(realDir, "SHA256SUMS"), "utf8").trim().split("\n")
    const sums = Object.fromEntries(lines.map((l) => l.trim().split(/\s+/)).map(([hash, name]) => [name!.replace(/^\*/, ""), hash!]))
    for (const f of ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"]) {
      expect(sums[f], f).toBeDefined()
      expect(
        createHash("sha256")
          .update(readFileSync(join(realDir, f)))
          .digest("hex"),
        f
      ).toBe(sums[f])
    }
  })

  it("has 50,000 / 10,000 images, 5,000 / 1,000 per class", () => {
    expect(data.train.n).toBe(50_000)
    expect(data.test.n).toBe(10_000)
    expect(data.train.images.length).toBe(50_000 * 3072)
    expect(classCounts(data.train.labels, 10)).toEqual(new Array(10).fill(5000))
    expect(classCounts(data.test.labels, 10)).toEqual(new Array(10).fill(1000))
  })

  it("decodes records as the raw bytes say (label byte, then R, G, B planes)", () => {
    const raw3 = readFileSync(join(realDir, "data_batch_3.bin"))
    for (const r of [0, 4321, 9999]) {
      const i = 20_000 + r
      const base = r * 3073
      expect(data.train.labels[i]).toBe(raw3[base])
      for (const [y, x] of [
        [0, 0],
        [13, 27],
        [31, 31]
      ] as const) {
        for (let c = 0; c < 3; c++) expect(data.train.images[((i * 32 + y) * 32 + x) * 3 + c]).toBe(raw3[base + 1 + c * 1024 + y * 32 + x])
      }
    }
  })

  it("channel statistics are close to the published CIFAR-10 ones (this copy is JPEG-rebuilt)", () => {
    const s = channelStats(data.train.images)
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(s.mean[c]! - CIFAR10_STATS.mean[c]!)).toBeLessThan(0.001)
      expect(Math.abs(s.std[c]! - CIFAR10_STATS.std[c]!)).toBeLessThan(0.003)
    }
  })

  it("dataSummary with 30% symmetric noise: exactly 15,000 flips, 1,500 per class", async () => {
    const s = await dataSummary({ dataset: "cifar10", dir: realDir, noise: "symmetric", rate: 0.3, seed: 0 })
    expect(s.train.n).toBe(50_000)
    expect(s.train.noisy).toBe(15_000)
    expect(s.train.noiseRate).toBe(0.3)
    s.train.transition.forEach((row, c) => expect(row[c]).toBeCloseTo(0.7, 12))
    expect(s.train.perClass.reduce((a, b) => a + b, 0)).toBe(50_000)
    expect(s.test).toEqual({ n: 10_000, perClass: new Array(10).fill(1000) })
  })
})
