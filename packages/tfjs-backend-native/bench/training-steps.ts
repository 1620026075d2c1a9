/**
 * The two reference training steps (batch 128) used by the profile and the benchmarks:
 * samlab's own MLP 3072-512-512-10 and small CNN (3x3 convs 32/64/128 + ReLU + 2x2 max pool,
 * dense 2048-256, head 256-10) from @samlab/core-tensor, trained by erm(sgd) with momentum
 * 0.9 and weight decay 5e-4, on random data drawn from a seeded Rng.
 */
import * as tf from "@tensorflow/tfjs-core"
import { type Model, type Params, Rng, disposeParams, erm, referenceMlp, sgd, smallCnn } from "@samlab/core-tensor"

export type ModelName = "mlp" | "cnn"

export interface TrainingStep {
  readonly model: Model
  /** Runs one SGD step in place (params and optimizer state are replaced and the old ones freed). */
  step(): number
  dispose(): void
}

export const makeTrainingStep = (which: ModelName, batch = 128, seed = 1): TrainingStep => {
  const model = which === "mlp" ? referenceMlp() : smallCnn()
  const rng = new Rng(seed)
  let params: Params = model.init(rng.fork("init"))
  const data = rng.fork("data")
  const xShape = which === "mlp" ? [batch, 3072] : [batch, 32, 32, 3]
  const size = xShape.reduce((a, b) => a * b, 1)
  const xs = new Float32Array(size)
  for (let i = 0; i < size; ++i) xs[i] = data.normal()
  const ys = new Int32Array(batch)
  for (let i = 0; i < batch; ++i) ys[i] = data.int(10)
  const x = tf.tensor(xs, xShape, "float32")
  const y = tf.tensor1d(ys, "int32")
  const method = erm(sgd({ lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }))
  let state = method.init(params)
  const forward = (p: Params, input: tf.Tensor) => model.apply(p, input, { training: true })
  let n = 0
  return {
    model,
    step: () => {
      const r = method.step(params, state, { x, y }, forward, n++)
      disposeParams(params)
      method.disposeState(state)
      params = r.params
      state = r.state
      disposeParams(r.modelState)
      return r.loss
    },
    dispose: () => {
      disposeParams(params)
      method.disposeState(state)
      x.dispose()
      y.dispose()
    }
  }
}
