import { CIFAR100_FINE_TO_COARSE } from "../class-names.js"
import { IMAGE_BYTES } from "../dataset.js"
import { CifarFileSizeError, CifarLabelError } from "../errors.js"
import { planarConverter } from "./planar.js"

/** Record layouts of the two binary formats: label bytes, then one planar image. */
export const CIFAR10_RECORD = { labelBytes: 1, bytes: 1 + IMAGE_BYTES } as const
export const CIFAR100_RECORD = { labelBytes: 2, bytes: 2 + IMAGE_BYTES } as const

/** Decoded records of one file: NHWC images and labels. */
export interface DecodedRecords {
  readonly n: number
  readonly images: Uint8Array
  readonly labels: Uint8Array
  readonly coarseLabels?: Uint8Array
}

/**
 * Number of records in a buffer, checking that its size is a non-zero whole number of
 * records (and, when given, exactly `expectedRecords`).
 */
export const recordCount = (file: string, size: number, recordBytes: number, expectedRecords?: number): number => {
  if (size === 0) throw new CifarFileSizeError(file, size, recordBytes, 0, expectedRecords)
  if (size % recordBytes !== 0) throw new CifarFileSizeError(file, size, recordBytes, Math.floor(size / recordBytes), expectedRecords)
  const n = size / recordBytes
  if (expectedRecords !== undefined && n !== expectedRecords)
    throw new CifarFileSizeError(file, size, recordBytes, Math.min(n, expectedRecords), expectedRecords)
  return n
}

/**
 * Decodes a CIFAR-10 file's bytes into `out` starting at example `at` (so several files fill
 * one array without copies). Returns the number of records. `file` names errors.
 */
export const decodeCifar10Into = (
  file: string,
  bytes: Uint8Array,
  out: { images: Uint8Array; labels: Uint8Array },
  at: number,
  expectedRecords?: number
): number => {
  const n = recordCount(file, bytes.length, CIFAR10_RECORD.bytes, expectedRecords)
  const convert = planarConverter(out.images)
  for (let r = 0; r < n; r++) {
    const base = r * CIFAR10_RECORD.bytes
    const label = bytes[base]!
    if (label >= 10) throw new CifarLabelError(file, r, "label", label, "is outside 0..9")
    out.labels[at + r] = label
    convert(bytes, base + 1, at + r)
  }
  return n
}

/**
 * Decodes a CIFAR-100 file's bytes (coarse byte, fine byte, image) into `out` from example `at`.
 * The coarse label must be the fine class's superclass.
 */
export const decodeCifar100Into = (
  file: string,
  bytes: Uint8Array,
  out: { images: Uint8Array; labels: Uint8Array; coarseLabels: Uint8Array },
  at: number,
  expectedRecords?: number
): number => {
  const n = recordCount(file, bytes.length, CIFAR100_RECORD.bytes, expectedRecords)
  const convert = planarConverter(out.images)
  for (let r = 0; r < n; r++) {
    const base = r * CIFAR100_RECORD.bytes
    const coarse = bytes[base]!
    const fine = bytes[base + 1]!
    if (coarse >= 20) throw new CifarLabelError(file, r, "coarse", coarse, "is outside 0..19")
    if (fine >= 100) throw new CifarLabelError(file, r, "fine", fine, "is outside 0..99")
    if (CIFAR100_FINE_TO_COARSE[fine] !== coarse) {
      throw new CifarLabelError(file, r, "coarse", coarse, `contradicts fine label ${fine}, whose superclass is ${CIFAR100_FINE_TO_COARSE[fine]}`)
    }
    out.labels[at + r] = fine
    out.coarseLabels[at + r] = coarse
    convert(bytes, base + 2, at + r)
  }
  return n
}
