/**
 * What a training step asks of the native backend's output pool, step by step: fresh bytes
 * allocated, arrays reused, bytes held and the pool's capacity.
 *   npx tsx bench/pool.ts [--model mlp|cnn|resnet8] [--batch 128]
 */
import * as tf from "@tensorflow/tfjs-core"
import { option, useBackend } from "./backend.js"
import { makeTrainer, type ModelName } from "./steps.js"
import { NativeBackend } from "../src/backend.js"
await useBackend("native")
const batch = Number(option("batch", "128"))
const tr = makeTrainer(option("model", "resnet8") as ModelName, "sgd", batch)
const be = tf.backend()
if (!(be instanceof NativeBackend)) throw new Error("the native backend did not load")
for (let i = 0; i < 4; i++) {
  const s0 = be.poolStats()
  const t0 = performance.now()
  tr.step()
  const s1 = be.poolStats()
  console.log(
    `batch ${batch} step ${i}: ${(performance.now() - t0).toFixed(0)} ms, fresh ${((s1.freshBytes - s0.freshBytes) / 2 ** 20).toFixed(0)} MB, reused ${s1.reused - s0.reused}, held ${(s1.heldBytes / 2 ** 20).toFixed(0)} of ${(s1.capacityBytes / 2 ** 20).toFixed(0)} MB, tensors ${tf.memory().numTensors}`
  )
}
tr.dispose()
