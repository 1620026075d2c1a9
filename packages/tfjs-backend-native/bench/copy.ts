/**
 * Per-call time of the data-movement kernels at the small CNN's shapes (batch 128), on the
 * native backend; run once as is and once with the copy kernels disabled for the cpu kernels'
 * time on the same backend:
 *   npx tsx bench/copy.ts [--repeats 5]
 *   SAMLAB_NATIVE_DISABLE=Slice,PadV2,Concat,SplitV npx tsx bench/copy.ts --repeats 3
 */
import * as tf from "@tensorflow/tfjs-core"
import { option, useBackend } from "./backend.js"

await useBackend("native")
const repeats = Number(option("repeats", "5"))

const filled = (shape: number[]): tf.Tensor => tf.tidy(() => tf.add(tf.zeros(shape), 1.5))
const windows = (call: number): [number, number] => [Math.floor(call / 3) % 3, call % 3]

const cases: Array<{ name: string; inputs: () => tf.Tensor[]; op: (xs: tf.Tensor[], call: number) => tf.Tensor | tf.Tensor[] }> = [
  {
    name: "Slice [128,18,18,32] -> [128,16,16,32] (9 windows)",
    inputs: () => [filled([128, 18, 18, 32])],
    op: ([x], call) => tf.slice(x!, [0, ...windows(call), 0], [128, 16, 16, 32])
  },
  { name: "SplitV [128,16,16,288] -> 9 x [128,16,16,32]", inputs: () => [filled([128, 16, 16, 288])], op: ([x]) => tf.split(x!, 9, 3) },
  {
    name: "Slice [128,10,10,64] -> [128,8,8,64] (9 windows)",
    inputs: () => [filled([128, 10, 10, 64])],
    op: ([x], call) => tf.slice(x!, [0, ...windows(call), 0], [128, 8, 8, 64])
  },
  {
    name: "Slice [128,34,34,3] -> [128,32,32,3] (9 windows)",
    inputs: () => [filled([128, 34, 34, 3])],
    op: ([x], call) => tf.slice(x!, [0, ...windows(call), 0], [128, 32, 32, 3])
  },
  { name: "SplitV [128,8,8,576] -> 9 x [128,8,8,64]", inputs: () => [filled([128, 8, 8, 576])], op: ([x]) => tf.split(x!, 9, 3) },
  {
    name: "PadV2 [128,16,16,32] -> [128,18,18,32]",
    inputs: () => [filled([128, 16, 16, 32])],
    op: ([x]) =>
      tf.pad(x!, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0]
      ])
  },
  {
    name: "PadV2 [128,8,8,64] -> [128,10,10,64]",
    inputs: () => [filled([128, 8, 8, 64])],
    op: ([x]) =>
      tf.pad(x!, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0]
      ])
  },
  {
    name: "Concat 9 x [128,16,16,32] along 3",
    inputs: () => Array.from({ length: 9 }, () => filled([128, 16, 16, 32])),
    op: (xs) => tf.concat(xs, 3)
  }
]

console.log(`disabled: ${process.env["SAMLAB_NATIVE_DISABLE"] ?? "none"}, ${repeats} timed calls after 1 warm-up`)
for (const c of cases) {
  const xs = c.inputs()
  const ms: number[] = []
  for (let call = 0; call <= repeats; call++) {
    const t0 = performance.now()
    const out = c.op(xs, call)
    const t = performance.now() - t0
    tf.dispose(out)
    if (call > 0) ms.push(t)
  }
  ms.sort((a, b) => a - b)
  console.log(
    `${c.name.padEnd(52)} min ${ms[0]!.toFixed(2).padStart(9)} ms  median ${ms[Math.floor(ms.length / 2)]!.toFixed(2).padStart(9)} ms  max ${ms.at(-1)!.toFixed(2).padStart(9)} ms`
  )
  tf.dispose(xs)
}
