/**
 * Step time of the Jacobian regularizer against plain SGD (erm) on the reference MLP
 * (3072-512-512-10) and the small CNN (32-64-128 convs, dense 256), batch 128.
 * `npm run bench [-- --backend cpu|wasm|... --models mlp,cnn --variants sgd,jacreg,weighted --rounds 5 --steps 3 --warmup 1 --batch 128]`.
 * The methods are timed in alternating rounds (so load from other processes hits all) and
 * the median step of each is reported, in wall time and in this process's CPU time (user +
 * system; on a machine shared with other jobs the CPU time is the steadier of the two for the
 * single-threaded cpu backend). A benchmark: prints numbers, never fails.
 * (The wasm backend of tfjs 4.22 has no Conv2DBackpropFilter kernel: train the CNN on cpu.)
 */
import * as tf from "@tensorflow/tfjs-core"
import {
  type BackendName,
  type Model,
  Rng,
  type Stepper,
  type TrainingMethod,
  erm,
  referenceMlp,
  selectBackend,
  sgd,
  smallCnn,
  stepper,
  trainingForward
} from "@samlab/core-tensor"
import { makeJacobianRegMethod } from "../src/index.js"

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}
const rounds = Number(arg("rounds", "5"))
const stepsPerRound = Number(arg("steps", "3"))
const batch = Number(arg("batch", "128"))
const modelKeys = arg("models", "mlp,cnn").split(",")
const variants = arg("variants", "sgd,jacreg,weighted").split(",")
const warmup = Number(arg("warmup", "1"))

interface Run {
  readonly run: Stepper<unknown>
  readonly name: string
  readonly times: number[]
  readonly cpuTimes: number[]
}

const timeSteps = (run: Run, x: tf.Tensor, y: tf.Tensor1D, steps: number, record: boolean): void => {
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    run.run.step({ x, y })
    const c1 = process.cpuUsage(c0)
    if (record) {
      run.times.push(performance.now() - t0)
      run.cpuTimes.push((c1.user + c1.system) / 1000)
    }
    process.stderr.write(
      `  ${run.name}: ${(performance.now() - t0).toFixed(0)} ms wall, ${((c1.user + c1.system) / 1000).toFixed(0)} ms cpu${record ? "" : " (warm-up)"}\n`
    )
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

const bench = (label: string, model: Model): void => {
  const rng = new Rng(0)
  const x = tf.tensor(rng.fork("x").normalArray(batch * 3072), [batch, 32, 32, 3])
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % model.numClasses),
    "int32"
  )
  const base = () => sgd({ lr: 0.01, momentum: 0.9, weightDecay: 5e-4 })
  const runs: Record<string, Run> = {}
  const add = (key: string, method: TrainingMethod<any>) => {
    runs[key] = { run: stepper({ method, forward: trainingForward(model), params: model.init(rng.fork("init")) }), name: method.name, times: [], cpuTimes: [] }
  }
  add("sgd", erm(base())) // always: the reference
  if (variants.includes("jacreg")) add("jacreg", makeJacobianRegMethod({ base: base(), headWeight: model.headWeight }))
  if (variants.includes("weighted"))
    add(
      "jacreg (unsquared, logit-term weighted)",
      makeJacobianRegMethod({ base: base(), headWeight: model.headWeight, norm: "unsquared", featureWeighting: "logit-term" })
    )
  for (const run of Object.values(runs)) timeSteps(run, x, y, warmup, false)
  for (let r = 0; r < rounds; r++) for (const run of Object.values(runs)) timeSteps(run, x, y, stepsPerRound, true)
  const sgdMs = median(runs["sgd"]!.times)
  const sgdCpu = median(runs["sgd"]!.cpuTimes)
  for (const [key, run] of Object.entries(runs)) {
    const ms = median(run.times)
    const cpu = median(run.cpuTimes)
    console.log(
      `${label.padEnd(5)} ${key.padEnd(40)} wall ${ms.toFixed(1).padStart(8)} ms/step ${(ms / sgdMs).toFixed(3)}x sgd | cpu ${cpu.toFixed(1).padStart(8)} ms/step ${(cpu / sgdCpu).toFixed(3)}x sgd`
    )
    run.run.dispose()
  }
  tf.dispose([x, y])
}

const backend = arg("backend", "auto") as BackendName | "auto"
const info = await selectBackend({ backend, log: () => {} })
console.log(`backend ${info.name}, batch ${batch}, ${rounds} rounds x ${stepsPerRound} steps per method (median)`)
if (modelKeys.includes("mlp")) bench("mlp", referenceMlp())
if (modelKeys.includes("cnn")) bench("cnn", smallCnn())
