import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Rng } from "@samlab/core-tensor"

const RECORD = 1 + 3072

/**
 * A small CIFAR-10 folder in the official binary layout whose classes are learnable: each
 * class has its own mean color and a horizontal stripe at its own row, under pixel noise.
 * `perFile` training records in each of the five files, `test` test records.
 */
export const writeSyntheticCifar10 = (perFile: number, test: number, seed = 1): string => {
  const dir = mkdtempSync(join(tmpdir(), "samlab-synthetic-cifar-"))
  mkdirSync(dir, { recursive: true })
  const rng = new Rng(seed)
  const file = (n: number, offset: number) => {
    const bytes = new Uint8Array(n * RECORD)
    for (let k = 0; k < n; k++) {
      const label = (k + offset) % 10
      const base = k * RECORD
      bytes[base] = label
      for (let c = 0; c < 3; c++) {
        const mean = 40 + ((label * (c + 3) * 37) % 170)
        for (let p = 0; p < 1024; p++) {
          const row = p >> 5
          const stripe = row >= label * 3 && row < label * 3 + 3 ? 60 : 0
          bytes[base + 1 + c * 1024 + p] = Math.max(0, Math.min(255, Math.round(mean + stripe + (rng.uniform() - 0.5) * 120)))
        }
      }
    }
    return bytes
  }
  for (let f = 1; f <= 5; f++) writeFileSync(join(dir, `data_batch_${f}.bin`), file(perFile, f))
  writeFileSync(join(dir, "test_batch.bin"), file(test, 0))
  writeFileSync(join(dir, "batches.meta.txt"), "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n")
  return dir
}
