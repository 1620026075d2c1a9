import { gzipSync } from "node:zlib"

/**
 * A minimal POSIX ustar writer for fixtures, written from the format description (header
 * fields as octal text, checksum = byte sum with the checksum field as spaces, data padded
 * to 512, two zero blocks at the end).
 */
export interface TarInput {
  readonly path: string
  readonly data?: Uint8Array
  readonly directory?: boolean
}

const encoder = new TextEncoder()

const field = (header: Uint8Array, offset: number, length: number, text: string) => {
  const bytes = encoder.encode(text)
  if (bytes.length > length) throw new Error(`tar fixture: "${text}" too long for a ${length}-byte field`)
  header.set(bytes, offset)
}

const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0")

export const tarHeader = (path: string, size: number, type: "0" | "5" | "x" | "L"): Uint8Array => {
  const h = new Uint8Array(512)
  field(h, 0, 100, path)
  field(h, 100, 8, octal(type === "5" ? 0o755 : 0o644, 8))
  field(h, 108, 8, octal(0, 8))
  field(h, 116, 8, octal(0, 8))
  field(h, 124, 12, octal(size, 12))
  field(h, 136, 12, octal(1_262_304_000, 12))
  field(h, 148, 8, "        ")
  field(h, 156, 1, type)
  field(h, 257, 6, "ustar\0")
  field(h, 263, 2, "00")
  let sum = 0
  for (const b of h) sum += b
  field(h, 148, 8, `${octal(sum, 7)}\0`)
  return h
}

export const buildTar = (entries: TarInput[]): Uint8Array => {
  const blocks: Uint8Array[] = []
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0)
    blocks.push(tarHeader(e.path, e.directory ? 0 : data.length, e.directory ? "5" : "0"))
    if (!e.directory && data.length > 0) {
      const padded = new Uint8Array(Math.ceil(data.length / 512) * 512)
      padded.set(data)
      blocks.push(padded)
    }
  }
  blocks.push(new Uint8Array(1024))
  const out = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0))
  let o = 0
  for (const b of blocks) {
    out.set(b, o)
    o += b.length
  }
  return out
}

export const buildTarGz = (entries: TarInput[]): Buffer => gzipSync(buildTar(entries))
