import type { DatasetName, Split } from "../dataset.js"

/** Where each dataset's files live and what they are called, as in the official archives. */
export interface DatasetLayout {
  readonly name: DatasetName
  /** Folder name inside the archive (and inside the cache). */
  readonly folder: string
  readonly files: Readonly<Record<Split, readonly string[]>>
  /** Records per file in the official release. */
  readonly officialRecords: Readonly<Record<Split, number>>
  readonly archive: string
  readonly md5: string
  /** Size of the official archive in bytes: a larger body is refused before it is all saved. */
  readonly archiveBytes: number
  /** Environment variable pointing at a local copy. */
  readonly envVar: string
}

export const CIFAR10_LAYOUT: DatasetLayout = {
  name: "cifar10",
  folder: "cifar-10-batches-bin",
  files: { train: ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"], test: ["test_batch.bin"] },
  officialRecords: { train: 10_000, test: 10_000 },
  archive: "cifar-10-binary.tar.gz",
  md5: "c32a1d4ab5d03f1284b67883e8d87530",
  archiveBytes: 170_052_171,
  envVar: "CIFAR10_DIR"
}

export const CIFAR100_LAYOUT: DatasetLayout = {
  name: "cifar100",
  folder: "cifar-100-binary",
  files: { train: ["train.bin"], test: ["test.bin"] },
  officialRecords: { train: 50_000, test: 10_000 },
  archive: "cifar-100-binary.tar.gz",
  md5: "03b5dce01913d631647c71ecec9e9cb8",
  archiveBytes: 168_513_733,
  envVar: "CIFAR100_DIR"
}

export const layoutOf = (name: DatasetName): DatasetLayout => (name === "cifar10" ? CIFAR10_LAYOUT : CIFAR100_LAYOUT)

/** Examples in a split of the official release (e.g. 50,000 CIFAR-10 training images). */
export const officialSplitSize = (name: DatasetName, split: Split): number => {
  const layout = layoutOf(name)
  return layout.officialRecords[split] * layout.files[split].length
}

/** The official download location (a folder URL; the archive name is appended). */
export const DEFAULT_BASE_URL = "https://www.cs.toronto.edu/~kriz"
