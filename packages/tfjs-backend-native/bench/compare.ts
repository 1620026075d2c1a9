/**
 * Native backend vs PyTorch CPU on the same SGD and SAM steps (batch 128), alternating
 * rounds so both see the same machine state; reports each side's best round (the median
 * step of that round) as a table and a JSON line.
 *   npx tsx bench/compare.ts [--rounds 2] [--steps 15] [--warmup 5] [--python /usr/bin/python3]
 * PyTorch comes from Debian's python3-torch (see bench/torch_bench.py); without it only
 * the native numbers are printed. On a loaded machine, run it under `chrt -f 10` (root).
 */
import { execFileSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { option, useBackend } from "./backend.js"
import { type MethodName, type ModelName, makeTrainer } from "./steps.js"

const rounds = Number(option("rounds", "2"))
const steps = Number(option("steps", "15"))
const warmup = Number(option("warmup", "5"))
const python = option("python", "/usr/bin/python3")
const cases: Array<[ModelName, MethodName]> = [
  ["mlp", "sgd"],
  ["mlp", "sam"],
  ["cnn", "sgd"],
  ["cnn", "sam"]
]
const key = (m: string, k: string) => `${m} ${k}`

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const nativeRound = (): Map<string, number> => {
  const out = new Map<string, number>()
  for (const [model, method] of cases) {
    const t = makeTrainer(model, method, 128)
    for (let i = 0; i < warmup; i++) t.step()
    const times: number[] = []
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now()
      t.step()
      times.push(performance.now() - t0)
    }
    t.dispose()
    out.set(key(model, method), median(times))
  }
  return out
}

const torchRound = (): Map<string, number> | string => {
  try {
    const script = join(dirname(fileURLToPath(import.meta.url)), "../../../tools/cli/torch/torch_bench.py")
    const stdout = execFileSync(python, [script, "--steps", String(steps), "--warmup", String(warmup)], {
      encoding: "utf8",
      env: { ...process.env, OPENBLAS_NUM_THREADS: "1" }
    })
    const parsed = JSON.parse(stdout.trim().split("\n").pop()!) as { error?: string; results?: Array<{ model: string; method: string; medianMs: number }> }
    if (parsed.error || !parsed.results) return parsed.error ?? "no results"
    return new Map(parsed.results.map((r) => [key(r.model, r.method), r.medianMs]))
  } catch (e) {
    return e instanceof Error ? e.message.split("\n")[0]! : String(e)
  }
}

await useBackend("native")
const native: Map<string, number>[] = []
const torch: Map<string, number>[] = []
let torchMissing: string | undefined
for (let r = 0; r < rounds; r++) {
  native.push(nativeRound())
  const t = torchRound()
  if (typeof t === "string") torchMissing = t
  else torch.push(t)
}
const best = (runs: Map<string, number>[], k: string) => (runs.length ? Math.min(...runs.map((m) => m.get(k) ?? Infinity)) : undefined)
console.log(`${"step (batch 128)".padEnd(18)} ${"native ms".padStart(10)} ${"torch ms".padStart(10)} ${"native/torch throughput".padStart(24)}`)
const rows = cases.map(([model, method]) => {
  const k = key(model, method)
  const n = best(native, k)!
  const t = best(torch, k)
  console.log(
    `${k.padEnd(18)} ${n.toFixed(1).padStart(10)} ${(t === undefined ? "-" : t.toFixed(1)).padStart(10)} ${(t === undefined ? "-" : `${(t / n).toFixed(2)}x`).padStart(24)}`
  )
  return { model, method, nativeMs: +n.toFixed(2), torchMs: t === undefined ? null : +t.toFixed(2) }
})
if (torchMissing) console.log(`PyTorch not measured: ${torchMissing}`)
console.log(JSON.stringify({ rounds, steps, rows }))
