import * as tf from "@tensorflow/tfjs-core"
import { Rng, selectBackend, layers } from "../../src/index.ts"
await selectBackend({ backend: (process.argv[2] ?? "wasm") as "wasm", log: () => {} })
const r = new Rng(1)
const x = tf.tensor4d(r.normalArray(128 * 16 * 16 * 32), [128, 16, 16, 32])
const f = tf.tensor4d(r.normalArray(3 * 3 * 32 * 64), [3, 3, 32, 64])
const dy = tf.tensor4d(r.normalArray(128 * 16 * 16 * 64), [128, 16, 16, 64])
const time = (label: string, fn: () => tf.Tensor) => {
  fn().dispose()
  const t = performance.now()
  for (let i = 0; i < 2; i++) { const o = fn(); o.dataSync(); o.dispose() }
  console.log(label, ((performance.now() - t) / 2).toFixed(1), "ms")
}
time("conv2d fwd", () => tf.conv2d(x, f, 1, 1))
time("conv2dTranspose (dx)", () => tf.conv2dTranspose(dy, f, x.shape, 1, 1))
time("portable grad total", () => tf.tidy(() => { const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layers.conv2dPortableGrad(a as tf.Tensor4D, b as tf.Tensor4D, 1, 1), dy)))([x, f]); g[0]!.dispose(); return g[1]! }))
const xp = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
time("one tap stridedSlice", () => tf.stridedSlice(xp, [0, 1, 1, 0], [128, 17, 17, 32], [1, 1, 1, 1]))
time("one tap slice", () => tf.slice(xp, [0, 1, 1, 0], [128, 16, 16, 32]))
const w2 = tf.reshape(x, [-1, 32]) as tf.Tensor2D
const d2 = tf.reshape(dy, [-1, 64]) as tf.Tensor2D
time("one tap matMul transposeA", () => tf.matMul(w2, d2, true, false))
time("one tap transpose+matMul", () => tf.matMul(tf.transpose(w2), d2))
