import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { CIFAR100_FINE_TO_COARSE, CifarFileSizeError, InvalidOptionError, dataSummary } from "../src/index.js"
import { cifar100Record, cifar10Record, concat, roundRobinLabels, tempDir, writeCifar10Folder } from "./helpers/files.js"

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir("summary"))
  // 5 files of 40 = 200 training examples, 20 per class; 30 test examples, 3 per class.
  writeCifar10Folder(dir, new Array(5).fill(roundRobinLabels(10, 4)), roundRobinLabels(10, 3))
})
afterEach(() => cleanup())

describe("dataSummary", () => {
  it("has exactly the CLI's fields, with symmetric noise at its exact count", async () => {
    const s = await dataSummary({ dataset: "cifar10", dir, noise: "symmetric", rate: 0.2, seed: 0, expectedRecords: "any" })
    expect(Object.keys(s)).toEqual(["train", "test"])
    expect(Object.keys(s.train)).toEqual(["n", "perClass", "noisy", "noiseRate", "transition"])
    expect(Object.keys(s.test)).toEqual(["n", "perClass"])
    expect(s.train.n).toBe(200)
    expect(s.train.noisy).toBe(40) // round(0.2 * 200), 4 per class
    expect(s.train.noiseRate).toBe(0.2)
    expect(s.train.perClass.reduce((a, b) => a + b, 0)).toBe(200)
    expect(s.train.transition).toHaveLength(10)
    s.train.transition.forEach((row, c) => {
      expect(row).toHaveLength(10)
      expect(row[c]).toBeCloseTo(16 / 20, 12)
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    })
    // perClass counts noisy labels: column sums of the transition counts (20 clean examples per row).
    const columnTotals = s.train.perClass.map((_, j) => s.train.transition.reduce((acc, row) => acc + Math.round(row[j]! * 20), 0))
    expect(s.train.perClass).toEqual(columnTotals)
    expect(s.train.perClass).not.toEqual(new Array(10).fill(20)) // with this seed flips do not balance: these are not the clean counts
    expect(s.test).toEqual({ n: 30, perClass: new Array(10).fill(3) })
    expect(JSON.parse(JSON.stringify(s))).toEqual(s)
  })

  it("is reproducible from the seed", async () => {
    const a = await dataSummary({ dataset: "cifar10", dir, noise: "symmetric", rate: 0.3, seed: 4, expectedRecords: "any" })
    const b = await dataSummary({ dataset: "cifar10", dir, noise: "symmetric", rate: 0.3, seed: 4, expectedRecords: "any" })
    expect(a).toEqual(b)
  })

  it("no noise: identity transition and the clean class counts", async () => {
    const s = await dataSummary({ dataset: "cifar10", dir, noise: "none", rate: 0.5, seed: 1, expectedRecords: "any" })
    expect(s.train.noisy).toBe(0)
    expect(s.train.noiseRate).toBe(0)
    expect(s.train.perClass).toEqual(new Array(10).fill(20))
    expect(s.train.transition).toEqual(Array.from({ length: 10 }, (_, c) => Array.from({ length: 10 }, (_, j) => (j === c ? 1 : 0))))
  })

  it("asymmetric noise moves only the five source classes", async () => {
    const s = await dataSummary({ dataset: "cifar10", dir, noise: "asymmetric", rate: 0.5, seed: 1, expectedRecords: "any" })
    expect(s.train.noisy).toBe(50) // 10 of 20 in each of truck, bird, deer, cat, dog
    // automobile (1) gets 10 trucks, airplane (0) 10 birds, horse (7) 10 deer; cat and dog swap 10 each; the sources lose 10.
    expect(s.train.perClass).toEqual([30, 30, 10, 20, 10, 20, 20, 30, 20, 10])
  })

  it("CIFAR-100 asymmetric noise is a permutation of classes: each loses and gains the same number", async () => {
    const { dir: d100, cleanup: c100 } = tempDir("summary100")
    try {
      // Two examples of every fine class; the coarse byte is the class's superclass.
      const fine = roundRobinLabels(100, 2)
      writeFileSync(join(d100, "train.bin"), concat(fine.map((f, i) => cifar100Record(CIFAR100_FINE_TO_COARSE[f]!, f, i))))
      writeFileSync(join(d100, "test.bin"), concat([cifar100Record(CIFAR100_FINE_TO_COARSE[7]!, 7, 0)]))
      const s = await dataSummary({ dataset: "cifar100", dir: d100, noise: "asymmetric", rate: 0.5, seed: 2, expectedRecords: "any" })
      expect(s.train.noisy).toBe(100)
      expect(s.train.noiseRate).toBe(0.5)
      expect(s.train.perClass).toEqual(new Array(100).fill(2))
      expect(s.train.transition[4]![30]).toBe(0.5) // beaver -> dolphin
      expect(s.test.perClass[7]).toBe(1)
    } finally {
      c100()
    }
  })

  it("throws the typed error naming a bad file, and rejects bad options before loading", async () => {
    writeFileSync(join(dir, "data_batch_3.bin"), concat([cifar10Record(1, 0)]).subarray(0, 3000))
    const err = await dataSummary({ dataset: "cifar10", dir, noise: "symmetric", rate: 0.2, seed: 0, expectedRecords: "any" }).catch((e) => e)
    expect(err).toBeInstanceOf(CifarFileSizeError)
    expect(err.message).toContain(join(dir, "data_batch_3.bin"))
    await expect(dataSummary({ dataset: "cifar10", dir, noise: "symmetric", rate: 2, seed: 0, expectedRecords: "any" })).rejects.toThrow(InvalidOptionError)
    await expect(dataSummary({ dataset: "cifar10", dir, noise: "pairflip" as never, rate: 0.2, seed: 0, expectedRecords: "any" })).rejects.toThrow(/noise/)
    await expect(dataSummary({ dataset: "mnist" as never, dir, noise: "none", rate: 0, seed: 0, expectedRecords: "any" })).rejects.toThrow(/dataset/)
  })
})
