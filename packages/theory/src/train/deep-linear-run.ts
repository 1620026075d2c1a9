import * as tf from "@tensorflow/tfjs-core"
import { Rng, twoLayerLinear } from "@samlab/core-tensor"
import { jsamTwoLayerObjective } from "../closed-form/jsam-two-layer.js"
import { binaryMetrics } from "../metrics/binary-metrics.js"
import { requireFinite, requireInt } from "../errors.js"
import type { NoisyMixture } from "../data/mixture.js"
import {
  type TwoLayerParams,
  jsamObjectiveGradient,
  jsamPerExampleGradients,
  twoLayerActivations,
  twoLayerLossGradient,
  twoLayerOutputs
} from "./two-layer-linear.js"

export const deepLinearTrainers = ["jsam", "objective", "gd"] as const
export type DeepLinearTrainer = (typeof deepLinearTrainers)[number]

export interface DeepLinearRunOptions {
  readonly data: NoisyMixture
  readonly hidden: number
  readonly rho: number
  readonly lr: number
  readonly steps: number
  readonly recordEvery: number
  /** Multiplies the PyTorch-default initialisation of core-tensor's `twoLayerLinear`. */
  readonly initScale: number
  readonly seed: number
  /** Examples on which each record checks the closed form's per-example `jsamTwoLayerObjective` (0 = none). */
  readonly checkExamples: number
  readonly onRecord?: (record: DeepLinearRecord) => void
}

/** One trainer's state at a record. */
export interface DeepLinearMetrics {
  readonly trainLoss: number
  readonly testAcc: number
  readonly cleanTrainAcc: number
  readonly noisyFit: number
  /** ||v||^2 and mean_i ||W x_i||^2: what the derived objective penalises. */
  readonly headNormSq: number
  readonly featureNormSq: number
}

export interface DeepLinearRecord {
  readonly step: number
  readonly jsam: DeepLinearMetrics
  readonly objective: DeepLinearMetrics
  readonly gd: DeepLinearMetrics
  /** ||theta_jsam - theta_objective||_inf / ||theta_jsam||_inf at this step. */
  readonly paramRelDiff: number
  /**
   * At the J-SAM iterate, on the first `checkExamples` examples: the gradient of the mean of
   * `jsamTwoLayerObjective` (the closed form, one call per example) vs the mean J-SAM
   * per-example gradient, max-abs difference relative to max-abs (NaN when not checked).
   */
  readonly objectiveCheckRelErr: number
}

export interface DeepLinearRun {
  readonly records: DeepLinearRecord[]
  /** paramRelDiff at every step 0..steps. */
  readonly paramRelDiff: number[]
}

const host = (p: TwoLayerParams): Float32Array => {
  const W = p.W.dataSync() as Float32Array
  const v = p.v.dataSync() as Float32Array
  const out = new Float32Array(W.length + v.length)
  out.set(W)
  out.set(v, W.length)
  return out
}

/** max_j |a_j - b_j| / max_j |a_j| (0 when a is 0 and so is b). */
export const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let diff = 0
  let scale = 0
  for (let j = 0; j < a.length; j++) {
    diff = Math.max(diff, Math.abs(a[j]! - b[j]!))
    scale = Math.max(scale, Math.abs(a[j]!))
  }
  return scale > 0 ? diff / scale : diff === 0 ? 0 : Number.POSITIVE_INFINITY
}

const metricsOf = (p: TwoLayerParams, data: NoisyMixture, x: tf.Tensor2D, xTest: tf.Tensor2D): DeepLinearMetrics => {
  const [train, test, headNormSq, featureNormSq] = tf.tidy(() => [
    twoLayerOutputs(p, x),
    twoLayerOutputs(p, xTest),
    tf.sum(tf.square(p.v)),
    tf.mean(tf.sum(tf.square(twoLayerActivations(p.W, x)), 1))
  ])
  const trainM = binaryMetrics(train!.dataSync(), data.train)
  const testM = binaryMetrics(test!.dataSync(), data.test)
  const out = {
    trainLoss: trainM.loss,
    testAcc: testM.acc,
    cleanTrainAcc: trainM.cleanAcc,
    noisyFit: trainM.noisyFit,
    headNormSq: headNormSq!.dataSync()[0]!,
    featureNormSq: featureNormSq!.dataSync()[0]!
  }
  tf.dispose([train!, test!, headNormSq!, featureNormSq!])
  return out
}

/** The gradient of mean_{i<m} jsamTwoLayerObjective (per-example calls) vs the mean of the first m J-SAM per-example gradients. */
const objectiveCheck = (p: TwoLayerParams, data: NoisyMixture, perExample: { W: tf.Tensor3D; v: tf.Tensor2D }, m: number, rho: number): number => {
  const d = data.train.d
  const [expected, got] = tf.tidy(() => {
    const xs = Array.from({ length: m }, (_, i) => tf.tensor1d(data.train.x.subarray(i * d, (i + 1) * d)))
    const [gW, gv] = tf.grads((W: tf.Tensor, v: tf.Tensor) =>
      tf.div(tf.addN(xs.map((xi, i) => jsamTwoLayerObjective(W as tf.Tensor2D, v as tf.Tensor1D, xi, data.train.labels[i]!, rho))), m)
    )([p.W, p.v])
    const exp = tf.concat([tf.reshape(tf.mean(tf.slice(perExample.W, [0, 0, 0], [m, -1, -1]), 0), [-1]), tf.mean(tf.slice(perExample.v, [0, 0], [m, -1]), 0)])
    return [exp, tf.concat([tf.reshape(gW!, [-1]), gv!])]
  })
  const err = maxRelDiff(expected!.dataSync(), got!.dataSync())
  tf.dispose([expected!, got!])
  return err
}

const step = (p: TwoLayerParams, g: { readonly W: tf.Tensor; readonly v: tf.Tensor }, lr: number): TwoLayerParams =>
  tf.tidy(() => ({ W: tf.sub(p.W, tf.mul(g.W, lr)) as tf.Tensor2D, v: tf.sub(p.v, tf.mul(g.v, lr)) as tf.Tensor1D }))

/** Initial { W [h, d], v [h] }: core-tensor's `twoLayerLinear` init (no biases, one logit) in the paper's layout, times `scale`. */
export const initTwoLayer = (d: number, hidden: number, seed: number, scale: number): TwoLayerParams => {
  const model = twoLayerLinear({ inputDim: d, hidden, numClasses: 1, bias: false })
  const init = model.init(new Rng(seed).fork("init"))
  const out = tf.tidy(() => ({
    W: tf.mul(tf.transpose(init["dense_0/kernel"]!), scale) as tf.Tensor2D,
    v: tf.mul(tf.reshape(init["head/kernel"]!, [hidden]), scale) as tf.Tensor1D
  }))
  tf.dispose(Object.values(init))
  return out
}

/**
 * Trains three copies of f(x) = v^T W x in lockstep from one initialisation with one
 * learning rate: (a) J-SAM, per-example gradients by definition (`jsamPerExampleGradients`),
 * (b) plain GD on the derived objective (`jsamObjectiveGradient`), (c) plain GD on the loss.
 * Records how far (a) and (b) drift apart at every step, and all three trainers' metrics
 * every `recordEvery` steps. Frees every tensor it makes.
 */
export const runDeepLinear = (o: DeepLinearRunOptions): DeepLinearRun => {
  const where = "runDeepLinear"
  const rho = requireFinite(where, "rho", o.rho, 0)
  const lr = requireFinite(where, "lr", o.lr, 0, true)
  const steps = requireInt(where, "steps", o.steps, 0)
  const every = requireInt(where, "recordEvery", o.recordEvery, 1)
  const hidden = requireInt(where, "hidden", o.hidden, 1)
  const scale = requireFinite(where, "initScale", o.initScale, 0)
  const m = Math.min(requireInt(where, "checkExamples", o.checkExamples, 0), o.data.train.n)
  const { train, test } = o.data
  const x = tf.tensor2d(train.x, [train.n, train.d])
  const t = tf.tensor1d(train.labels)
  const xTest = tf.tensor2d(test.x, [test.n, test.d])
  const init = initTwoLayer(train.d, hidden, requireInt(where, "seed", o.seed, Number.MIN_SAFE_INTEGER), scale)
  const params: Record<DeepLinearTrainer, TwoLayerParams> = {
    jsam: init,
    objective: { W: tf.clone(init.W), v: tf.clone(init.v) },
    gd: { W: tf.clone(init.W), v: tf.clone(init.v) }
  }
  const records: DeepLinearRecord[] = []
  const paramRelDiff: number[] = []
  try {
    for (let s = 0; s <= steps; s++) {
      const diff = maxRelDiff(host(params.jsam), host(params.objective))
      paramRelDiff.push(diff)
      const recording = s % every === 0 || s === steps
      const perExample = jsamPerExampleGradients(params.jsam, x, t, rho)
      try {
        if (recording) {
          const record: DeepLinearRecord = {
            step: s,
            jsam: metricsOf(params.jsam, o.data, x, xTest),
            objective: metricsOf(params.objective, o.data, x, xTest),
            gd: metricsOf(params.gd, o.data, x, xTest),
            paramRelDiff: diff,
            objectiveCheckRelErr: m > 0 ? objectiveCheck(params.jsam, o.data, perExample, m, rho) : Number.NaN
          }
          records.push(record)
          o.onRecord?.(record)
        }
        if (s === steps) break
        const directions: Record<DeepLinearTrainer, { W: tf.Tensor; v: tf.Tensor }> = {
          jsam: tf.tidy(() => ({ W: tf.mean(perExample.W, 0), v: tf.mean(perExample.v, 0) })),
          objective: jsamObjectiveGradient(params.objective, x, t, rho),
          gd: twoLayerLossGradient(params.gd, x, t)
        }
        for (const k of deepLinearTrainers) {
          const next = step(params[k], directions[k], lr)
          tf.dispose([params[k].W, params[k].v, directions[k].W, directions[k].v])
          params[k] = next
        }
      } finally {
        tf.dispose([perExample.W, perExample.v])
      }
    }
  } finally {
    tf.dispose([x, t, xTest, ...deepLinearTrainers.flatMap((k) => [params[k].W, params[k].v])])
  }
  return { records, paramRelDiff }
}
