/**
 * Time spent in each convolution kernel inside real training steps (no tf.profile, whose own
 * overhead inflates kernel times), per distinct shape and summed per step:
 *   npx tsx bench/step-convs.ts [--model cnn|resnet8] [--method sgd|sam] [--steps 5] [--warmup 3] [--batch 128]
 * Compare with the same shapes in isolation to see what a step adds to its convolutions.
 */
import * as tf from "@tensorflow/tfjs-core"
import { option, useBackend } from "./backend.js"
import { type MethodName, type ModelName, makeTrainer } from "./steps.js"

const model = option("model", "resnet8") as ModelName
const method = option("method", "sgd") as MethodName
const steps = Number(option("steps", "5"))
const warmup = Number(option("warmup", "3"))
const batch = Number(option("batch", "128"))

await useBackend("native")
const spent = new Map<string, number>()
const backend = tf.getBackend()
// Re-registers the three kernels with a timing wrapper around the native ones.
for (const name of ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"]) {
  const kernel = tf.getKernel(name, backend)
  if (kernel === undefined) throw new Error(`${name} is not registered on ${backend}`)
  tf.unregisterKernel(name, backend)
  tf.registerKernel({
    ...kernel,
    kernelFunc: (args) => {
      const shapes = Object.values(args.inputs).map((t) => (t as tf.Tensor).shape.join("x"))
      const key = `${name} ${shapes.join(" ")} strides ${JSON.stringify((args.attrs as { strides?: unknown }).strides)}`
      const t0 = performance.now()
      const out = kernel.kernelFunc(args)
      spent.set(key, (spent.get(key) ?? 0) + performance.now() - t0)
      return out
    }
  })
}

const trainer = makeTrainer(model, method, batch)
for (let i = 0; i < warmup; i++) trainer.step()
spent.clear()
const t0 = performance.now()
for (let i = 0; i < steps; i++) trainer.step()
const stepMs = (performance.now() - t0) / steps
trainer.dispose()
let total = 0
for (const [key, ms] of [...spent].sort(([a], [b]) => a.localeCompare(b))) {
  total += ms / steps
  console.log(`${key}: ${(ms / steps).toFixed(2)} ms per step`)
}
console.log(`${model} ${method} batch ${batch}: convolutions ${total.toFixed(1)} ms of a ${stepMs.toFixed(1)} ms step`)
