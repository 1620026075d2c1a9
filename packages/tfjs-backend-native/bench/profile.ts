/**
 * Where a training step spends its time, by tfjs kernel (tf.profile):
 *   npx tsx bench/profile.ts [--backend native|cpu] [--model mlp|cnn|resnet8] [--method sgd|sam] [--batch 128] [--warmup 3] [--top 20]
 */
import * as tf from "@tensorflow/tfjs-core"
import { option, useBackend } from "./backend.js"
import { type MethodName, type ModelName, makeTrainer } from "./steps.js"

const backend = option("backend", "native")
const model = option("model", "mlp") as ModelName
const method = option("method", "sgd") as MethodName
const batch = Number(option("batch", "128"))
const warmup = Number(option("warmup", "3"))

await useBackend(backend)
const trainer = makeTrainer(model, method, batch)
for (let i = 0; i < warmup; i++) trainer.step()
const t0 = performance.now()
const info = await tf.profile(() => {
  trainer.step()
})
const wall = performance.now() - t0
const byKernel = new Map<string, { ms: number; calls: number; shapes: Set<string> }>()
for (const k of info.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0, shapes: new Set<string>() }
  e.ms += Number(k.kernelTimeMs)
  e.calls++
  if (e.shapes.size < 3) e.shapes.add(k.inputShapes.map((s) => `[${s}]`).join(","))
  byKernel.set(k.name, e)
}
const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms)
const total = rows.reduce((s, [, e]) => s + e.ms, 0)
console.log(`${backend} ${model} ${method} batch ${batch}: kernels ${total.toFixed(1)} ms of ${wall.toFixed(1)} ms wall (profiling adds overhead)`)
for (const [name, e] of rows) {
  console.log(
    `${name.padEnd(24)} ${e.ms.toFixed(2).padStart(9)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  x${e.calls}  ${[...e.shapes].join("  ")}`
  )
}
const top = Number(option("top", "0"))
if (top > 0) {
  console.log(`\nslowest ${top} calls:`)
  for (const k of [...info.kernels].sort((a, b) => Number(b.kernelTimeMs) - Number(a.kernelTimeMs)).slice(0, top)) {
    console.log(`${k.name.padEnd(24)} ${Number(k.kernelTimeMs).toFixed(2).padStart(9)} ms  ${k.inputShapes.map((s) => `[${s}]`).join(",")}`)
  }
}
trainer.dispose()
if (backend === "native") {
  const { nativeKernelStats } = await import("../src/index.js")
  const stats = nativeKernelStats()
  const fallbacks = Object.entries(stats.fallback)
  console.log(`cpu fallbacks: ${fallbacks.length ? fallbacks.map(([k, n]) => `${k} x${n}`).join(", ") : "none"}`)
}
