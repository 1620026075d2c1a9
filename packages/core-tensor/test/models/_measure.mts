import * as tf from "@tensorflow/tfjs-core"
import { Rng, referenceMlp, resnet18, selectBackend, smallCnn, valueAndGradParams, disposeParams, disposeOutput, paramCount } from "../../src/index.ts"

const backend = (process.argv[2] ?? "cpu") as "cpu" | "wasm"
const which = process.argv[3] ?? "mlp,cnn,resnet"
await selectBackend({ backend, log: () => {} })
const ce = (logits: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar =>
  tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(tf.logSoftmax(logits), tf.cast(tf.oneHot(y, logits.shape[1]), "float32")), 1)))
const all = { mlp: [referenceMlp(), 128, 3], cnn: [smallCnn(), 128, 2], resnet: [resnet18(), 16, 1] } as const
for (const key of which.split(",") as Array<keyof typeof all>) {
  const [model, batch, reps] = all[key]
  let t = performance.now()
  const p = model.init(new Rng(0))
  const initMs = performance.now() - t
  const state = model.initState()
  const x = tf.tensor4d(new Rng(1).normalArray(batch * 3072), [batch, 32, 32, 3])
  const y = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), "int32")
  disposeOutput(model.apply(p, x, { training: false, state }), state)
  t = performance.now()
  for (let r = 0; r < reps; r++) { const o = model.apply(p, x, { training: false, state }); o.logits.dataSync(); disposeOutput(o, state) }
  const fwd = (performance.now() - t) / reps
  t = performance.now()
  for (let r = 0; r < reps; r++) {
    const { value, grads } = valueAndGradParams((q) => ce(model.apply(q, x, { training: true, state }).logits, y), p)
    value.dataSync(); value.dispose(); disposeParams(grads)
  }
  const step = (performance.now() - t) / reps
  console.log(`${backend} ${model.name} params ${paramCount(p)} init ${initMs.toFixed(0)} ms; batch ${batch}: forward ${fwd.toFixed(0)} ms, loss+grad ${step.toFixed(0)} ms`)
  disposeParams(p, state); tf.dispose([x, y])
}
