/**
 * How long the decomposition and the tracker take on the small CNN, next to a training epoch
 * over the same examples. Run from the package: `npx tsx bench/decomposition.ts [n] [backend]`
 * (default 1000 examples, backend from SAMLAB_BACKEND or the best available). Prints JSON.
 * Random inputs: the cost does not depend on the values.
 */
import { Rng, cloneParams, disposeParams, erm, selectBackend, sgd, smallCnn, stepper, trainingForward } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { createTracker, decompose } from "../src/index.js"

const n = Number(process.argv[2] ?? 1000)
const backendArg = process.argv[3]
const info = await selectBackend(backendArg ? { backend: backendArg as never } : {})
const model = smallCnn()
const rng = new Rng(0)
const params = model.init(rng.fork("init"))
const size = 32 * 32 * 3
const images = rng.fork("x").normalArray(n * size)
const labels = Array.from({ length: n }, (_, i) => i % 10)
const x = tf.tensor4d(images, [n, 32, 32, 3])

/** Wall seconds, and CPU seconds of the process (all threads): the latter is steadier on a shared machine. */
const time = <A>(f: () => A): { seconds: number; cpuSeconds: number; result: A } => {
  const t = performance.now()
  const c = process.cpuUsage()
  const result = f()
  const used = process.cpuUsage(c)
  return { seconds: (performance.now() - t) / 1000, cpuSeconds: (used.user + used.system) / 1e6, result }
}

// One SGD epoch over the same n examples, batch 128, as the yardstick.
const trainEpoch = time(() => {
  const run = stepper({ method: erm(sgd({ lr: 0.01, momentum: 0.9 })), forward: trainingForward(model), params: cloneParams(params) })
  for (let s = 0; s + 128 <= n; s += 128) {
    const xb = tf.slice(x, s, 128)
    const yb = tf.tensor1d(labels.slice(s, s + 128), "int32")
    run.step({ x: xb, y: yb })
    tf.dispose([xb, yb])
  }
  run.dispose()
})

const rows: Record<string, number> = { trainEpochSgdSeconds: trainEpoch.seconds, trainEpochSgdCpuSeconds: trainEpoch.cpuSeconds }
process.stderr.write(`train epoch: ${trainEpoch.seconds.toFixed(2)} s (cpu ${trainEpoch.cpuSeconds.toFixed(2)} s)\n`)
const run = (name: string, options: Parameters<typeof decompose>[4]) => {
  const before = tf.memory().numTensors
  const { seconds, cpuSeconds } = time(() => decompose(model, params, x, labels, options))
  rows[`${name}Seconds`] = seconds
  rows[`${name}CpuSeconds`] = cpuSeconds
  process.stderr.write(`${name}: ${seconds.toFixed(2)} s (cpu ${cpuSeconds.toFixed(2)} s)\n`)
  if (tf.memory().numTensors !== before) throw new Error(`${name} leaked ${tf.memory().numTensors - before} tensors`)
}
run("decomposeSamChunk128", { perturbation: { rho: 0.05, chunkSize: 128 } })
run("decomposeOneSam", { perturbation: { rho: 0.05, chunkSize: 1 } })
run("decomposeSamChunk128DenseLayersOnly", { perturbation: { rho: 0.05, chunkSize: 128 }, layers: ["dense_0", "head"] })
const loopN = Math.min(n, 32)
const loop = time(() =>
  decompose(model, params, tf.slice(x, 0, loopN), labels.slice(0, loopN), { perturbation: { rho: 0.05, chunkSize: loopN }, engine: "loop" })
)
rows["loopEnginePerExampleSeconds"] = loop.seconds / loopN
rows["loopEnginePerExampleCpuSeconds"] = loop.cpuSeconds / loopN

const tracker = createTracker({ model, train: { images, labels }, test: { images, labels } })
const record = time(() => tracker.record(1, params))
rows["trackerRecordSeconds"] = record.seconds
rows["trackerRecordCpuSeconds"] = record.cpuSeconds

process.stdout.write(`${JSON.stringify({ backend: info.name, examples: n, model: model.name, ...rows }, null, 2)}\n`)
disposeParams(params)
x.dispose()
