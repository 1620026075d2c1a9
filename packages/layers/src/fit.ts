import { Rng, type TrainingMethod, accuracy, meanCrossEntropy, stepper } from "@samlab/core-tensor"
import { type FieldFailure, positiveInt } from "@samlab/core-tensor/internal"
import * as tf from "@tensorflow/tfjs-core"
import type * as tfl from "@tensorflow/tfjs-layers"
import { adaptLayersModel } from "./adapter.js"
import { LayersAdapterError } from "./errors.js"

/** Numbers of one batch or epoch, as tfjs-layers names them (`loss`, `acc`, `val_loss`, `val_acc`). */
export type Logs = Readonly<Record<string, number>>

export interface FitCallbacks {
  onEpochBegin?(epoch: number): void | Promise<void>
  /** After each step, with that step's training loss (at the params before the step). */
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>
  /** After each epoch: mean training loss, and `val_loss` / `val_acc` with validation data. */
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>
}

export interface FitOptions {
  readonly epochs: number
  readonly batchSize: number
  /** Shuffle the examples each epoch with a seeded `Rng` (default true). */
  readonly shuffle?: boolean
  /** Seed of the shuffling (default 0): the same seed gives the same batches. */
  readonly seed?: number
  /** Evaluated in inference mode after every epoch: `[x, labels]` with int labels or one-hot rows. */
  readonly validationData?: readonly [tf.Tensor, tf.Tensor]
  readonly callbacks?: FitCallbacks
  /** Stops between two steps; the model keeps the weights of the last finished step. */
  readonly signal?: AbortSignal
}

export interface FitHistory {
  readonly epoch: number[]
  readonly history: Record<string, number[]>
}

/** Int class labels from int labels or one-hot rows (the caller owns the result). */
const classLabels = (y: tf.Tensor, where: string): tf.Tensor1D => {
  if (y.rank === 1) return tf.cast(y, "int32") as tf.Tensor1D
  if (y.rank === 2) return tf.tidy(() => tf.cast(tf.argMax(y, 1), "int32") as tf.Tensor1D)
  throw new LayersAdapterError(where, "y", `must be int labels [n] or one-hot rows [n, classes], got shape [${y.shape}]`)
}

/**
 * Trains an unchanged tfjs-layers model with any samlab `TrainingMethod` (SGD, SAM, ASAM,
 * m-sharpness, 1-SAM, L-SAM, J-SAM, the Jacobian regularizer...), the way `model.fit` would:
 * epochs of seeded shuffled batches (the last one may be smaller), callbacks, validation. The
 * loss is the methods' softmax cross-entropy on the model's logits. The model's weights and
 * batch-norm statistics are written back after every step, so callbacks see the current model.
 */
export const fitWithMethod = async (
  model: tfl.LayersModel,
  method: TrainingMethod<any>,
  x: tf.Tensor,
  y: tf.Tensor,
  options: FitOptions
): Promise<FitHistory> => {
  const where = `fitWithMethod(${model.name}, ${method.name})`
  const fail: FieldFailure = (field, problem) => {
    throw new LayersAdapterError(where, field, problem)
  }
  const epochs = positiveInt(options.epochs, "epochs", fail)
  const batchSize = positiveInt(options.batchSize, "batchSize", fail)
  const n = x.shape[0] ?? 0
  if (n === 0) throw new LayersAdapterError(where, "x", "has no examples")
  if (y.shape[0] !== n) throw new LayersAdapterError(where, "y", `has ${y.shape[0]} rows for ${n} examples`)
  const adapter = adaptLayersModel(model)
  const labels = classLabels(y, where)
  const validation = options.validationData ? { x: options.validationData[0], y: classLabels(options.validationData[1], `${where} validationData`) } : undefined
  const rng = new Rng(options.seed ?? 0)
  const history: FitHistory = { epoch: [], history: {} }
  // the adapter's forward reads the model state from the layers' variables, written back below
  const run = stepper({ method, forward: (p, input) => adapter.forward(p, input), params: adapter.params() })
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      await options.callbacks?.onEpochBegin?.(epoch)
      const order = options.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : rng.fork(epoch).permutation(n)
      let lossSum = 0
      let batches = 0
      for (let start = 0; start < n; start += batchSize) {
        if (options.signal?.aborted) return history
        const idx = tf.tensor1d(order.subarray(start, Math.min(n, start + batchSize)), "int32")
        const batch = { x: tf.gather(x, idx), y: tf.gather(labels, idx) as tf.Tensor1D }
        idx.dispose()
        try {
          const r = run.step(batch)
          adapter.assign(run.params, run.modelState)
          lossSum += r.loss
          batches++
          await options.callbacks?.onBatchEnd?.(batches - 1, { loss: r.loss })
        } finally {
          tf.dispose([batch.x, batch.y])
        }
      }
      const logs: Record<string, number> = { loss: lossSum / batches }
      if (validation) {
        const logits = adapter.logits(validation.x)
        logs["val_loss"] = tf.tidy(() => meanCrossEntropy(logits, validation.y).dataSync()[0]!)
        logs["val_acc"] = accuracy(logits, validation.y)
        logits.dispose()
      }
      history.epoch.push(epoch)
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v)
      await options.callbacks?.onEpochEnd?.(epoch, logs)
    }
    return history
  } finally {
    run.dispose()
    labels.dispose()
    validation?.y.dispose()
  }
}
