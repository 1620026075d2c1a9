/**
 * Loading and batching throughput on the real CIFAR-10 copy (not a test: timings vary by machine).
 * Run: npx tsx bench/load.bench.ts [dir]   (default <repo>/../shared/datasets/cifar-10-batches-bin, or CIFAR10_DIR)
 */
import { existsSync } from "node:fs"
import { cpus, loadavg } from "node:os"
import { resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { selectBackend } from "@samlab/core-tensor"
import { Batcher, applyLabelNoise, channelStats, readSplit } from "../src/index.js"

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
const dir = process.argv[2] ?? process.env["CIFAR10_DIR"] ?? resolve(repoRoot, "../shared/datasets/cifar-10-batches-bin")
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} on ${cpus().length} cores`
)
if (!existsSync(dir)) {
  console.log(`no CIFAR-10 at ${dir}; pass a folder or set CIFAR10_DIR`)
  process.exit(0)
}

/** Wall time and CPU time (user + system) of each repeat: on a shared machine CPU time is the steadier figure. */
const time = <A>(label: string, f: () => A, repeats = 3): A => {
  let result: A | undefined
  const wall: number[] = []
  const cpu: number[] = []
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    result = f()
    const c = process.cpuUsage(c0)
    wall.push(performance.now() - t0)
    cpu.push((c.user + c.system) / 1000)
  }
  const fmt = (xs: number[]) =>
    `best ${Math.min(...xs)
      .toFixed(0)
      .padStart(6)} ms (${xs.map((m) => m.toFixed(0)).join(", ")})`
  console.log(`${label.padEnd(46)} wall ${fmt(wall)}   cpu ${fmt(cpu)}`)
  return result!
}

const train = time("read 50,000 training images (5 files)", () => readSplit("cifar10", dir, "train"))
time("read 10,000 test images", () => readSplit("cifar10", dir, "test"))
const stats = time("channel statistics, 50,000 images", () => channelStats(train.images))
time("symmetric noise 30%, exact", () => applyLabelNoise(train.labels, { numClasses: 10, spec: { kind: "symmetric", rate: 0.3 }, rng: 0 }))

await selectBackend({ backend: "cpu", log: () => {} })
for (const augment of [false, true]) {
  const batcher = new Batcher({ images: train.images, labels: train.labels, batchSize: 128, normalization: stats, seed: 0, augment })
  time(
    `one epoch of batch-128 tensors, augment ${augment}`,
    () => {
      for (const batch of batcher.batches(0)) batch.dispose()
    },
    2
  )
}
