import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * Test fixtures written byte by byte in the documented file layout (independently of the
 * package's own converters): record = label byte(s), then 1024 R, 1024 G, 1024 B bytes.
 */

/** The value the fixtures store at (image i, channel c, row y, column x): distinct enough to catch any mix-up. */
export const fixturePixel = (i: number, c: number, y: number, x: number): number => (i * 7 + c * 85 + y * 3 + x * 5) % 256

/** One CIFAR-10 record in planar layout. */
export const cifar10Record = (label: number, i: number): Uint8Array => {
  const rec = new Uint8Array(1 + 3072)
  rec[0] = label
  for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) rec[1 + c * 1024 + y * 32 + x] = fixturePixel(i, c, y, x)
  return rec
}

/** One CIFAR-100 record: coarse byte, fine byte, planar image. */
export const cifar100Record = (coarse: number, fine: number, i: number): Uint8Array => {
  const rec = new Uint8Array(2 + 3072)
  rec[0] = coarse
  rec[1] = fine
  for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) rec[2 + c * 1024 + y * 32 + x] = fixturePixel(i, c, y, x)
  return rec
}

export const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

export const tempDir = (prefix: string): { dir: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), `samlab-${prefix}-`))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Writes a small CIFAR-10 folder: `train[f]` are the labels of data_batch_{f+1}.bin, `test`
 * those of test_batch.bin. Image indices run on across the training files (file order), and
 * restart at 0 for the test file.
 */
export const writeCifar10Folder = (dir: string, train: number[][], test: number[]): void => {
  mkdirSync(dir, { recursive: true })
  let i = 0
  train.forEach((labels, f) => {
    writeFileSync(join(dir, `data_batch_${f + 1}.bin`), concat(labels.map((y) => cifar10Record(y, i++))))
  })
  writeFileSync(join(dir, "test_batch.bin"), concat(test.map((y, k) => cifar10Record(y, k))))
}

/** Labels 0..K-1 repeated, `perClass` of each, in round-robin order. */
export const roundRobinLabels = (numClasses: number, perClass: number): number[] => Array.from({ length: numClasses * perClass }, (_, i) => i % numClasses)
