/**
 * GFLOP/s of matmul (every transpose combination) and of the small CNN's convolutions
 * (forward, input gradient, filter gradient) at batch 128, per backend:
 *   npx tsx bench/kernels.ts [--backends native,cpu,wasm] [--seconds 0.5] [--batch 128]
 *     [--filter conv] [--json] [--include-slow-cpu]
 * The cpu backend takes seconds per call on the convolutions (it runs each case once) and
 * minutes on the filter gradients (skipped unless --include-slow-cpu).
 */
import "@tensorflow/tfjs-backend-cpu"
import { benchmarkKernels } from "../src/bench/kernels.js"
import { option } from "./backend.js"

const backends = option("backends", "native,cpu,wasm").split(",")
if (backends.includes("native")) await import("../src/index.js")
const rows = await benchmarkKernels({
  backends,
  secondsPerCase: Number(option("seconds", "0.5")),
  batch: Number(option("batch", "128")),
  filter: option("filter", "") || undefined,
  includeSlowCpu: process.argv.includes("--include-slow-cpu"),
  log: process.argv.includes("--json") ? undefined : (line) => console.log(line)
})
if (process.argv.includes("--json")) {
  console.log(JSON.stringify(rows, null, 1))
} else {
  // One line per case: GFLOP/s on each backend side by side.
  const cases = [...new Set(rows.map((r) => r.case))]
  console.log(`\n${"case".padEnd(40)} ${backends.map((b) => b.padStart(10)).join(" ")}   (GFLOP/s)`)
  for (const c of cases) {
    const cells = backends.map((b) => {
      const r = rows.find((x) => x.case === c && x.backend === b)
      return (r?.gflops === undefined ? "-" : r.gflops.toFixed(2)).padStart(10)
    })
    console.log(`${c.padEnd(40)} ${cells.join(" ")}`)
  }
}
