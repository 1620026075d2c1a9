/**
 * The training steps the benchmarks time, built from core-tensor's reference models and
 * optimizer so they match what samlab trains: the MLP 3072-512-512-10 and the small CNN
 * (3x3 convs 32/64/128 + ReLU + 2x2 max-pool, dense 2048-256, head 256-10) and the ResNet-8
 * (`resnet({ blocks: [1, 1, 1], width: 16 })`, batch norm), SGD with
 * momentum 0.9 and weight decay 5e-4, and SAM (rho 0.05) as two gradient passes.
 */
import * as tf from "@tensorflow/tfjs-core"
import {
  type Model,
  type Params,
  Rng,
  disposeParams,
  erm,
  globalNorm,
  meanCrossEntropy,
  referenceMlp,
  resnet,
  scaledAdd,
  sgd,
  smallCnn,
  valueAndGradParams
} from "@samlab/core-tensor"

export type ModelName = "mlp" | "cnn" | "resnet8"
export type MethodName = "sgd" | "sam"

export const makeModel = (name: ModelName): Model =>
  name === "mlp" ? referenceMlp(10) : name === "cnn" ? smallCnn({ channels: [32, 64, 128], dense: 256 }) : resnet({ blocks: [1, 1, 1], width: 16 })

/** A fixed random batch: NHWC images for the CNN, flat rows for the MLP. */
export const makeBatch = (model: Model, batch: number, seed = 7): { x: tf.Tensor; y: tf.Tensor1D } => {
  const rng = new Rng(seed)
  const shape = [batch, ...model.inputShape]
  const x = tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape, "float32")
  const y = tf.tensor1d(Int32Array.from({ length: batch }, () => rng.int(model.numClasses)), "int32")
  return { x, y }
}

export interface Trainer {
  /** One step; returns the loss. Owns and replaces its params. */
  step(): number
  dispose(): void
}

export const makeTrainer = (modelName: ModelName, method: MethodName, batchSize: number, seed = 1): Trainer => {
  const model = makeModel(modelName)
  let params: Params = model.init(new Rng(seed))
  const batch = makeBatch(model, batchSize)
  const opt = sgd({ lr: 0.01, momentum: 0.9, weightDecay: 5e-4 })
  // Batch-norm models read their running statistics; the benchmark keeps the initial ones.
  const modelState = model.initState?.()
  const forward = (p: Params, x: tf.Tensor) => model.apply(p, x, { training: true, ...(modelState ? { state: modelState } : {}) })
  if (method === "sgd") {
    const m = erm(opt)
    let state = m.init(params)
    let n = 0
    return {
      step: () => {
        const r = m.step(params, state, batch, forward, n++)
        disposeParams(params)
        m.disposeState(state)
        params = r.params
        state = r.state
        return r.loss
      },
      dispose: () => {
        disposeParams(params)
        m.disposeState(state)
        tf.dispose([batch.x, batch.y])
      }
    }
  }
  // SAM: g = grad L(w); w' = w + rho g/||g||; update w with grad L(w').
  const rho = 0.05
  let state = opt.init(params)
  const lossAt = (p: Params) => meanCrossEntropy(forward(p, batch.x).logits, batch.y)
  return {
    step: () => {
      const { loss, next, nextState } = tf.tidy(() => {
        const first = valueAndGradParams(lossAt, params)
        const norm = globalNorm(first.grads)
        const perturbed = scaledAdd(params, first.grads, tf.div(rho, tf.add(norm, 1e-12)) as tf.Scalar)
        const second = valueAndGradParams(lossAt, perturbed)
        const { updates, state: s } = opt.update(second.grads, state, params)
        const n = scaledAdd(params, updates, 1)
        return { loss: first.value, next: n, nextState: s }
      })
      const value = loss.dataSync()[0]!
      loss.dispose()
      disposeParams(params)
      opt.disposeState(state)
      params = next
      state = nextState
      return value
    },
    dispose: () => {
      disposeParams(params)
      opt.disposeState(state)
      tf.dispose([batch.x, batch.y])
    }
  }
}
