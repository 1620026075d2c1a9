import { TaggedError } from "@samlab/core-tensor"

/**
 * Typed failures of this package. Each class carries a `_tag` (its name) so Effect callers can
 * match them with `catchTag`, and fields naming what was wrong and where.
 */

/** A CIFAR file that should be there is not. */
export class CifarFileMissingError extends TaggedError("CifarFileMissingError") {
  constructor(
    readonly file: string,
    readonly hint: string = ""
  ) {
    super(`CIFAR file not found: ${file}${hint ? ` (${hint})` : ""}`)
  }
}

/** A file whose size is not a whole, non-zero number of records (or not the expected number). */
export class CifarFileSizeError extends TaggedError("CifarFileSizeError") {
  constructor(
    readonly file: string,
    readonly size: number,
    readonly recordBytes: number,
    /** Index of the first record that is incomplete or missing. */
    readonly record: number,
    readonly expectedRecords: number | undefined
  ) {
    const whole = Math.floor(size / recordBytes)
    const detail =
      size === 0
        ? "file is empty"
        : size % recordBytes !== 0
          ? `truncated: record ${record} is incomplete (${size} bytes is ${whole} records of ${recordBytes} bytes plus ${size % recordBytes} bytes)`
          : `wrong file size: ${whole} records, expected ${expectedRecords}; record ${record} is the first missing or extra one`
    super(`${file}: ${detail}`)
  }
}

/** A label byte outside the class range, or a CIFAR-100 coarse label that contradicts the fine one. */
export class CifarLabelError extends TaggedError("CifarLabelError") {
  constructor(
    readonly file: string,
    readonly record: number,
    readonly field: "label" | "fine" | "coarse",
    readonly value: number,
    readonly reason: string
  ) {
    super(`${file}: record ${record}: ${field === "label" ? "label" : `${field} label`} ${value} ${reason}`)
  }
}

/** The data could be neither found locally nor downloaded. Names the environment variable to set. */
export class DatasetUnavailableError extends TaggedError("DatasetUnavailableError") {
  constructor(
    readonly dataset: string,
    readonly url: string,
    readonly envVar: string,
    readonly reason: string
  ) {
    super(`${dataset} is not available: ${reason}. Without network, set ${envVar} to a folder holding the binary files (or pass the dir option).`)
  }
}

/** A downloaded archive whose MD5 is not the published one. Nothing is cached. */
export class ArchiveChecksumError extends TaggedError("ArchiveChecksumError") {
  constructor(
    readonly url: string,
    readonly expectedMd5: string,
    readonly actualMd5: string
  ) {
    super(`${url}: MD5 ${actualMd5} does not match the published ${expectedMd5}; nothing was cached`)
  }
}

/** A tar archive (or its gzip wrapper) that cannot be read, or an entry that would escape the target folder. */
export class ArchiveFormatError extends TaggedError("ArchiveFormatError") {
  constructor(
    readonly archive: string,
    /** Byte offset in the uncompressed tar stream (-1 when unknown). */
    readonly offset: number,
    readonly reason: string
  ) {
    super(`${archive}${offset >= 0 ? ` at byte ${offset}` : ""}: ${reason}`)
  }
}

/** A cache folder that exists but was not completed by samlab (no completion marker). */
export class CacheCorruptError extends TaggedError("CacheCorruptError") {
  constructor(readonly dir: string) {
    super(`${dir} exists but was not completed by samlab (no completion marker); remove it and retry`)
  }
}

/** A transition matrix that is not row-stochastic (or not K x K). */
export class TransitionMatrixError extends TaggedError("TransitionMatrixError") {
  constructor(
    /** The offending row (clean class), or -1 for the matrix shape. */
    readonly row: number,
    readonly reason: string
  ) {
    super(row >= 0 ? `transition matrix row ${row}: ${reason}` : `transition matrix: ${reason}`)
  }
}

/** An option outside its domain (a rate outside [0, 1], a batch size of 0, ...). */
export class InvalidOptionError extends TaggedError("InvalidOptionError") {
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly reason: string
  ) {
    super(`option ${option} = ${formatValue(value)}: ${reason}`)
  }
}

/** A stratified subset that asks a class for more examples than it has. */
export class SubsetError extends TaggedError("SubsetError") {
  constructor(
    readonly classIndex: number,
    readonly requested: number,
    readonly available: number
  ) {
    super(`stratified subset: class ${classIndex} has ${available} example(s), ${requested} requested`)
  }
}

const formatValue = (v: unknown): string => {
  try {
    return typeof v === "string" ? JSON.stringify(v) : String(v)
  } catch {
    return "<unprintable>"
  }
}
