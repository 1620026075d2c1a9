import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs"
import { join } from "node:path"
import { CIFAR100_CLASSES, CIFAR100_COARSE_CLASSES, CIFAR10_CLASSES } from "../class-names.js"
import { type Dataset, type DatasetName, type DatasetSplits, IMAGE_BYTES, type Split } from "../dataset.js"
import { CifarFileMissingError } from "../errors.js"
import { CIFAR100_RECORD, CIFAR10_RECORD, decodeCifar100Into, decodeCifar10Into, recordCount } from "../format/records.js"
import { type DatasetLayout, layoutOf } from "./layout.js"

export interface ReadDirOptions {
  /**
   * `"official"` (the default) requires the official record counts (10,000 per CIFAR-10 file;
   * 50,000 / 10,000 for CIFAR-100), catching a file cut or extended exactly at a record
   * boundary; `"any"` accepts any whole number of records (your own files in CIFAR's format).
   */
  readonly expectedRecords?: "official" | "any"
}

/**
 * The folder holding the binary files: `dir` itself, or its `cifar-10-batches-bin` /
 * `cifar-100-binary` subfolder (so both the extracted folder and its parent are accepted).
 */
export const resolveDataDir = (name: DatasetName, dir: string): string => {
  const layout = layoutOf(name)
  const probe = layout.files.test[0]!
  if (existsSync(join(dir, probe))) return dir
  const nested = join(dir, layout.folder)
  if (existsSync(join(nested, probe))) return nested
  return dir
}

/** Reads one split of a dataset from a folder of official binary files (synchronous). */
export const readSplit = (name: DatasetName, dir: string, split: Split, options: ReadDirOptions = {}): Dataset => {
  const layout = layoutOf(name)
  const folder = resolveDataDir(name, dir)
  const recordBytes = name === "cifar10" ? CIFAR10_RECORD.bytes : CIFAR100_RECORD.bytes
  const expected = options.expectedRecords === "any" ? undefined : layout.officialRecords[split]
  const paths = layout.files[split].map((f) => join(folder, f))
  // Size everything first so the images land in one preallocated array.
  const counts = paths.map((p) => recordCount(p, fileSize(p, layout), recordBytes, expected))
  const n = counts.reduce((a, b) => a + b, 0)
  const images = new Uint8Array(n * IMAGE_BYTES)
  const labels = new Uint8Array(n)
  const coarseLabels = name === "cifar100" ? new Uint8Array(n) : undefined
  // One reusable read buffer (the largest file) instead of a fresh one per file: less memory to fault in.
  const sizes = counts.map((c) => c * recordBytes)
  const buffer = Buffer.allocUnsafe(Math.max(...sizes))
  let at = 0
  for (const [k, p] of paths.entries()) {
    const bytes = readWhole(p, buffer, sizes[k]!)
    at += coarseLabels
      ? decodeCifar100Into(p, bytes, { images, labels, coarseLabels }, at, expected)
      : decodeCifar10Into(p, bytes, { images, labels }, at, expected)
  }
  return name === "cifar10"
    ? { name, split, n, images, labels, numClasses: 10, classNames: CIFAR10_CLASSES }
    : { name, split, n, images, labels, numClasses: 100, classNames: CIFAR100_CLASSES, coarseLabels: coarseLabels!, coarseClassNames: CIFAR100_COARSE_CLASSES }
}

/** Reads the training and test splits from a folder of official binary files. */
export const readDatasetDir = (name: DatasetName, dir: string, options: ReadDirOptions = {}): DatasetSplits => ({
  train: readSplit(name, dir, "train", options),
  test: readSplit(name, dir, "test", options)
})

/** Reads exactly `size` bytes of `path` into the front of `buffer`; a file that shrank meanwhile is reported as truncated. */
const readWhole = (path: string, buffer: Buffer, size: number): Uint8Array => {
  const fd = openSync(path, "r")
  try {
    let done = 0
    while (done < size) {
      const n = readSync(fd, buffer, done, size - done, done)
      if (n === 0) break
      done += n
    }
    return buffer.subarray(0, done)
  } finally {
    closeSync(fd)
  }
}

const fileSize = (path: string, layout: DatasetLayout): number => {
  try {
    const st = statSync(path)
    if (!st.isFile()) throw new CifarFileMissingError(path, "not a regular file")
    return st.size
  } catch (e) {
    if (e instanceof CifarFileMissingError) throw e
    throw new CifarFileMissingError(path, `expected the ${layout.folder} files; set ${layout.envVar} or the dir option to their folder`)
  }
}
