import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  CIFAR100_CLASSES,
  CIFAR100_FINE_TO_COARSE,
  CIFAR10_CLASSES,
  CifarFileMissingError,
  CifarFileSizeError,
  CifarLabelError,
  loadCifar10,
  readDatasetDir,
  readSplit
} from "../src/index.js"
import { planarConverter, planarToInterleaved } from "../src/format/planar.js"
import { cifar100Record, cifar10Record, concat, fixturePixel, tempDir, writeCifar10Folder } from "./helpers/files.js"

/** The fixtures hold a few records per file, not the official 10,000. */
const anyCount = { expectedRecords: "any" } as const

let dir: string
let cleanup: () => void
beforeEach(() => ({ dir, cleanup } = tempDir("readers")))
afterEach(() => cleanup())

/** NHWC offset of (image i, row y, column x, channel c), from the documented layout. */
const at = (i: number, y: number, x: number, c: number) => ((i * 32 + y) * 32 + x) * 3 + c

describe("CIFAR-10 reader", () => {
  it("puts a known planar R/G/B pattern at the right NHWC positions", () => {
    // R plane holds the row, G plane the column, B plane 200 + the record index.
    const record = (label: number, i: number) => {
      const rec = new Uint8Array(3073)
      rec[0] = label
      for (let p = 0; p < 1024; p++) {
        rec[1 + p] = Math.floor(p / 32)
        rec[1 + 1024 + p] = p % 32
        rec[1 + 2048 + p] = 200 + i
      }
      return rec
    }
    mkdirSync(dir, { recursive: true })
    for (let f = 1; f <= 5; f++) writeFileSync(join(dir, `data_batch_${f}.bin`), concat([record(f, 0), record(9 - f, 1)]))
    writeFileSync(join(dir, "test_batch.bin"), record(3, 0))
    const train = readSplit("cifar10", dir, "train", anyCount)
    expect(train.n).toBe(10)
    expect(train.images.length).toBe(10 * 32 * 32 * 3)
    for (let i = 0; i < 10; i++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          expect(train.images[at(i, y, x, 0)]).toBe(y)
          expect(train.images[at(i, y, x, 1)]).toBe(x)
          expect(train.images[at(i, y, x, 2)]).toBe(200 + (i % 2))
        }
      }
    }
    // Files in order data_batch_1..5, records in file order.
    expect(Array.from(train.labels)).toEqual([1, 8, 2, 7, 3, 6, 4, 5, 5, 4])
    expect(train.classNames).toEqual(CIFAR10_CLASSES)
    expect(train.numClasses).toBe(10)
    expect(train.coarseLabels).toBeUndefined()
  })

  it("reads both splits, accepting the folder's parent too", () => {
    writeCifar10Folder(join(dir, "cifar-10-batches-bin"), [[0, 1], [2], [3], [4], [5, 6, 7]], [9, 8])
    const { train, test } = readDatasetDir("cifar10", dir, anyCount)
    expect(train.n).toBe(8)
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(Array.from(test.labels)).toEqual([9, 8])
    // Every byte of every image, with a pattern that differs between neighbouring pixels in every channel.
    const mismatches: string[] = []
    for (const [split, n] of [
      [train, 8],
      [test, 2]
    ] as const) {
      for (let i = 0; i < n; i++) {
        for (let y = 0; y < 32; y++) {
          for (let x = 0; x < 32; x++) {
            for (let c = 0; c < 3; c++) if (split.images[at(i, y, x, c)] !== fixturePixel(i, c, y, x)) mismatches.push(`${split.split} ${i} ${y} ${x} ${c}`)
          }
        }
      }
    }
    expect(mismatches).toEqual([])
  })

  it("loads from the dir option and from CIFAR10_DIR", async () => {
    writeCifar10Folder(dir, [[1], [1], [1], [1], [1]], [2])
    expect((await loadCifar10({ dir, download: false, ...anyCount })).train.n).toBe(5)
    const saved = process.env["CIFAR10_DIR"]
    process.env["CIFAR10_DIR"] = dir
    try {
      expect((await loadCifar10({ download: false, ...anyCount })).test.n).toBe(1)
    } finally {
      if (saved === undefined) delete process.env["CIFAR10_DIR"]
      else process.env["CIFAR10_DIR"] = saved
    }
  })
})

describe("planar to NHWC conversion", () => {
  it("the word-at-a-time converter gives the same bytes as the byte-at-a-time one, at any source alignment", () => {
    const src = Uint8Array.from({ length: 3 * 3072 + 3 }, (_, k) => (k * 2654435761) >>> 24)
    for (const offset of [0, 1, 2, 3, 3072 + 1]) {
      const fast = new Uint8Array(2 * 3072)
      const slow = new Uint8Array(2 * 3072)
      planarConverter(fast)(src, offset, 1)
      planarToInterleaved(src, offset, slow, 3072)
      expect(Buffer.from(fast).equals(Buffer.from(slow))).toBe(true)
      expect(fast.subarray(0, 3072).every((v) => v === 0)).toBe(true)
    }
  })
})

describe("CIFAR-10 bad data", () => {
  const writeGood = () => writeCifar10Folder(dir, [[0, 1, 2], [0], [0], [0], [0]], [0])

  it("names the file and the incomplete record of a truncated file", () => {
    writeGood()
    const file = join(dir, "data_batch_1.bin")
    writeFileSync(file, concat([cifar10Record(0, 0), cifar10Record(1, 1), cifar10Record(2, 2)]).subarray(0, 3073 * 2 + 100))
    const err = catchError(() => readSplit("cifar10", dir, "train", anyCount))
    expect(err).toBeInstanceOf(CifarFileSizeError)
    expect(err).toMatchObject({ _tag: "CifarFileSizeError", file, record: 2, size: 3073 * 2 + 100 })
    expect(err.message).toContain(file)
    expect(err.message).toContain("record 2")
  })

  it("rejects an empty file", () => {
    writeGood()
    writeFileSync(join(dir, "test_batch.bin"), new Uint8Array(0))
    const err = catchError(() => readSplit("cifar10", dir, "test", anyCount))
    expect(err).toMatchObject({ _tag: "CifarFileSizeError", file: join(dir, "test_batch.bin"), record: 0 })
    expect(err.message).toContain("empty")
  })

  it("by default requires the official counts: rejects a file cut at a record boundary unless any count is asked for", () => {
    writeGood()
    expect(readSplit("cifar10", dir, "train", anyCount).n).toBeGreaterThan(0)
    const err = catchError(() => readSplit("cifar10", dir, "train"))
    expect(err).toMatchObject({ _tag: "CifarFileSizeError", file: join(dir, "data_batch_1.bin"), record: 3, expectedRecords: 10_000 })
    expect(err.message).toContain("wrong file size")
  })

  it("names the file and record of a label byte out of range", () => {
    writeGood()
    const file = join(dir, "data_batch_4.bin")
    writeFileSync(file, concat([cifar10Record(9, 0), cifar10Record(10, 1)]))
    const err = catchError(() => readSplit("cifar10", dir, "train", anyCount))
    expect(err).toBeInstanceOf(CifarLabelError)
    expect(err).toMatchObject({ _tag: "CifarLabelError", file, record: 1, field: "label", value: 10 })
    expect(err.message).toContain("data_batch_4.bin: record 1: label 10 is outside 0..9")
  })

  it("names a missing file and the environment variable", () => {
    writeGood()
    const err = catchError(() => readSplit("cifar10", join(dir, "nowhere"), "train"))
    expect(err).toBeInstanceOf(CifarFileMissingError)
    expect(err.message).toContain(join(dir, "nowhere", "data_batch_1.bin"))
    expect(err.message).toContain("CIFAR10_DIR")
  })
})

describe("CIFAR-100 reader", () => {
  it("reads coarse and fine labels and the pixel layout", () => {
    // Fine 4 (beaver) and 30 (dolphin) are aquatic mammals (coarse 0); 0 (apple) is fruit and vegetables (4).
    writeFileSync(join(dir, "train.bin"), concat([cifar100Record(0, 4, 0), cifar100Record(4, 0, 1), cifar100Record(0, 30, 2)]))
    writeFileSync(join(dir, "test.bin"), cifar100Record(17, 96, 0)) // willow_tree, trees
    const { train, test } = readDatasetDir("cifar100", dir, anyCount)
    expect(Array.from(train.labels)).toEqual([4, 0, 30])
    expect(Array.from(train.coarseLabels!)).toEqual([0, 4, 0])
    expect(train.numClasses).toBe(100)
    expect(train.classNames[30]).toBe("dolphin")
    expect(train.coarseClassNames![17]).toBe("trees")
    expect(test.classNames[96]).toBe("willow_tree")
    for (const [i, y, x, c] of [
      [0, 0, 0, 0],
      [1, 31, 31, 2],
      [2, 7, 19, 1]
    ] as const) {
      expect(train.images[at(i, y, x, c)]).toBe(fixturePixel(i, c, y, x))
    }
  })

  it("rejects out-of-range fine and coarse labels and a coarse label that contradicts the fine one", () => {
    writeFileSync(join(dir, "test.bin"), cifar100Record(0, 4, 0))
    const file = join(dir, "train.bin")
    writeFileSync(file, concat([cifar100Record(0, 4, 0), cifar100Record(0, 100, 1)]))
    expect(catchError(() => readSplit("cifar100", dir, "train", anyCount))).toMatchObject({
      _tag: "CifarLabelError",
      file,
      record: 1,
      field: "fine",
      value: 100
    })
    writeFileSync(file, concat([cifar100Record(20, 4, 0)]))
    expect(catchError(() => readSplit("cifar100", dir, "train", anyCount))).toMatchObject({
      _tag: "CifarLabelError",
      file,
      record: 0,
      field: "coarse",
      value: 20
    })
    writeFileSync(file, concat([cifar100Record(0, 4, 0), cifar100Record(0, 4, 1), cifar100Record(1, 4, 2)]))
    const err = catchError(() => readSplit("cifar100", dir, "train", anyCount))
    expect(err).toMatchObject({ _tag: "CifarLabelError", file, record: 2, field: "coarse", value: 1 })
    expect(err.message).toContain("superclass is 0")
  })
})

describe("CIFAR-100 class tables", () => {
  it("has 100 fine classes in 20 superclasses of five", () => {
    expect(CIFAR100_CLASSES).toHaveLength(100)
    expect(new Set(CIFAR100_CLASSES).size).toBe(100)
    expect([...CIFAR100_CLASSES].sort()).toEqual([...CIFAR100_CLASSES])
    const sizes = new Array(20).fill(0)
    for (const c of CIFAR100_FINE_TO_COARSE) sizes[c]++
    expect(sizes).toEqual(new Array(20).fill(5))
  })

  it("matches known fine -> coarse pairs of the official meta file", () => {
    const fine = (name: string) => (CIFAR100_CLASSES as readonly string[]).indexOf(name)
    // (fine, coarse) from the official CIFAR-100 listing.
    expect(CIFAR100_FINE_TO_COARSE[fine("apple")]).toBe(4)
    expect(CIFAR100_FINE_TO_COARSE[fine("cattle")]).toBe(11)
    expect(CIFAR100_FINE_TO_COARSE[fine("dinosaur")]).toBe(15)
    expect(CIFAR100_FINE_TO_COARSE[fine("whale")]).toBe(0)
    expect(CIFAR100_FINE_TO_COARSE[fine("tractor")]).toBe(19)
    expect(CIFAR100_FINE_TO_COARSE[fine("train")]).toBe(18)
    expect(CIFAR100_FINE_TO_COARSE[fine("worm")]).toBe(13)
  })
})

function catchError(f: () => unknown): Error & Record<string, unknown> {
  try {
    f()
  } catch (e) {
    return e as Error & Record<string, unknown>
  }
  throw new Error("expected an error")
}
