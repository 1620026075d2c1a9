import { ArchiveFormatError } from "../errors.js"

/** One entry of a tar archive; `data` is a view into the archive bytes (no copy). */
export interface TarEntry {
  readonly path: string
  readonly type: "file" | "directory"
  readonly data: Uint8Array
}

/** What a `TarParser` reports: each file or directory, a file's bytes in order, then its end. */
export interface TarHandler {
  readonly entry: (path: string, type: "file" | "directory", size: number) => void
  /** Part of the current file's data: a view into the pushed chunk, valid only during the call. */
  readonly data: (chunk: Uint8Array) => void
  readonly endEntry: () => void
}

export interface TarParser {
  /** The next bytes of the archive, in any chunk sizes. */
  readonly push: (chunk: Uint8Array) => void
  /** No more bytes: fails if the archive stopped inside a header or an entry's data. */
  readonly end: () => void
}

const BLOCK = 512
/** Long-name ('L') and pax ('x') entries are held in memory: a few KB in any real archive. */
const MAX_META_BYTES = 1 << 20
const decoder = new TextDecoder()

/**
 * A streaming tar reader (a push parser, so it holds one header block and no file data): POSIX
 * ustar, GNU (long names via 'L' entries) and pax ('x' path and size records). Regular files and
 * directories are reported; links, devices and global headers are skipped. Every header checksum
 * is verified; paths that are absolute or climb with `..` are rejected (they would escape the
 * extraction folder); an archive cut inside a header or an entry's data fails at `end`.
 */
export const tarParser = (archive: string, handler: TarHandler): TarParser => {
  let offset = 0 // bytes consumed so far
  let headerAt = 0
  const header = new Uint8Array(BLOCK)
  let headerFill = 0
  let done = false // the end-of-archive zero block was read
  let kind: "file" | "meta" | "skip" = "skip"
  let entrySize = 0
  let remaining = 0 // data bytes of the current entry still to come
  let padding = 0 // then these, up to the next block
  let meta = new Uint8Array(0)
  let metaFill = 0
  let metaType = ""
  let longName: string | undefined
  let pax: Record<string, string> = {}

  const onHeader = () => {
    headerAt = offset - BLOCK
    if (isZeroBlock(header)) return void (done = true)
    verifyChecksum(header, archive, headerAt)
    const type = String.fromCharCode(header[156]!)
    const size = pax["size"] !== undefined ? Number(pax["size"]) : readSize(header, archive, headerAt)
    if (!Number.isSafeInteger(size) || size < 0) throw new ArchiveFormatError(archive, headerAt, `entry size ${pax["size"] ?? size} is not a byte count`)
    entrySize = size
    remaining = size
    padding = Math.ceil(size / BLOCK) * BLOCK - size
    if (type === "L" || type === "x") {
      if (size > MAX_META_BYTES)
        throw new ArchiveFormatError(archive, headerAt, `a ${type === "L" ? "long-name" : "pax"} header of ${size} bytes (more than ${MAX_META_BYTES})`)
      kind = "meta"
      metaType = type
      meta = new Uint8Array(size)
      metaFill = 0
    } else if (type === "g" || type === "K") {
      kind = "skip" // global pax header, GNU long link name: nothing we use
    } else {
      const path = pax["path"] ?? longName ?? headerName(header)
      longName = undefined
      pax = {}
      kind = "skip"
      if (type === "0" || type === "\0" || type === "7") {
        kind = "file"
        handler.entry(safePath(path, archive, headerAt), "file", size)
      } else if (type === "5") {
        handler.entry(safePath(path, archive, headerAt), "directory", 0)
        handler.endEntry()
      }
    }
    if (remaining === 0) endData()
  }

  const endData = () => {
    if (kind === "file") handler.endEntry()
    else if (kind === "meta" && metaType === "L") longName = cString(meta)
    else if (kind === "meta") pax = parsePax(meta, archive, headerAt + BLOCK)
    kind = "skip"
  }

  const push = (chunk: Uint8Array) => {
    let i = 0
    while (i < chunk.length && !done) {
      if (remaining > 0) {
        const n = Math.min(remaining, chunk.length - i)
        const part = chunk.subarray(i, i + n)
        if (kind === "file") handler.data(part)
        else if (kind === "meta") {
          meta.set(part, metaFill)
          metaFill += n
        }
        remaining -= n
        i += n
        offset += n
        if (remaining === 0) endData()
      } else if (padding > 0) {
        const n = Math.min(padding, chunk.length - i)
        padding -= n
        i += n
        offset += n
      } else {
        const n = Math.min(BLOCK - headerFill, chunk.length - i)
        header.set(chunk.subarray(i, i + n), headerFill)
        headerFill += n
        i += n
        offset += n
        if (headerFill === BLOCK) {
          headerFill = 0
          onHeader()
        }
      }
    }
  }

  const end = () => {
    if (done) return
    if (remaining > 0) throw new ArchiveFormatError(archive, headerAt, `entry data of ${entrySize} bytes runs past the end of the archive (truncated?)`)
    if (headerFill > 0) throw new ArchiveFormatError(archive, offset - headerFill, "archive ends inside a header block (truncated?)")
  }

  return { push, end }
}

/** Reads a tar archive held in memory (see `tarParser`); each file's `data` is a view into `tar`. */
export const readTar = (tar: Uint8Array, archive: string): TarEntry[] => {
  const entries: TarEntry[] = []
  let current: { path: string; type: "file" | "directory"; data: Uint8Array } | undefined
  const parser = tarParser(archive, {
    entry: (path, type) => void (current = { path, type, data: new Uint8Array(0) }),
    // one push of the whole archive: each file's data arrives as one view
    data: (chunk) => void (current!.data = chunk),
    endEntry: () => void entries.push(current!)
  })
  parser.push(tar)
  parser.end()
  return entries
}

const isZeroBlock = (b: Uint8Array): boolean => {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false
  return true
}

/** The header checksum: the byte sum of the header with the checksum field read as spaces. */
const verifyChecksum = (header: Uint8Array, archive: string, offset: number): void => {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!
  const stored = parseOctal(header.subarray(148, 156))
  if (stored !== sum) throw new ArchiveFormatError(archive, offset, `bad header checksum (stored ${stored}, computed ${sum}): not a tar archive, or corrupted`)
}

/** Size field: octal text, or base-256 big-endian when the top bit of its first byte is set (GNU, > 8 GiB). */
const readSize = (header: Uint8Array, archive: string, offset: number): number => {
  const field = header.subarray(124, 136)
  if (field[0]! & 0x80) {
    let v = field[0]! & 0x7f
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i]!
    return v
  }
  const v = parseOctal(field)
  if (Number.isNaN(v)) throw new ArchiveFormatError(archive, offset, "size field is not octal")
  return v
}

const parseOctal = (field: Uint8Array): number => {
  const text = cString(field).trim()
  if (text === "") return 0
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN
}

const cString = (bytes: Uint8Array): string => {
  const end = bytes.indexOf(0)
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end))
}

/** Name, with the ustar prefix field only for POSIX ustar (GNU uses those bytes for other things). */
const headerName = (header: Uint8Array): string => {
  const name = cString(header.subarray(0, 100))
  const posix = cString(header.subarray(257, 263)) === "ustar"
  const prefix = posix ? cString(header.subarray(345, 500)) : ""
  return prefix ? `${prefix}/${name}` : name
}

/** Pax records: "<length> <key>=<value>\n", length counting the whole record. */
const parsePax = (data: Uint8Array, archive: string, offset: number): Record<string, string> => {
  const out: Record<string, string> = {}
  let i = 0
  while (i < data.length) {
    const space = data.indexOf(0x20, i)
    const len = space < 0 ? NaN : Number(decoder.decode(data.subarray(i, space)))
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length) throw new ArchiveFormatError(archive, offset + i, "malformed pax record")
    const record = decoder.decode(data.subarray(space + 1, i + len - 1))
    const eq = record.indexOf("=")
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1)
    i += len
  }
  return out
}

const safePath = (path: string, archive: string, offset: number): string => {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".")
  if (path.startsWith("/") || parts.includes("..") || parts.length === 0) throw new ArchiveFormatError(archive, offset, `unsafe entry path "${path}"`)
  return parts.join("/")
}
