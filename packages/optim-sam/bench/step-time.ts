/**
 * Step time of every SAM-family method on the reference MLP (3072-512-512-10, ReLU) at
 * batch 128, chunk loop vs batched dense path, on the backend `selectBackend` picks
 * (SAMLAB_BACKEND to force one). Not a test: `npx tsx bench/step-time.ts [--steps N] [--json]`.
 */
import * as tf from "@tensorflow/tfjs-core"
import { type TrainingMethod, Rng, cloneParams, disposeParams, referenceMlp, selectBackend, sgd, stepper, trainingForward } from "@samlab/core-tensor"
import { type SamFamilyKey, denseStack, makeSamFamilyMethod } from "../src/index.js"

const args = process.argv.slice(2)
const steps = Number(args[args.indexOf("--steps") + 1] ?? 5) || 5
const json = args.includes("--json")

const backend = await selectBackend({ log: () => {} })
const model = referenceMlp()
const rng = new Rng(0)
const params = model.init(rng.fork("init"))
const batchSize = 128
const x = tf.tensor2d(rng.normalArray(batchSize * 3072), [batchSize, 3072])
const y = tf.tensor1d(
  Int32Array.from({ length: batchSize }, () => rng.int(10)),
  "int32"
)

const time = <S>(method: TrainingMethod<S>, n: number): number => {
  const run = stepper({ method, forward: trainingForward(model), params: cloneParams(params) })
  run.step({ x, y }) // warm-up
  const start = performance.now()
  for (let i = 0; i < n; i++) run.step({ x, y })
  const ms = (performance.now() - start) / n
  run.dispose()
  return ms
}

const base = () => sgd({ lr: 0.01, momentum: 0.9, weightDecay: 5e-4 })
const rows: Array<{ method: string; path: string; ms: number }> = []
const cases: Array<[SamFamilyKey, number | undefined]> = [
  ["sgd", undefined],
  ["sam", undefined],
  ["asam", undefined],
  ["lsam", undefined],
  ["jsam", undefined],
  ["sam", 16],
  ["sam1", undefined],
  ["lsam", 1],
  ["jsam", 1]
]
for (const [key, chunkSize] of cases) {
  const label = chunkSize === undefined ? key : `${key} m=${chunkSize}`
  const paths = key === "sgd" || key === "asam" ? ["chunk loop"] : ["chunk loop", "batched"]
  for (const path of paths) {
    // the per-example chunk loop is slow by nature: fewer steps
    const n = path === "chunk loop" && (key === "sam1" || chunkSize === 1) ? 1 : steps
    const method = makeSamFamilyMethod(key, { base: base(), rho: 0.05, chunkSize, batched: path === "batched" ? denseStack() : undefined })
    rows.push({ method: label, path, ms: time(method, n) })
  }
}
if (json) process.stdout.write(`${JSON.stringify({ backend: backend.name, batchSize, model: model.name, rows })}\n`)
else {
  process.stdout.write(`backend ${backend.name}, ${model.name}, batch ${batchSize}, ms per step\n`)
  for (const r of rows) process.stdout.write(`${r.method.padEnd(10)} ${r.path.padEnd(11)} ${r.ms.toFixed(1).padStart(9)}\n`)
}
tf.dispose([x, y])
disposeParams(params)
