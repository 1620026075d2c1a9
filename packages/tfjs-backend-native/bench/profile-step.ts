/**
 * Where a training step spends its time, kernel by kernel (tf.profile), on one backend.
 *   npx tsx bench/profile-step.ts [cpu|native|wasm] [mlp|cnn] [steps]
 */
import * as tf from "@tensorflow/tfjs-core"
import { selectBackend } from "@samlab/core-tensor"
import { type ModelName, makeTrainingStep } from "./training-steps.js"

const backend = (process.argv[2] ?? "cpu") as "cpu" | "native" | "wasm"
const which = (process.argv[3] ?? "mlp") as ModelName
const steps = Number(process.argv[4] ?? 3)

await selectBackend({ backend, log: () => {} })
const run = makeTrainingStep(which)
run.step() // warm-up
const totals = new Map<string, { ms: number; calls: number; shapes: Set<string> }>()
let wall = 0
for (let s = 0; s < steps; ++s) {
  const t0 = performance.now()
  const info = await tf.profile(() => {
    run.step()
  })
  wall += performance.now() - t0
  for (const k of info.kernels) {
    const row = totals.get(k.name) ?? { ms: 0, calls: 0, shapes: new Set<string>() }
    row.ms += Number(k.kernelTimeMs)
    row.calls += 1
    if (row.shapes.size < 4) row.shapes.add(k.inputShapes.map((s) => `[${s}]`).join("x"))
    totals.set(k.name, row)
  }
}
run.dispose()
const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms)
const kernelMs = rows.reduce((a, [, r]) => a + r.ms, 0)
console.log(`${backend} ${which}: ${(wall / steps).toFixed(1)} ms/step (profiled), kernels ${(kernelMs / steps).toFixed(1)} ms/step`)
for (const [name, r] of rows.slice(0, 25)) {
  console.log(`${name.padEnd(24)} ${(r.ms / steps).toFixed(2).padStart(9)} ms  ${String(r.calls / steps).padStart(5)} calls  ${[...r.shapes].join("  ")}`)
}
