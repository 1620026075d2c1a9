import { execFileSync, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import {
  type BackendName,
  type Model,
  type ModelSpec,
  Rng,
  backendNames,
  referenceMlp,
  resnet,
  resnet18,
  selectBackend,
  smallCnn,
  stepper,
  trainingForward
} from "@samlab/core-tensor"
import { unknownMethodKeyMessage } from "@samlab/optim-sam"
import { type MethodKey, baselineMethod, defaultMethodOptions, makeMethod, methodKeys } from "@samlab/steps"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { commandFailure } from "../errors.js"
import { stepFlops } from "../flops.js"
import { type KernelTime, kernelTimes } from "../kernel-times.js"

type BenchModel = "mlp" | "cnn" | "resnet8" | "resnet18"

export interface BenchRow {
  readonly model: BenchModel
  readonly method: MethodKey
  readonly batch: number
  readonly msPerStep: number
  /** How many steps were timed (at least --steps, and --min-seconds of them). */
  readonly timedSteps: number
  readonly examplesPerSecond: number
  /** Matrix-product and convolution work of one step (GFLOP), from a profiled step. */
  readonly gflopPerStep: number
  readonly gflops: number
  /** `gflops` over the measured peak, when the native addon could measure it. */
  readonly peakFraction?: number
  /** With `--kernels N`: the profiled step's N costliest kernels (none where the backend has no timers). */
  readonly kernels?: readonly KernelTime[]
}

const models: Record<BenchModel, { spec: ModelSpec; make: () => Model }> = {
  mlp: { spec: { kind: "mlp", hidden: [512, 512] }, make: () => referenceMlp() },
  cnn: { spec: { kind: "cnn" }, make: () => smallCnn() },
  // the cpu-cnn preset's conv net with batch norm
  resnet8: { spec: { kind: "resnet", blocks: [1, 1, 1], width: 16 }, make: () => resnet({ blocks: [1, 1, 1], width: 16 }) },
  resnet18: { spec: { kind: "resnet18" }, make: () => resnet18() }
}

/** The fp32 peak from the native addon's FMA loop, or undefined where the addon is not built. */
const measuredPeak = async (): Promise<{ gflops: number; threads: number } | undefined> => {
  try {
    const native = await import("@samlab/tfjs-backend-native")
    return native.measureNativePeak(1e8)
  } catch {
    return undefined
  }
}

/** A stepper for `key` on `model` with one fixed random batch (the same for every case); `dispose` frees all three. */
const benchRun = (spec: ModelSpec, model: Model, key: MethodKey, batch: number) => {
  const rng = new Rng(0)
  const method = makeMethod(key, defaultMethodOptions, { kind: "sgd", lr: 0.01, momentum: 0.9, weightDecay: 5e-4, schedule: "constant" }, 1, { spec, model })
  const run = stepper({ method, forward: trainingForward(model), params: model.init(rng.fork("init")), modelState: model.initState() })
  const x = tf.tensor(rng.fork("x").normalArray(batch * 3072), [batch, 32, 32, 3])
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % model.numClasses),
    "int32"
  )
  const dispose = (): void => {
    run.dispose()
    tf.dispose([x, y])
  }
  return { step: () => run.step({ x, y }), dispose }
}

/**
 * Untimed MLP steps of each method to be timed, in turn, for `seconds` before the first case.
 * V8 compiles tfjs's and samlab's code over a process's first ~100-150 steps, and on 2 cores
 * its compiler threads take time from the kernels' (native MLP SGD steps took 9-10 ms over the
 * first 50 and about 6-7 ms from the 100th on), so without these the first cases would be timed
 * cold; PyTorch's script, which compiles nothing, takes 40 untimed MLP steps (its --prewarm).
 */
const prewarm = (seconds: number, methods: readonly MethodKey[], batch: number): void => {
  if (seconds <= 0) return
  const runs: ReturnType<typeof benchRun>[] = []
  try {
    for (const key of methods) runs.push(benchRun(models.mlp.spec, models.mlp.make(), key, batch))
    const until = performance.now() + 1000 * seconds
    do {
      for (const run of runs) run.step()
    } while (performance.now() < until)
  } finally {
    for (const run of runs) run.dispose()
  }
}

/** How each case is timed: `warmup` untimed steps, then at least `steps` timed ones and at least `minSeconds` of timed steps, stopping once `maxSeconds` have passed. */
interface CaseTiming {
  readonly warmup: number
  readonly steps: number
  readonly minSeconds: number
  readonly maxSeconds: number
  /** The profiled step's costliest kernels to list. */
  readonly topKernels: number
}

/**
 * Median wall time of a case's timed steps (`timing`), on one fixed random batch, and the FLOPs
 * of one more (profiled) step. Timing fast steps for `minSeconds` keeps a burst of the
 * neighbours' load from deciding the median of a handful of 5 ms steps.
 */
const timeMethod = async (
  spec: ModelSpec,
  model: Model,
  key: MethodKey,
  batch: number,
  timing: CaseTiming
): Promise<{ ms: number; timedSteps: number; flops: number; kernels: KernelTime[] }> => {
  const run = benchRun(spec, model, key, batch)
  const times: number[] = []
  let timedMs = 0
  const started = performance.now()
  try {
    for (let s = 0; ; s++) {
      const t0 = performance.now()
      run.step()
      if (s < timing.warmup) continue
      const ms = performance.now() - t0
      times.push(ms)
      timedMs += ms
      if ((performance.now() - started) / 1000 > timing.maxSeconds) break
      if (times.length >= timing.steps && timedMs / 1000 >= timing.minSeconds) break
    }
    const profile = await tf.profile(() => run.step())
    times.sort((x, y) => x - y)
    return {
      ms: times[Math.floor(times.length / 2)]!,
      timedSteps: times.length,
      flops: stepFlops(profile.kernels),
      kernels: kernelTimes(profile.kernels, timing.topKernels)
    }
  } finally {
    run.dispose()
  }
}

interface TorchRow {
  readonly model: string
  readonly method: string
  readonly medianMs: number
}

/**
 * PyTorch's step times for the same models and steps (SGD and SAM), where Debian's python3-torch
 * is installed: each case's best over two OpenBLAS settings (the machine's OPENBLAS_CORETYPE,
 * and OpenBLAS's own detection with it unset), so samlab is compared with PyTorch at its best here.
 */
/** The PyTorch script's names for the methods it times: plain SGD is samlab's `erm` over the SGD base. */
const torchMethods: Partial<Record<string, string>> = { erm: "sgd", sam: "sam" }

/**
 * The PyTorch script shipped in this package's `torch/` folder: one level up from the built
 * `dist/main.js`, two from this source file (the bin runs sources inside the repository).
 */
export const torchBenchScript = (): string | undefined =>
  ["../torch/torch_bench.py", "../../torch/torch_bench.py"].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((path) => existsSync(path))

const torchTimings = (batch: number, modelKeys: readonly string[], minSeconds: number): { torch: string; results: TorchRow[] } | undefined => {
  const script = torchBenchScript()
  if (script === undefined) return undefined
  // Debian's python3-torch lives in the system interpreter, which a pyenv python3 on PATH may hide
  const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0)
  if (!python) return undefined
  const { OPENBLAS_CORETYPE: _coretype, OPENBLAS_L2_SIZE: _l2, ...detected } = process.env
  const runs = [process.env, detected].flatMap((env) => {
    try {
      return [
        JSON.parse(
          execFileSync(
            python,
            [
              script,
              "--batch",
              String(batch),
              "--models",
              modelKeys.join(","),
              "--methods",
              Object.values(torchMethods).join(","),
              "--min-seconds",
              String(minSeconds)
            ],
            {
              encoding: "utf8",
              env: { ...env, OPENBLAS_NUM_THREADS: "1" },
              stdio: ["ignore", "pipe", "ignore"]
            }
          )
        ) as { torch: string; results: TorchRow[] }
      ]
    } catch {
      return []
    }
  })
  if (runs.length === 0) return undefined
  const best = new Map<string, TorchRow>()
  for (const r of runs.flatMap((run) => run.results)) {
    const key = `${r.model} ${r.method}`
    if (!best.has(key) || best.get(key)!.medianMs > r.medianMs) best.set(key, r)
  }
  return { torch: runs[0]!.torch, results: [...best.values()] }
}

export interface BenchOptions {
  readonly json: boolean
  readonly torch: boolean
  readonly backend: BackendName | "auto"
  readonly models: readonly BenchModel[]
  readonly methods: readonly MethodKey[]
  readonly batch: number
  readonly steps: number
  readonly warmup: number
  readonly minSeconds: number
  readonly maxSeconds: number
  readonly kernels: number
  readonly prewarmSeconds: number
}

const bench = async (o: BenchOptions): Promise<void> => {
  const { json, batch, steps, warmup, minSeconds, maxSeconds, methods, backend } = o
  const timing: CaseTiming = { warmup, steps, minSeconds, maxSeconds, topKernels: o.kernels }
  const modelKeys = o.models
  const info = await selectBackend({ backend: backend as BackendName | "auto", log: json ? () => {} : undefined })
  const peak = await measuredPeak()
  const say = (line: string) => (json ? undefined : process.stdout.write(`${line}\n`))
  say(
    peak
      ? `peak ${peak.gflops.toFixed(0)} GFLOP/s fp32 (FMA loop on ${peak.threads} threads); GFLOP/s below count matrix products and convolutions as direct products (a Winograd convolution does fewer, so its share can pass 100%)`
      : "peak unknown (the native addon, which measures it, is not built)"
  )
  prewarm(o.prewarmSeconds, methods, batch)
  const results: BenchRow[] = []
  for (const m of modelKeys) {
    const model = models[m].make()
    for (const key of methods) {
      const { ms, timedSteps, flops, kernels } = await timeMethod(models[m].spec, model, key, batch, timing)
      const gflops = flops / ms / 1e6
      const row: BenchRow = {
        model: m,
        method: key,
        batch,
        msPerStep: Number(ms.toFixed(2)),
        timedSteps,
        examplesPerSecond: Number(((1000 * batch) / ms).toFixed(1)),
        gflopPerStep: Number((flops / 1e9).toFixed(3)),
        gflops: Number(gflops.toFixed(1)),
        ...(peak ? { peakFraction: Number((gflops / peak.gflops).toFixed(3)) } : {}),
        ...(o.kernels > 0 ? { kernels } : {})
      }
      results.push(row)
      const baseline = results.find((r) => r.model === m && r.method === baselineMethod)
      say(
        `${m.padEnd(8)} ${key.padEnd(7)} ${row.msPerStep.toFixed(1).padStart(9)} ms/step ${row.examplesPerSecond.toFixed(0).padStart(7)} ex/s ${row.gflops.toFixed(0).padStart(5)} GFLOP/s${row.peakFraction !== undefined ? ` (${(100 * row.peakFraction).toFixed(0)}% of peak)` : ""}${baseline ? `  x${(row.msPerStep / baseline.msPerStep).toFixed(2)} SGD` : ""}`
      )
      for (const k of kernels) say(`    ${k.name.padEnd(28)} ${k.ms.toFixed(2).padStart(9)} ms ${(100 * k.share).toFixed(0).padStart(3)}%  ${k.calls} calls`)
    }
  }
  const pytorch = o.torch ? torchTimings(batch, modelKeys, minSeconds) : undefined
  const ratios = (pytorch?.results ?? []).flatMap((t) => {
    const ours = results.find((r) => r.model === t.model && torchMethods[r.method] === t.method)
    return ours
      ? [
          {
            model: t.model,
            method: ours.method,
            pytorchMs: t.medianMs,
            samlabMs: ours.msPerStep,
            throughputRatio: Number((t.medianMs / ours.msPerStep).toFixed(2))
          }
        ]
      : []
  })
  if (json) process.stdout.write(`${JSON.stringify({ backend: info.name, ...(peak ? { peak } : {}), results, ...(pytorch ? { pytorch, ratios } : {}) })}\n`)
  else if (o.torch) {
    if (!pytorch) say("pytorch: not available (apt-get install -y python3-torch libopenblas0-pthread)")
    else
      for (const r of ratios)
        say(`vs PyTorch ${pytorch.torch}: ${r.model} ${r.method} ${r.pytorchMs.toFixed(1)} ms, samlab ${r.throughputRatio.toFixed(2)}x its throughput`)
  }
}

/** A comma-separated list of names from `allowed`; `unknown` says what is wrong with a name outside it. */
const listFlag = <A extends string>(
  name: string,
  allowed: readonly A[],
  fallback: readonly A[],
  description: string,
  unknown: (name: string) => string = (n) => `unknown ${name} "${n}" (expected ${allowed.join(", ")})`
) =>
  Flag.String(name).pipe(
    Flag.withDefault(fallback.join(",")),
    Flag.withDescription(`${description} (comma-separated: ${allowed.join(", ")})`),
    Flag.mapTryCatch(
      (raw) => {
        const names = raw.split(",").filter((n) => n.length > 0)
        const bad = names.find((n) => !(allowed as readonly string[]).includes(n))
        if (bad !== undefined || names.length === 0) throw new Error(unknown(bad ?? raw))
        return names as A[]
      },
      (e) => (e instanceof Error ? e.message : String(e))
    )
  )

export const benchCli = Command.make(
  "bench",
  {
    json: Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("print one JSON object")),
    torch: Flag.Boolean("torch").pipe(
      Flag.withDefault(false),
      Flag.withDescription("also time PyTorch's same steps (Debian's python3-torch) and print the ratios")
    ),
    backend: Flag.Literals("backend", ["auto", ...backendNames]).pipe(Flag.withDefault("auto" as const), Flag.withDescription("tfjs backend")),
    models: listFlag("models", Object.keys(models) as BenchModel[], ["mlp", "cnn"], "models"),
    methods: listFlag("methods", methodKeys, methodKeys, "methods", (n) => `--methods: ${unknownMethodKeyMessage(n, methodKeys)}`),
    batch: Flag.Int("batch").pipe(Flag.withDefault(128), Flag.withDescription("batch size")),
    steps: Flag.Int("steps").pipe(Flag.withDefault(10), Flag.withDescription("timed steps per method")),
    warmup: Flag.Int("warmup").pipe(Flag.withDefault(2), Flag.withDescription("untimed steps first")),
    minSeconds: Flag.Finite("min-seconds").pipe(
      Flag.withDefault(1),
      Flag.withDescription("time a method's steps past --steps until they add up to this many seconds (PyTorch's too)")
    ),
    maxSeconds: Flag.Finite("max-seconds").pipe(Flag.withDefault(20), Flag.withDescription("stop timing a method after this many seconds")),
    prewarmSeconds: Flag.Finite("prewarm-seconds").pipe(
      Flag.withDefault(3),
      Flag.withDescription("untimed MLP steps of each method in turn for this long before the first case, while V8 compiles (0: none)")
    ),
    kernels: Flag.Int("kernels").pipe(
      Flag.withDefault(0),
      Flag.withDescription("also list the N costliest kernels of one profiled step, by the backend's own kernel timers")
    )
  },
  (o) => Effect.tryPromise({ try: () => bench(o), catch: commandFailure("bench") })
).pipe(Command.withDescription("time each method's training step, with GFLOP/s and the share of the machine's measured peak"))
