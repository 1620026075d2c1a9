import * as tf from "@tensorflow/tfjs-core"
import { Rng, meanCrossEntropy, referenceMlp, resnet18, selectBackend, smallCnn, valueAndGradParams, disposeParams, disposeOutput, paramCount } from "../../src/index.ts"

const backend = (process.argv[2] ?? "cpu") as "cpu" | "wasm"
await selectBackend({ backend, log: () => {} })
for (const [model, batch, reps] of [[referenceMlp(), 128, 5], [smallCnn(), 128, 2], [resnet18(), 8, 1]] as const) {
  let t = performance.now()
  const p = model.init(new Rng(0))
  const initMs = performance.now() - t
  const state = model.initState()
  const x = tf.randomUniform([batch, 32, 32, 3])
  const y = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), "int32")
  // warm up
  disposeOutput(model.apply(p, x, { training: false, state }), state)
  t = performance.now()
  for (let r = 0; r < reps; r++) { const o = model.apply(p, x, { training: false, state }); o.logits.dataSync(); disposeOutput(o, state) }
  const fwd = (performance.now() - t) / reps
  t = performance.now()
  for (let r = 0; r < reps; r++) {
    const { value, grads } = valueAndGradParams((q) => meanCrossEntropy(model.apply(q, x, { training: true, state }).logits, y), p)
    value.dataSync(); value.dispose(); disposeParams(grads)
  }
  const step = (performance.now() - t) / reps
  console.log(`${backend} ${model.name} params ${paramCount(p)} init ${initMs.toFixed(0)} ms; batch ${batch}: forward ${fwd.toFixed(0)} ms, loss+grad ${step.toFixed(0)} ms`)
  disposeParams(p, state); tf.dispose([x, y])
}
