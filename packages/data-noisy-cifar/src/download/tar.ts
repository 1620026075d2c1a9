import { ArchiveFormatError } from "../errors.js"

/** One entry of a tar archive; `data` is a view into the archive bytes (no copy). */
export interface TarEntry {
  readonly path: string
  readonly type: "file" | "directory"
  readonly data: Uint8Array
}

const BLOCK = 512
const decoder = new TextDecoder()

/**
 * Reads a tar archive held in memory: POSIX ustar, GNU (long names via 'L' entries) and pax
 * ('x' path and size records). Regular files and directories are returned; links, devices and
 * global headers are skipped. Every header checksum is verified; paths that are absolute or
 * climb with `..` are rejected (they would escape the extraction folder).
 */
export const readTar = (tar: Uint8Array, archive: string): TarEntry[] => {
  const entries: TarEntry[] = []
  let offset = 0
  let longName: string | undefined
  let pax: Record<string, string> = {}
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK)
    if (isZeroBlock(header)) break
    verifyChecksum(header, archive, offset)
    const type = String.fromCharCode(header[156]!)
    const size = pax["size"] !== undefined ? Number(pax["size"]) : readSize(header, archive, offset)
    const dataStart = offset + BLOCK
    if (!Number.isSafeInteger(size) || size < 0 || dataStart + size > tar.length) {
      throw new ArchiveFormatError(archive, offset, `entry data of ${size} bytes runs past the end of the archive (truncated?)`)
    }
    const data = tar.subarray(dataStart, dataStart + size)
    const next = dataStart + Math.ceil(size / BLOCK) * BLOCK
    if (type === "L") {
      longName = cString(data)
    } else if (type === "x") {
      pax = parsePax(data, archive, dataStart)
    } else if (type === "g" || type === "K") {
      // global pax header, GNU long link name: nothing we use
    } else {
      const path = pax["path"] ?? longName ?? headerName(header)
      longName = undefined
      pax = {}
      if (type === "0" || type === "\0" || type === "7") entries.push({ path: safePath(path, archive, offset), type: "file", data })
      else if (type === "5") entries.push({ path: safePath(path, archive, offset), type: "directory", data: new Uint8Array(0) })
    }
    offset = next
  }
  if (offset + BLOCK > tar.length && offset < tar.length) throw new ArchiveFormatError(archive, offset, "archive ends inside a header block (truncated?)")
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
