/**
 * Step time of SGD and SAM training steps at batch 128 on a tfjs backend, as JSON lines:
 *   npx tsx bench/train-step.ts [--backend native|cpu|wasm] [--model mlp|cnn|all]
 *     [--method sgd|sam|all] [--steps 10] [--warmup 3] [--batch 128]
 * Compare with `python3 tools/cli/torch/torch_bench.py` on the same machine, in the same minute.
 */
import * as tf from "@tensorflow/tfjs-core"
import { option, useBackend } from "./backend.js"
import { type MethodName, type ModelName, makeTrainer } from "./steps.js"

const backend = option("backend", "native")
const models = (option("model", "all") === "all" ? ["mlp", "cnn"] : [option("model", "mlp")]) as ModelName[]
const methods = (option("method", "all") === "all" ? ["sgd", "sam"] : [option("method", "sgd")]) as MethodName[]
const steps = Number(option("steps", "10"))
const batch = Number(option("batch", "128"))
const warmup = Number(option("warmup", "3"))

await useBackend(backend)
for (const model of models) {
  for (const method of methods) {
    const trainer = makeTrainer(model, method, batch)
    for (let i = 0; i < warmup; i++) trainer.step() // first-call allocations, thread-pool start, pool fill
    const times: number[] = []
    let loss = NaN
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now()
      loss = trainer.step()
      times.push(performance.now() - t0)
    }
    trainer.dispose()
    times.sort((a, b) => a - b)
    const median = times[Math.floor(times.length / 2)]!
    console.log(
      JSON.stringify({
        backend,
        model,
        method,
        batch,
        steps,
        medianMs: +median.toFixed(2),
        minMs: +times[0]!.toFixed(2),
        examplesPerSec: Math.round((batch * 1000) / median),
        loss: +loss.toFixed(4),
        tensors: tf.memory().numTensors
      })
    )
  }
}
