import * as tf from "@tensorflow/tfjs-core"
import { Rng } from "@samlab/core-tensor"
import { binaryMetrics } from "../metrics/binary-metrics.js"
import { requireFinite, requireInt } from "../errors.js"
import type { NoisyMixture } from "../data/mixture.js"
import { cleanNoisyWeightRatio, maxFinite, oneSamDiagnostics, oneSamLinearGradients } from "./one-sam-linear.js"

export interface LinearLogisticRunOptions {
  readonly data: NoisyMixture
  /** 0 is plain full-batch GD. */
  readonly rho: number
  readonly lr: number
  readonly steps: number
  /** Evaluate at step 0, every `recordEvery` steps and at the last step. */
  readonly recordEvery: number
  /** ||w_0|| in expectation: w_0 ~ N(0, initScale^2/d I) from `Rng(seed).fork("init")`; 0 starts at w = 0. */
  readonly initScale: number
  readonly seed: number
  readonly onRecord?: (record: LinearLogisticRecord) => void
}

/** The state at one step (before that step's update). NaN where a group is empty. */
export interface LinearLogisticRecord {
  readonly step: number
  readonly trainLoss: number
  readonly testLoss: number
  readonly testAcc: number
  readonly trainAcc: number
  readonly cleanTrainAcc: number
  /** Flipped examples predicted as their wrong label. */
  readonly noisyFit: number
  /** Mean ||g_i^SAM||/||g_i|| over clean examples, over noisy ones, and their ratio. */
  readonly cleanWeight: number
  readonly noisyWeight: number
  readonly weightRatio: number
  /** Max over examples of ||g^SAM_i - c_i g_i||/||g^SAM_i|| (autodiff vs closed form). */
  readonly closedFormMaxRelErr: number
  readonly wNorm: number
  /** cos(w, mu): the test accuracy is Phi(||mu|| cos(w, mu)/sigma). */
  readonly cosMu: number
}

const scores = (x: tf.Tensor2D, w: tf.Tensor1D): Float32Array => {
  const s = tf.tidy(() => tf.squeeze(tf.matMul(x, tf.expandDims(w, 1)), [1]))
  const out = s.dataSync() as Float32Array
  s.dispose()
  return out
}

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

const cosine = (a: Float32Array, b: Float32Array): number => {
  const aa = dot(a, a)
  const bb = dot(b, b)
  return aa > 0 && bb > 0 ? dot(a, b) / Math.sqrt(aa * bb) : 0
}

/**
 * Full-batch GD (rho = 0) or 1-SAM on the mean logistic loss of the noisy mixture, from
 * w_0 (0 or seeded Gaussian): w <- w - lr mean_i g_i^SAM, the per-example SAM gradients computed by autodiff
 * (`oneSamLinearGradients`). Records accuracies, the clean/noisy gradient-weight ratio and
 * the closed-form agreement along the way. Frees every tensor it makes.
 */
export const runLinearLogistic = (o: LinearLogisticRunOptions): LinearLogisticRecord[] => {
  const where = "runLinearLogistic"
  const rho = requireFinite(where, "rho", o.rho, 0)
  const lr = requireFinite(where, "lr", o.lr, 0, true)
  const steps = requireInt(where, "steps", o.steps, 0)
  const every = requireInt(where, "recordEvery", o.recordEvery, 1)
  const { train, test, mu } = o.data
  const x = tf.tensor2d(train.x, [train.n, train.d])
  const t = tf.tensor1d(train.labels)
  const xTest = tf.tensor2d(test.x, [test.n, test.d])
  const initScale = requireFinite(where, "initScale", o.initScale, 0)
  let w = tf.tensor1d(
    initScale === 0
      ? new Float32Array(train.d)
      : new Rng(requireInt(where, "seed", o.seed, Number.MIN_SAFE_INTEGER)).fork("init").normalArray(train.d, 0, initScale / Math.sqrt(train.d))
  )
  const records: LinearLogisticRecord[] = []
  try {
    for (let step = 0; step <= steps; step++) {
      const recording = step % every === 0 || step === steps
      const grads = oneSamLinearGradients(w, x, t, rho)
      try {
        if (recording) {
          const diag = oneSamDiagnostics(w, x, t, rho, grads)
          const weights = cleanNoisyWeightRatio(diag, train.isNoisy)
          const trainM = binaryMetrics(scores(x, w), train)
          const testM = binaryMetrics(scores(xTest, w), test)
          const wHost = w.dataSync() as Float32Array
          const record: LinearLogisticRecord = {
            step,
            trainLoss: trainM.loss,
            testLoss: testM.loss,
            testAcc: testM.acc,
            trainAcc: trainM.acc,
            cleanTrainAcc: trainM.cleanAcc,
            noisyFit: trainM.noisyFit,
            cleanWeight: weights.clean,
            noisyWeight: weights.noisy,
            weightRatio: weights.ratio,
            closedFormMaxRelErr: maxFinite(diag.closedFormRelErr),
            wNorm: Math.sqrt(dot(wHost, wHost)),
            cosMu: cosine(wHost, mu)
          }
          records.push(record)
          o.onRecord?.(record)
        }
        if (step === steps) break
        const next = tf.tidy(() => tf.sub(w, tf.mul(tf.mean(grads.sam, 0), lr))) as tf.Tensor1D
        w.dispose()
        w = next
      } finally {
        tf.dispose([grads.gd, grads.sam])
      }
    }
  } finally {
    tf.dispose([x, t, xTest, w])
  }
  return records
}
