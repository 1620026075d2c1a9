import { execFileSync, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { type BackendName, type Model, type Params, Rng, backendNames, disposeParams, referenceMlp, selectBackend, smallCnn } from "@samlab/core-tensor"
import { type MethodKey, type ModelSpecConfig, makeMethod, methodKeys } from "@samlab/steps"
import * as tf from "@tensorflow/tfjs-core"
import { UsageError, numberOption, parseArgs, rejectUnknown, single } from "../args.js"

export interface BenchRow {
  readonly model: "mlp" | "cnn"
  readonly method: MethodKey
  readonly batch: number
  readonly msPerStep: number
  readonly examplesPerSecond: number
}

const models: Record<"mlp" | "cnn", { spec: ModelSpecConfig; make: () => Model }> = {
  mlp: { spec: { kind: "mlp", hidden: [512, 512] }, make: () => referenceMlp() },
  cnn: { spec: { kind: "cnn" }, make: () => smallCnn() }
}

/** Median wall time of `steps` training steps after `warmup`, on one fixed random batch. */
const timeMethod = (spec: ModelSpecConfig, model: Model, key: MethodKey, batch: number, warmup: number, steps: number, maxSeconds: number): number => {
  const rng = new Rng(0)
  const method = makeMethod(key, { rho: 0.05, chunkSize: 0, lambdaFeatures: 1e-3, lambdaHead: 1e-3, weightByLogitTerm: false }, { kind: "sgd", lr: 0.01, momentum: 0.9, weightDecay: 5e-4, schedule: "constant" }, 1, { spec, model })
  let params: Params = model.init(rng.fork("init"))
  let state = method.init(params)
  const x = tf.tensor(rng.fork("x").normalArray(batch * 3072), [batch, 32, 32, 3])
  const y = tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => i % model.numClasses), "int32")
  const modelState = model.initState()
  const forward = (p: Params, input: tf.Tensor) => model.apply(p, input, { training: true, state: modelState })
  const times: number[] = []
  const started = performance.now()
  try {
    for (let s = 0; s < warmup + steps; s++) {
      const t0 = performance.now()
      const r = method.step(params, state, { x, y }, forward, s + 1)
      disposeParams(params, r.modelState)
      method.disposeState(state)
      params = r.params
      state = r.state
      if (s >= warmup) times.push(performance.now() - t0)
      if (s >= warmup && (performance.now() - started) / 1000 > maxSeconds) break
    }
  } finally {
    disposeParams(params, modelState)
    method.disposeState(state)
    tf.dispose([x, y])
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

/** PyTorch timings of the same models and steps, where Debian's python3-torch is installed (benchmark only). */
const torchTimings = (batch: number, models: readonly string[]): unknown => {
  const script = fileURLToPath(new URL("../../../../packages/tfjs-backend-native/bench/torch_bench.py", import.meta.url))
  if (!existsSync(script)) return undefined
  // Debian's python3-torch lives in the system interpreter, which a pyenv python3 on PATH may hide
  const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0)
  if (!python) return undefined
  try {
    return JSON.parse(execFileSync(python, [script, "--batch", String(batch), "--models", models.join(",")], { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" }, stdio: ["ignore", "pipe", "ignore"] }))
  } catch {
    return undefined
  }
}

/** `samlab bench [--json] [--backend NAME] [--models mlp,cnn] [--methods sgd,sam,...] [--batch 128] [--steps 10] [--max-seconds 20]` */
export const benchCommand = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv, ["json", "torch"])
  rejectUnknown(args, ["json", "torch", "backend", "models", "methods", "batch", "steps", "max-seconds", "warmup"])
  const backend = single(args, "backend") ?? "auto"
  if (backend !== "auto" && !(backendNames as readonly string[]).includes(backend)) throw new UsageError(`--backend must be auto or one of ${backendNames.join(", ")}`)
  const modelKeys = (single(args, "models") ?? "mlp,cnn").split(",") as Array<"mlp" | "cnn">
  for (const m of modelKeys) if (!(m in models)) throw new UsageError(`unknown model "${m}" (expected mlp, cnn)`)
  const methods = (single(args, "methods") ?? methodKeys.join(",")).split(",") as MethodKey[]
  for (const m of methods) if (!(methodKeys as readonly string[]).includes(m)) throw new UsageError(`unknown method "${m}" (expected ${methodKeys.join(", ")})`)
  const batch = numberOption(args, "batch") ?? 128
  const steps = numberOption(args, "steps") ?? 10
  const warmup = numberOption(args, "warmup") ?? 2
  const maxSeconds = numberOption(args, "max-seconds") ?? 20
  const json = args.flags.has("json")
  const info = await selectBackend({ backend: backend as BackendName | "auto", log: json ? () => {} : undefined })
  const results: BenchRow[] = []
  for (const m of modelKeys) {
    const model = models[m].make()
    for (const key of methods) {
      const msPerStep = timeMethod(models[m].spec, model, key, batch, warmup, steps, maxSeconds)
      const row = { model: m, method: key, batch, msPerStep: Number(msPerStep.toFixed(2)), examplesPerSecond: Number(((1000 * batch) / msPerStep).toFixed(1)) }
      results.push(row)
      if (!json) {
        const sgd = results.find((r) => r.model === m && r.method === "sgd")
        process.stdout.write(`${m.padEnd(4)} ${key.padEnd(7)} ${row.msPerStep.toFixed(1).padStart(9)} ms/step ${row.examplesPerSecond.toFixed(0).padStart(7)} ex/s${sgd ? `  x${(row.msPerStep / sgd.msPerStep).toFixed(2)} SGD` : ""}\n`)
      }
    }
  }
  const pytorch = args.flags.has("torch") ? torchTimings(batch, modelKeys) : undefined
  if (json) process.stdout.write(`${JSON.stringify({ backend: info.name, results, ...(pytorch ? { pytorch } : {}) })}\n`)
  else if (pytorch) process.stdout.write(`pytorch: ${JSON.stringify(pytorch)}\n`)
  return 0
}
