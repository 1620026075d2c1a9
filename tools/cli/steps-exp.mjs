import * as tf from "@tensorflow/tfjs-core"
import "@samlab/tfjs-backend-native"
import { Rng, referenceMlp, stepper, trainingForward } from "@samlab/core-tensor"
import { makeMethod, defaultMethodOptions } from "@samlab/steps"
await tf.setBackend("native")
const key = process.argv[2] ?? "erm"
const N = Number(process.argv[3] ?? 300)
const model = referenceMlp()
const rng = new Rng(0)
const method = makeMethod(key, defaultMethodOptions, { kind: "sgd", lr: 0.01, momentum: 0.9, weightDecay: 5e-4, schedule: "constant" }, 1, { spec: { kind: "mlp", hidden: [512, 512] }, model })
const run = stepper({ method, forward: trainingForward(model), params: model.init(rng.fork("init")), modelState: model.initState() })
const x = tf.tensor(rng.fork("x").normalArray(128 * 3072), [128, 32, 32, 3])
const y = tf.tensor1d(Int32Array.from({ length: 128 }, (_, i) => i % 10), "int32")
const t = []
for (let s = 0; s < N; s++) { const t0 = performance.now(); run.step({ x, y }); t.push(performance.now() - t0) }
const med = (a) => { const b = [...a].sort((p, q) => p - q); return b[Math.floor(b.length / 2)].toFixed(2) }
const out = []
for (let i = 0; i < N; i += 50) out.push(`${i}-${i + 50}: ${med(t.slice(i, i + 50))}`)
console.log(key, out.join("  "), "tensors", tf.memory().numTensors)
